// The whole pipeline with the heuristic judge, through the real CLI: on generated inputs in every
// format (scripts/demo/formats.ts), and on all of ../shared/evaldata when it is there.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { AggregatesSchema, AnalysisSchema, TaxonomySchema } from "../../src/lib/schemas.ts";
import { HELM_DIR, JSONL_DIR } from "../helpers/evaldata.ts";
import { generatedInputs, plantedSuspectItems, sources } from "../helpers/sources.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

const FILES = ["release.json", "taxonomy.json", "analyses.jsonl", "aggregates.json", "reviews.json"];

interface Input {
  paths: string[];
  failures: number;
  datasets: string[];
  /** Items that must be listed as disputed, by dataset (an empty list: at least one). */
  disputed: Record<string, string[]>;
}

const SOURCES = sources<(dir: string) => Input>({
  generated: () => (dir) => {
    const g = generatedInputs(dir);
    return {
      paths: g.paths,
      failures: g.records.filter((r) => r.kind !== "correct").length,
      datasets: ["demo_arith", "demo_instruct", "demo_quiz"],
      disputed: plantedSuspectItems(g.records),
    };
  },
  shared: () => () => ({
    paths: [
      ...["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((f) => join(JSONL_DIR, `${f}.jsonl`)),
      HELM_DIR,
    ],
    failures: 6367,
    datasets: ["alpaca_eval", "bbq", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"],
    disputed: { gsm8k: ["gsm8k/gsm8k-main-test-#823", "gsm8k/gsm8k-main-test-#1309"], mmlu_pro: [] },
  }),
});

describe.each(SOURCES)("errormap run (heuristic) on all of the %s inputs", (_name, inputs) => {
  let root: string;
  let input: Input;
  beforeAll(async () => {
    root = tempRoot("errormap-heuristic-");
    input = inputs(join(root, "inputs"));
    const r = await runCli(["import", "--data", root, "--snapshot", "s1", ...input.paths]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => removeRoot(root));

  it("analyses every failure, writes valid files, and a re-run is cached and byte-identical", async () => {
    const n = input.failures;
    const first = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`release r1: ${n} failures, ${n} analysed`));
    const info1 = JSON.parse((await runCli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info1).toMatchObject({ failures: n, analysed: n, analysis_calls: n, cached: 0, judge_errors: 0 });
    expect(info1.categories).toBeGreaterThanOrEqual(8);
    expect(info1.unexplained).toBeGreaterThan(0); // labelled honestly, not guessed away
    expect(info1.unexplained).toBeLessThan(n);

    const dir = join(root, "releases/r1");
    const before = FILES.map((f) => readFileSync(join(dir, f)));
    const taxonomy = TaxonomySchema.parse(JSON.parse(before[1].toString()));
    const analyses = before[2]
      .toString()
      .trim()
      .split("\n")
      .map((l) => AnalysisSchema.parse(JSON.parse(l)));
    expect(analyses).toHaveLength(n);
    const leafIds = new Set(
      taxonomy.categories.filter((c) => !taxonomy.categories.some((k) => k.parent === c.id)).map((c) => c.id),
    );
    expect(analyses.every((a) => leafIds.has(a.category))).toBe(true);
    const agg = AggregatesSchema.parse(JSON.parse(before[3].toString()));
    expect(Object.keys(agg.datasets).sort()).toEqual(input.datasets);
    // The known bad references are listed as disputed items, to review; without reviews nothing
    // counts as noise from consensus: their failures stay the judge's, marked disputed.
    const disputed = Object.values(agg.datasets).flatMap((d) => d.suspect_items);
    for (const [d, ids] of Object.entries(input.disputed)) {
      expect(agg.datasets[d]!.suspect_items.map((s) => s.instance_id)).toEqual(expect.arrayContaining(ids));
      expect(agg.datasets[d]!.suspect_items.length).toBeGreaterThan(0);
    }
    expect(disputed.every((s) => s.review === null && s.reference_sha256 && s.failures! > 0)).toBe(true);
    const onDisputed = new Set(disputed.map((s) => `${s.dataset}|${s.instance_id}`));
    for (const a of analyses) expect(a.disputed === true, a.key).toBe(onDisputed.has(`${a.dataset}|${a.instance_id}`));
    expect(analyses.some((a) => a.category === REFERENCE_ERROR.id || a.judged_category !== undefined)).toBe(false);
    const facet = new Map(taxonomy.categories.map((c) => [c.id, c.facet]));
    const noise = analyses.filter((a) => facet.get(a.category) === "noise").length;
    expect(info1).toMatchObject({
      noise,
      disputed_items: disputed.length,
      reviewed: 0,
      agree: 0,
      disagree: 0,
      unsure: 0,
    });
    expect(agg.reviews?.overall).toEqual({
      n: 0,
      agree: 0,
      disagree: 0,
      unsure: 0,
      precision: null,
      ci_low: null,
      ci_high: null,
    });

    const again = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1", "--force"]);
    expect(again.code, again.stderr).toBe(0);
    const info2 = JSON.parse((await runCli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info2).toMatchObject({ analysis_calls: 0, cached: n });
    FILES.forEach((f, i) => {
      expect(readFileSync(join(dir, f)).equals(before[i]), f).toBe(true);
    });

    // Refused without --force.
    const refused = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists.*--force/);
  });

  it("samples deterministically from the seed", async () => {
    const a = await runCli([
      "run",
      "--data",
      root,
      "--snapshot",
      "s1",
      "--release",
      "sample-a",
      "--sample",
      "0.2",
      "--seed",
      "7",
    ]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli([
      "run",
      "--data",
      root,
      "--snapshot",
      "s1",
      "--release",
      "sample-b",
      "--sample",
      "0.2",
      "--seed",
      "7",
      "--previous",
      "r1",
    ]);
    expect(b.code, b.stderr).toBe(0);
    const analyses = (id: string) =>
      readFileSync(join(root, "releases", id, "analyses.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    const keys = (id: string) => analyses(id).map((a) => a.key);
    const ka = keys("sample-a");
    expect(ka).toEqual(keys("sample-b"));
    // Each (model, dataset) pair keeps ceil(0.2 × its failures).
    const perPair = new Map<string, number>();
    for (const a of analyses("r1"))
      perPair.set(`${a.model}|${a.dataset}`, (perPair.get(`${a.model}|${a.dataset}`) ?? 0) + 1);
    expect(ka.length).toBe([...perPair.values()].reduce((s, k) => s + Math.ceil(0.2 * k), 0));
    expect(ka.length).toBeLessThan(input.failures);
    const c = await runCli([
      "run",
      "--data",
      root,
      "--snapshot",
      "s1",
      "--release",
      "sample-c",
      "--sample",
      "0.2",
      "--seed",
      "8",
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(keys("sample-c")).not.toEqual(ka);
  });
});
