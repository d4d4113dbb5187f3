// The whole pipeline over all of ../shared/evaldata with the heuristic judge, through the real CLI.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AggregatesSchema, AnalysisSchema, TaxonomySchema } from "../../src/lib/schemas.ts";
import { HELM_DIR, JSONL_DIR, hasEvaldata } from "../helpers/evaldata.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

const FILES = ["release.json", "taxonomy.json", "analyses.jsonl", "aggregates.json"];

describe.skipIf(!hasEvaldata)("errormap run (heuristic) on all of the shared data", () => {
  let root: string;
  beforeAll(async () => {
    root = tempRoot("errormap-heuristic-");
    const jsonl = ["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((f) => join(JSONL_DIR, `${f}.jsonl`));
    const r = await runCli(["import", "--data", root, "--snapshot", "s1", ...jsonl, HELM_DIR]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => removeRoot(root));

  it("analyses every failure, writes valid files, and a re-run is cached and byte-identical", async () => {
    const first = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/release r1: 6367 failures, 6367 analysed/);
    const info1 = JSON.parse((await runCli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info1).toMatchObject({ failures: 6367, analysed: 6367, analysis_calls: 6367, cached: 0, judge_errors: 0 });
    expect(info1.categories).toBeGreaterThanOrEqual(8);
    expect(info1.unexplained).toBeGreaterThan(0); // labelled honestly, not guessed away
    expect(info1.unexplained).toBeLessThan(6367);

    const dir = join(root, "releases/r1");
    const before = FILES.map((f) => readFileSync(join(dir, f)));
    const taxonomy = TaxonomySchema.parse(JSON.parse(before[1].toString()));
    const analyses = before[2].toString().trim().split("\n").map((l) => AnalysisSchema.parse(JSON.parse(l)));
    expect(analyses).toHaveLength(6367);
    const leafIds = new Set(taxonomy.categories.filter((c) => !taxonomy.categories.some((k) => k.parent === c.id)).map((c) => c.id));
    expect(analyses.every((a) => leafIds.has(a.category))).toBe(true);
    const agg = AggregatesSchema.parse(JSON.parse(before[3].toString()));
    expect(Object.keys(agg.datasets).sort()).toEqual(["alpaca_eval", "bbq", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"]);
    // The two known bad references of DESIGN.md are listed as suspect items.
    expect(agg.datasets.gsm8k.suspect_items.length).toBeGreaterThan(0);
    expect(agg.datasets.mmlu_pro.suspect_items.length).toBeGreaterThan(0);
    expect(agg.datasets.gsm8k.noise_share).toBeGreaterThan(0);

    const again = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1", "--force"]);
    expect(again.code, again.stderr).toBe(0);
    const info2 = JSON.parse((await runCli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info2).toMatchObject({ analysis_calls: 0, cached: 6367 });
    FILES.forEach((f, i) => expect(readFileSync(join(dir, f)).equals(before[i]), f).toBe(true));

    // Refused without --force.
    const refused = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists.*--force/);
  });

  it("samples deterministically from the seed", async () => {
    const a = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "sample-a", "--sample", "0.2", "--seed", "7"]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "sample-b", "--sample", "0.2", "--seed", "7", "--previous", "r1"]);
    expect(b.code, b.stderr).toBe(0);
    const keys = (id: string) => readFileSync(join(root, "releases", id, "analyses.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).key);
    const ka = keys("sample-a");
    expect(ka).toEqual(keys("sample-b"));
    expect(ka.length).toBeGreaterThan(6367 * 0.2 - 60);
    expect(ka.length).toBeLessThan(6367 * 0.2 + 60);
    const c = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "sample-c", "--sample", "0.2", "--seed", "8"]);
    expect(c.code, c.stderr).toBe(0);
    expect(keys("sample-c")).not.toEqual(ka);
  });
});
