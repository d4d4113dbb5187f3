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
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { JudgeVerdictSchema, TaxonomySchema } from "../../src/lib/schemas.ts";
import { sources } from "../helpers/sources.ts";
import {
  ALL_DATASETS,
  DEMO_SETS,
  buildContexts,
  contextsOf,
  loadDataset,
  plantedKinds,
  type DatasetName,
} from "./context.ts";

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

  it("has the facets the aggregates need (docs/design.md, Aggregate)", () => {
    const facet = (id: string) => byId.get(id)!.facet;
    expect(new Set(cats.map((c) => c.facet))).toEqual(new Set(["format", "skill", "noise", "unexplained"]));
    // No rule reads the consensus: only a person's review puts failures in the reserved noise leaf.
    expect(RULES.find((r) => r.id === "suspect-reference")).toBeUndefined();
    expect(facet(REFERENCE_ERROR.id)).toBe("noise");
    expect(byId.get(REFERENCE_ERROR.id)!.parent).toBe("noise");
    expect(RULES.some((r) => r.category === REFERENCE_ERROR.id)).toBe(false);
    expect(facet(RULES.find((r) => r.id === "equivalent-answer")!.category)).toBe("noise");
    expect(facet(RULES.find((r) => r.id === "refusal")!.category)).toBe("format");
    expect(facet(RULES.find((r) => r.id === "numeric-near-miss")!.category)).toBe("skill");
  });

  it("gives every rule its own leaf, and unexplained failures one too (and reviewed reference errors the reserved one)", () => {
    const leafIds = new Set(leaves.map((l) => l.id));
    for (const r of RULES) expect(leafIds.has(r.category), r.id).toBe(true);
    expect(new Set(RULES.map((r) => r.category)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    expect(leaves).toHaveLength(RULES.length + 2);
    expect(leafIds.has(REFERENCE_ERROR.id)).toBe(true);
  });
});

/** Whitespace collapsed, for comparing quoted spans with their source. */
const flat = (s: string) => s.replace(/\s+/g, " ").trim();

interface Judged {
  sets: readonly DatasetName[];
  /** Failures there are: planted by the generator, or counted in the shared data's README. */
  failures: number;
  /** Bounds of the unexplained share. */
  unexplained: [number, number];
  /** Rules that may fire on none of these failures. */
  mayNotFire: string[];
}

const SOURCES = sources<Judged>({
  // A third of the planted failures are plain wrong answers (or on a wrong reference) no rule explains.
  generated: () => ({
    sets: DEMO_SETS,
    failures: [...plantedKinds().values()].filter((k) => k !== "correct").length,
    unexplained: [0.15, 0.7],
    // The demo plants no BBQ tags, no sign or power-of-ten slips (see tests/import/demo.test.ts).
    mayNotFire: RULES.filter((r) => !DEMO_SETS.some((d) => contextsOf(d).failures.some((c) => r.fn(c) !== null))).map(
      (r) => r.id,
    ),
  }),
  // Rules cannot read reasoning; two precise rules this data gives one failure or none: a switch
  // of language, and a reference concluded then abandoned.
  shared: () => ({
    sets: ALL_DATASETS,
    failures: 6367,
    unexplained: [0.5, 0.95],
    mayNotFire: ["wrong-language", "abandoned-right-answer"],
  }),
});

describe.each(SOURCES)("judging every %s failure", (_name, source) => {
  const all: FailureContext[] = source.sets.flatMap((d) => contextsOf(d).failures);

  it("covers every failure, each with a valid verdict in a leaf", () => {
    expect(all).toHaveLength(source.failures);
    const leafIds = new Set(
      HEURISTIC_TAXONOMY.categories
        .filter((c) => !HEURISTIC_TAXONOMY.categories.some((d) => d.parent === c.id))
        .map((c) => c.id),
    );
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

  it("quotes evidence from the output, the reference (or its option text) or the scorer's extracted answer", () => {
    for (const ctx of all) {
      const v = judgeHeuristic(ctx);
      const sources = [
        ctx.record.output,
        ctx.record.reference,
        ctx.record.reference_text ?? "",
        ctx.record.extracted ?? "",
      ].map(flat);
      for (const e of v.evidence) {
        const parts = flat(e)
          .split("…")
          .map((p) => p.trim())
          .filter(Boolean);
        for (const p of parts)
          expect(
            sources.some((s) => s.includes(p)),
            `${v.rule}: ${p.slice(0, 40)}`,
          ).toBe(true);
      }
      // Every rule but the empty-output one and "unexplained" shows its evidence.
      // (An unpublished output with no scorer's answer has nothing to quote either.)
      if (
        v.rule !== UNEXPLAINED_RULE &&
        v.rule !== "empty-output" &&
        !(v.rule === "output-not-published" && !ctx.record.extracted)
      )
        expect(v.evidence.length).toBeGreaterThan(0);
    }
  });

  it("explains a sizeable share of failures and leaves the rest honestly unexplained", () => {
    const unexplained = all.filter((c) => judgeHeuristic(c).rule === UNEXPLAINED_RULE).length;
    expect(unexplained / all.length).toBeGreaterThan(source.unexplained[0]);
    expect(unexplained / all.length).toBeLessThan(source.unexplained[1]);
    // Every rule explains at least one failure (but those this data gives no failure for).
    const fired = new Set(all.map((c) => judgeHeuristic(c).rule));
    expect(source.mayNotFire.length).toBeLessThan(RULES.length / 3);
    for (const r of RULES.filter((r) => !source.mayNotFire.includes(r.id))) expect(fired.has(r.id), r.id).toBe(true);
  });

  it("is deterministic, with or without its per-record caches", () => {
    const first = all.map(judgeHeuristic);
    expect(all.map(judgeHeuristic)).toEqual(first);
    // Fresh records (new objects, so no cached facts) of two datasets judge the same.
    for (const name of source.sets.slice(0, 2)) {
      const fresh = buildContexts(name, loadDataset(name)).failures.map(judgeHeuristic);
      const cached = contextsOf(name).failures.map(judgeHeuristic);
      expect(fresh).toEqual(cached);
    }
  });
});
