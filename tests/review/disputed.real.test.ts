// Disputed references on all of ../shared/evaldata (the real-data layer, README "Set-up"): without reviews nothing is
// noise from consensus; a review marking the two GSM8K items whose key is wrong (14 + 4 = 18, and
// 750 + 430 + 700 + 300 = 2180) moves exactly the consensus failures on them, and nothing else.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neverDisputed } from "../../scripts/judges/heuristic/datasets/index.ts";
import { loadManifest, loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { HELM_DIR, JSONL_DIR } from "../helpers/evaldata.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";
import { cli, readSheetRows, releaseFiles, reviewImport, writeSheetRows } from "./helpers.ts";

// The snapshot's instance ids carry the source's dataset prefix.
const WRONG = ["gsm8k/gsm8k-main-test-#1309", "gsm8k/gsm8k-main-test-#823"];

// The same on the generated demo data is tests/review/roundtrip.test.ts.
describe("disputed references on the shared data", () => {
  let root: string;
  beforeAll(async () => {
    root = tempRoot("errormap-review-real-");
    const jsonl = ["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((f) =>
      join(JSONL_DIR, `${f}.jsonl`),
    );
    await cli(["import", "--data", root, "--snapshot", "s1", ...jsonl, HELM_DIR]);
    await cli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
  });
  afterAll(() => removeRoot(root));

  it("without reviews, no failure is noise from consensus; info --json reports noise and disputed items", async () => {
    const { analyses, aggregates } = releaseFiles(root, "r1");
    const taxonomy = JSON.parse(readFileSync(join(root, "releases/r1/taxonomy.json"), "utf8")) as {
      categories: { id: string; facet: string }[];
    };
    const facet = new Map(taxonomy.categories.map((c) => [c.id, c.facet]));
    const disputed = Object.values(aggregates.datasets).flatMap((d) => d.suspect_items);
    expect(disputed.length).toBeGreaterThan(5);
    expect(disputed.map((s) => s.instance_id)).toEqual(expect.arrayContaining(WRONG));
    const onDisputed = new Set(disputed.map((s) => `${s.dataset}|${s.instance_id}`));
    const marked = analyses.filter((a) => a.disputed);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((a) => onDisputed.has(`${a.dataset}|${a.instance_id}`))).toBe(true);
    // Noise is only what a rule established about the failure itself (an equivalent answer scored wrong).
    expect(analyses.some((a) => a.category === REFERENCE_ERROR.id)).toBe(false);
    const noise = analyses.filter((a) => a.status === "ok" && facet.get(a.category) === "noise");
    expect(noise.every((a) => a.rule !== null && a.rule !== "suspect-reference")).toBe(true);
    const info = JSON.parse((await cli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info).toMatchObject({ noise: noise.length, disputed_items: disputed.length, reviewed: 0 });
    // Items the dataset plug-ins exclude (BBQ's ambiguous contexts: "cannot be determined" is right by
    // design) are never disputed.
    const records = loadRecords(root, loadManifest(root, "s1"));
    const first = new Map<string, (typeof records)[number]>();
    for (const r of records)
      if (!first.has(`${r.dataset}|${r.instance_id}`) || first.get(`${r.dataset}|${r.instance_id}`)!.model > r.model)
        first.set(`${r.dataset}|${r.instance_id}`, r);
    expect(disputed.filter((s) => neverDisputed(first.get(`${s.dataset}|${s.instance_id}`)!))).toEqual([]);
  });

  it("a review marking #823 and #1309 reference-wrong moves exactly the consensus failures on those two items", async () => {
    const before = releaseFiles(root, "r1");
    const sheet = join(root, "disputed.csv");
    await cli(["review", "disputed", "--data", root, "--release", "r1", "--out", sheet]);
    const { columns, rows } = readSheetRows(sheet);
    const mine = rows
      .filter((r) => WRONG.includes(r.instance_id!))
      .map((r) => ({ ...r, verdict: "reference-wrong", note: "the key's arithmetic is wrong" }));
    expect(mine).toHaveLength(2);
    writeSheetRows(join(root, "filled.csv"), columns, mine);
    await reviewImport(root, join(root, "filled.csv"), "tester", "2026-11-30");

    const after = releaseFiles(root, "r1");
    const consensus = new Map(
      before.aggregates.datasets.gsm8k.suspect_items
        .filter((s) => WRONG.includes(s.instance_id))
        .map((s) => [s.instance_id, s.consensus]),
    );
    expect(consensus.get("gsm8k/gsm8k-main-test-#823")).toBe("18");
    const moved = after.analyses.filter((a) => a.category === REFERENCE_ERROR.id);
    expect(moved.length).toBeGreaterThan(10);
    expect(new Set(moved.map((a) => a.instance_id))).toEqual(new Set(WRONG));
    for (const a of after.analyses) {
      const was = before.byKey.get(a.key)!;
      if (a.category === REFERENCE_ERROR.id)
        expect(a).toEqual({ ...was, disputed: undefined, category: REFERENCE_ERROR.id, judged_category: was.category });
      else if (WRONG.includes(a.instance_id))
        expect(a).toEqual({ ...was, disputed: undefined }); // on the item, another answer: stays
      else expect(a).toEqual(was);
    }
    // Every model giving the consensus answer on #823 moved (all 10 answer 18).
    expect(moved.filter((a) => a.instance_id === "gsm8k/gsm8k-main-test-#823")).toHaveLength(10);
    expect(after.aggregates.datasets.gsm8k.noise_share).toBeGreaterThan(before.aggregates.datasets.gsm8k.noise_share);
    const info = JSON.parse((await cli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info).toMatchObject({
      noise: before.release.counts.noise! + moved.length,
      disputed_items: before.release.counts.disputed_items! - 2,
    });
  });
});
