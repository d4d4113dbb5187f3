// The judge as a whole: its taxonomy, the shape of its verdicts on every real failure, evidence
// that really is quoted, determinism and speed.
import { describe, expect, it } from "vitest";
import {
  HEURISTIC_TAXONOMY,
  judgeHeuristic,
  RULES,
  RULESET_VERSION,
  UNEXPLAINED_RULE,
  UNEXPLAINED_TITLE,
} from "../../scripts/judges/heuristic/index.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { JudgeVerdictSchema, TaxonomySchema } from "../../src/lib/schemas.ts";
import { hasEvaldata } from "../helpers/evaldata.ts";
import { ALL_DATASETS, buildContexts, contextsOf, loadDataset } from "./context.ts";

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

describe("heuristic taxonomy", () => {
  const cats = HEURISTIC_TAXONOMY.categories;
  const byId = new Map(cats.map((c) => [c.id, c]));
  const leaves = cats.filter((c) => !cats.some((d) => d.parent === c.id));

  it("is a valid two-level taxonomy of the heuristic judge", () => {
    expect(TaxonomySchema.parse(HEURISTIC_TAXONOMY)).toEqual(HEURISTIC_TAXONOMY);
    expect(HEURISTIC_TAXONOMY.judge).toBe("heuristic");
    expect(HEURISTIC_TAXONOMY.version).toBe(RULESET_VERSION);
    expect(RULESET_VERSION).toMatch(/^rules-\d+$/);
    expect(new Set(cats.map((c) => c.id)).size).toBe(cats.length);
    expect(new Set(cats.map((c) => c.slug)).size).toBe(cats.length);
    cats.forEach((c, i) => {
      expect(words(c.name), c.name).toBeLessThanOrEqual(5);
      expect(words(c.description), c.id).toBeLessThanOrEqual(30);
      if (c.parent === null) return;
      const parent = byId.get(c.parent)!;
      expect(parent.parent).toBeNull(); // depth 2
      expect(cats.indexOf(parent)).toBeLessThan(i); // parents first
      expect(c.facet).toBe(parent.facet);
    });
    expect(leaves.every((l) => l.parent !== null)).toBe(true);
  });

  it("has the facets DESIGN.md's aggregates need", () => {
    const facet = (id: string) => byId.get(id)!.facet;
    expect(new Set(cats.map((c) => c.facet))).toEqual(new Set(["format", "skill", "noise", "unexplained"]));
    expect(facet(RULES.find((r) => r.id === "suspect-reference")!.category)).toBe("noise");
    expect(facet(RULES.find((r) => r.id === "equivalent-answer")!.category)).toBe("noise");
    expect(facet(RULES.find((r) => r.id === "refusal")!.category)).toBe("format");
    expect(facet(RULES.find((r) => r.id === "numeric-near-miss")!.category)).toBe("skill");
  });

  it("gives every rule its own leaf, and unexplained failures one too", () => {
    const leafIds = new Set(leaves.map((l) => l.id));
    for (const r of RULES) expect(leafIds.has(r.category), r.id).toBe(true);
    expect(new Set(RULES.map((r) => r.category)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    expect(leaves).toHaveLength(RULES.length + 1);
  });
});

/** Whitespace collapsed, for comparing quoted spans with their source. */
const flat = (s: string) => s.replace(/\s+/g, " ").trim();

describe.skipIf(!hasEvaldata)("judging every real failure", () => {
  const all: FailureContext[] = ALL_DATASETS.flatMap((d) => contextsOf(d).failures);

  it("covers all 6,367 failures, each with a valid verdict in a leaf", () => {
    expect(all).toHaveLength(6367);
    const leafIds = new Set(HEURISTIC_TAXONOMY.categories.filter((c) => !HEURISTIC_TAXONOMY.categories.some((d) => d.parent === c.id)).map((c) => c.id));
    for (const ctx of all) {
      const v = judgeHeuristic(ctx);
      expect(JudgeVerdictSchema.safeParse(v).success).toBe(true);
      expect(leafIds.has(v.category)).toBe(true);
      if (v.rule === UNEXPLAINED_RULE) {
        expect(v.title).toBe(UNEXPLAINED_TITLE);
        expect(v.confidence).toBe(0);
      } else {
        expect(RULES.find((r) => r.id === v.rule)!.category).toBe(v.category);
        expect(v.confidence).toBeGreaterThan(0);
      }
    }
  });

  it("quotes evidence from the output, the reference or the scorer's extracted answer", () => {
    for (const ctx of all) {
      const v = judgeHeuristic(ctx);
      const sources = [ctx.record.output, ctx.record.reference, ctx.record.extracted ?? ""].map(flat);
      for (const e of v.evidence) {
        const parts = flat(e).split("…").map((p) => p.trim()).filter(Boolean);
        for (const p of parts) expect(sources.some((s) => s.includes(p)), `${v.rule}: ${p.slice(0, 40)}`).toBe(true);
      }
      // Every rule but the empty-output one and "unexplained" shows its evidence.
      if (v.rule !== UNEXPLAINED_RULE && v.rule !== "empty-output") expect(v.evidence.length).toBeGreaterThan(0);
    }
  });

  it("explains a sizeable share of failures and leaves the rest honestly unexplained", () => {
    const unexplained = all.filter((c) => judgeHeuristic(c).rule === UNEXPLAINED_RULE).length;
    expect(unexplained / all.length).toBeGreaterThan(0.5); // rules cannot read reasoning
    expect(unexplained / all.length).toBeLessThan(0.95);
    // Every rule explains at least one real failure.
    const fired = new Set(all.map((c) => judgeHeuristic(c).rule));
    for (const r of RULES.filter((r) => r.id !== "wrong-language")) expect(fired.has(r.id), r.id).toBe(true);
  });

  it("is deterministic, with or without its per-record caches", () => {
    const first = all.map(judgeHeuristic);
    expect(all.map(judgeHeuristic)).toEqual(first);
    // Fresh records (new objects, so no cached facts) of two datasets judge the same.
    for (const name of ["gsm8k", "bbq"] as const) {
      const fresh = buildContexts(name, loadDataset(name)).failures.map(judgeHeuristic);
      const cached = contextsOf(name).failures.map(judgeHeuristic);
      expect(fresh).toEqual(cached);
    }
  });

});
