// The review kit end to end on the demo data, through the real CLI: disputed items and failure
// sheets drawn, filled as a person would, imported, and what a release then says (analyses,
// aggregates, reviews.json, info --json); re-runs and later releases keep the reviews.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEURISTIC_TAXONOMY } from "../../scripts/judges/heuristic/index.ts";
import { analysisSha256, referenceSha256 } from "../../scripts/review/store.ts";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { FailureReviewSchema, ItemReviewSchema } from "../../src/lib/schemas.ts";
import { wilsonInterval } from "../../scripts/lib/stats.ts";
import { removeRoot } from "../import/helpers.ts";
import { cli, demoRoot, readSheetRows, releaseFiles, reviewImport, reviewSample, writeSheetRows } from "./helpers.ts";

const ITEM_COLUMNS =
  "dataset,instance_id,input,reference,consensus,agreeing,models,failures,reference_sha256,verdict,note".split(",");
const FAILURE_COLUMNS =
  "key,dataset,model,instance_id,category,category_name,judge,rule,title,summary,evidence,input,output,reference,analysis_sha256,verdict,note".split(
    ",",
  );
// The demo's planted wrong references (scripts/demo/: every model answers 40 where the key says 35,
// and Mercury where it says Venus).
const WRONG_KEY = "demo_arith/p08";
const OTHER = "demo_quiz/q03";

const info = async (root: string, release: string) =>
  JSON.parse((await cli(["info", "--data", root, "--release", release, "--json"])).stdout);

describe("review kit on the demo data", () => {
  let root: string;
  beforeAll(async () => {
    root = await demoRoot("errormap-review-");
  });
  afterAll(() => removeRoot(root));

  it("without reviews: two disputed items to review, their failures marked and left in the judge's categories", async () => {
    const { analyses, aggregates, release } = releaseFiles(root, "r1");
    const items = Object.values(aggregates.datasets).flatMap((d) => d.suspect_items);
    expect(items.map((s) => s.instance_id)).toEqual([WRONG_KEY, OTHER]);
    for (const s of items) expect(s).toMatchObject({ review: null, failures: 5, models: 5 });
    const onItems = analyses.filter((a) => a.instance_id === WRONG_KEY || a.instance_id === OTHER);
    expect(onItems).toHaveLength(10);
    expect(
      onItems.every((a) => a.disputed === true && a.category !== REFERENCE_ERROR.id && a.judged_category === undefined),
    ).toBe(true);
    expect(analyses.filter((a) => a.disputed)).toHaveLength(10);
    const i = await info(root, "r1");
    expect(i).toMatchObject({ disputed_items: 2, reviewed: 0, agree: 0, disagree: 0, unsure: 0 });
    expect(i.noise).toBe(release.counts.noise);
    // Nothing is noise from consensus alone.
    const facet = new Map(HEURISTIC_TAXONOMY.categories.map((c) => [c.id, c.facet]));
    expect(onItems.filter((a) => facet.get(a.category) === "noise")).toEqual([]);

    const out = join(root, "disputed.csv");
    await cli(["review", "disputed", "--data", root, "--release", "r1", "--out", out]);
    const sheet = readSheetRows(out);
    expect(sheet.columns).toEqual(ITEM_COLUMNS);
    expect(sheet.rows.map((r) => r.instance_id)).toEqual([WRONG_KEY, OTHER]);
    expect(sheet.rows[0]).toMatchObject({
      dataset: "demo_arith",
      reference: "35",
      consensus: "40",
      models: "5",
      failures: "5",
      verdict: "",
      note: "",
    });
    expect(sheet.rows[0]!.agreeing.split(" | ")).toHaveLength(5);
    expect(sheet.rows[0]!.reference_sha256).toBe(referenceSha256("35"));
    expect(sheet.rows[0]!.input).toMatch(/garden/);
  });

  it("an item review 'reference-wrong' moves exactly that item's consensus failures; 'reference-right' clears the other", async () => {
    const before = releaseFiles(root, "r1");
    const out = join(root, "disputed.csv");
    await cli(["review", "disputed", "--data", root, "--release", "r1", "--out", out]);
    const sheet = readSheetRows(out);
    sheet.rows[0]!.verdict = "reference-wrong";
    sheet.rows[0]!.note = "15 + 5, doubled, is 40";
    sheet.rows[1]!.verdict = "reference-right";
    sheet.rows[1]!.note = "checked";
    const filled = join(root, "disputed-filled.csv");
    writeSheetRows(filled, sheet.columns, sheet.rows);
    const r = await cli(["review", "import", "--data", root, "--release", "r1", "--date", "2026-11-20", filled], {
      ERRORMAP_REVIEWER: "Ada",
    });
    expect(r.stderr).toMatch(/imported 2 item reviews \(0 rows without a verdict skipped\)/);

    const after = releaseFiles(root, "r1");
    const moved = after.analyses.filter((a) => a.category === REFERENCE_ERROR.id);
    expect(moved.map((a) => a.instance_id)).toEqual(Array(5).fill(WRONG_KEY));
    for (const a of moved) {
      const was = before.byKey.get(a.key)!;
      // The judge's leaf is kept, and what it said (title, summary, evidence) is unchanged.
      expect(a).toEqual({ ...was, disputed: undefined, category: REFERENCE_ERROR.id, judged_category: was.category });
      expect(analysisSha256(a)).toBe(analysisSha256(was));
    }
    // Everything else is as the judge left it; the dispute on the other item is cleared.
    for (const a of after.analyses.filter((x) => x.instance_id !== WRONG_KEY)) {
      const was = before.byKey.get(a.key)!;
      expect(a).toEqual(a.instance_id === OTHER ? { ...was, disputed: undefined } : was);
    }
    const items = Object.values(after.aggregates.datasets).flatMap((d) => d.suspect_items);
    expect(items.map((s) => [s.instance_id, s.review])).toEqual([
      [WRONG_KEY, { verdict: "reference-wrong", note: "15 + 5, doubled, is 40", reviewer: "Ada", date: "2026-11-20" }],
      [OTHER, { verdict: "reference-right", note: "checked", reviewer: "Ada", date: "2026-11-20" }],
    ]);
    expect(after.aggregates.datasets.demo_arith.noise_share).toBeGreaterThan(0);
    expect(after.aggregates.datasets.demo_quiz.noise_share).toBe(before.aggregates.datasets.demo_quiz.noise_share);
    const i = await info(root, "r1");
    expect(i).toMatchObject({ disputed_items: 0, noise: before.release.counts.noise! + 5 });

    // Stored in the data root (who and when), copied into the release and hashed with it.
    const stored = readFileSync(join(root, "reviews", "items.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => ItemReviewSchema.parse(JSON.parse(l)));
    expect(stored.map((s) => [s.instance_id, s.verdict, s.reviewer, s.date, s.reference_sha256])).toEqual([
      [WRONG_KEY, "reference-wrong", "Ada", "2026-11-20", referenceSha256("35")],
      [OTHER, "reference-right", "Ada", "2026-11-20", items[1]!.reference_sha256],
    ]);
    expect(after.reviews.items).toEqual(stored);
    expect(after.release.files["reviews.json"]).toBeDefined();
    expect((await cli(["doctor", "--data", root])).code).toBe(0);

    // The sheet drawn now shows the verdicts.
    const again = join(root, "disputed-again.csv");
    await cli(["review", "disputed", "--data", root, "--release", "r1", "--out", again]);
    expect(readSheetRows(again).rows.map((r) => r.verdict)).toEqual(["reference-wrong", "reference-right"]);
  });

  it("a re-run and a later release keep the item reviews (carry forward), byte for byte", async () => {
    const dir = join(root, "releases", "r1");
    const files = ["analyses.jsonl", "aggregates.json", "reviews.json", "release.json"].map((f) =>
      readFileSync(join(dir, f), "utf8"),
    );
    await cli(["run", "--data", root, "--snapshot", "demo", "--release", "r1", "--force"]);
    expect(
      ["analyses.jsonl", "aggregates.json", "reviews.json", "release.json"].map((f) =>
        readFileSync(join(dir, f), "utf8"),
      ),
    ).toEqual(files);
    await cli(["run", "--data", root, "--snapshot", "demo", "--release", "r2", "--previous", "r1"]);
    const r2 = releaseFiles(root, "r2");
    expect(r2.analyses.filter((a) => a.category === REFERENCE_ERROR.id).map((a) => a.instance_id)).toEqual(
      Array(5).fill(WRONG_KEY),
    );
    expect(r2.analyses.some((a) => a.disputed)).toBe(false);
    expect(readFileSync(join(root, "releases", "r2", "analyses.jsonl"), "utf8")).toBe(files[0]);
  });

  it("failure reviews: a stratified seeded sample, filled, imported; precision per category with its Wilson interval", async () => {
    const out = join(root, "sample.csv");
    await reviewSample(root, out, 3, 1);
    const sheet = readSheetRows(out);
    expect(sheet.columns).toEqual(FAILURE_COLUMNS);
    const { analyses, byKey } = releaseFiles(root, "r1");
    // N per leaf category of the judge (all when fewer), every category with failures drawn from.
    const judged = (a: (typeof analyses)[number]) => a.judged_category ?? a.category;
    const perLeaf = new Map<string, number>();
    for (const a of analyses) perLeaf.set(judged(a), (perLeaf.get(judged(a)) ?? 0) + 1);
    const drawn = new Map<string, number>();
    for (const r of sheet.rows) drawn.set(r.category!, (drawn.get(r.category!) ?? 0) + 1);
    expect([...drawn.keys()].sort()).toEqual([...perLeaf.keys()].sort());
    for (const [c, n] of perLeaf) expect(drawn.get(c), c).toBe(Math.min(3, n));
    for (const r of sheet.rows) {
      const a = byKey.get(r.key!)!;
      expect(r).toMatchObject({
        dataset: a.dataset,
        model: a.model,
        instance_id: a.instance_id,
        title: a.title,
        summary: a.summary,
        verdict: "",
        note: "",
      });
      expect(r.evidence).toBe(a.evidence.join(" | "));
      expect(r.analysis_sha256).toBe(analysisSha256(a));
      expect(r.output.length + r.input.length).toBeGreaterThan(0);
    }
    // Seeded: the same seed draws the same sheet, another seed another one.
    const same = join(root, "sample-same.csv");
    const other = join(root, "sample-other.csv");
    await reviewSample(root, same, 3, 1);
    await reviewSample(root, other, 3, 2);
    expect(readFileSync(same, "utf8")).toBe(readFileSync(out, "utf8"));
    expect(readFileSync(other, "utf8")).not.toBe(readFileSync(out, "utf8"));

    // A person fills the first rows: agree, agree, disagree, unsure, ...; the rest stay empty (skipped).
    const verdicts = ["agree", "agree", "disagree", "unsure", "agree", "disagree", "agree", "agree"];
    sheet.rows.forEach((r, i) => {
      r.verdict = verdicts[i] ?? "";
      r.note = verdicts[i] ? `note ${i}` : "";
    });
    const filled = join(root, "sample-filled.csv");
    writeSheetRows(filled, sheet.columns, sheet.rows);
    const r = await reviewImport(root, filled, "Grace", "2026-11-21");
    expect(r.stderr).toMatch(
      new RegExp(`imported 8 failure reviews \\(${sheet.rows.length - 8} rows without a verdict skipped\\)`),
    );

    const i = await info(root, "r1");
    expect(i).toMatchObject({ reviewed: 8, agree: 5, disagree: 2, unsure: 1 });
    const human = (await cli(["info", "--data", root, "--release", "r1"])).stdout;
    expect(human).toMatch(/reviewed\s+8/);
    expect(human).toMatch(/disputed_items\s+0/);
    const after = releaseFiles(root, "r1");
    const overall = after.aggregates.reviews!.overall;
    const [lo, hi] = wilsonInterval(5, 7)!;
    expect(overall).toEqual({
      n: 8,
      agree: 5,
      disagree: 2,
      unsure: 1,
      precision: Math.round((5 / 7) * 1e6) / 1e6,
      ci_low: Math.round(lo * 1e6) / 1e6,
      ci_high: Math.round(hi * 1e6) / 1e6,
    });
    // Per category: the judge's own leaf, parents summing their leaves.
    const filledRows = sheet.rows.slice(0, 8);
    for (const [cat, stats] of Object.entries(after.aggregates.reviews!.categories)) {
      const mine = filledRows.filter((x) => x.category === cat || x.category!.startsWith(`${cat}.`));
      expect(stats.n, cat).toBe(mine.length);
      expect(stats.agree, cat).toBe(mine.filter((x) => x.verdict === "agree").length);
      const decided = stats.agree + stats.disagree;
      expect(stats.precision, cat).toBe(decided ? Math.round((stats.agree / decided) * 1e6) / 1e6 : null);
      if (!decided) expect([stats.ci_low, stats.ci_high]).toEqual([null, null]);
    }
    const stored = readFileSync(join(root, "reviews", "failures.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => FailureReviewSchema.parse(JSON.parse(l)));
    expect(stored).toHaveLength(8);
    expect(stored.every((s) => s.reviewer === "Grace" && s.date === "2026-11-21" && s.release === "r1")).toBe(true);
    expect(stored.map((s) => s.key)).toEqual([...stored.map((s) => s.key)].sort());
    expect(after.reviews.failures).toEqual(stored);

    // A later review of the same failure replaces the earlier one.
    const once = sheet.rows.slice(0, 1).map((x) => ({ ...x, verdict: "disagree", note: "second look" }));
    writeSheetRows(join(root, "one.csv"), sheet.columns, once);
    await reviewImport(root, join(root, "one.csv"), "Grace", "2026-11-22");
    expect(await info(root, "r1")).toMatchObject({ reviewed: 8, agree: 4, disagree: 3, unsure: 1 });
  });

  it("failure reviews carry forward to a later release whose analyses are identical", async () => {
    await cli(["run", "--data", root, "--snapshot", "demo", "--release", "r3", "--previous", "r1"]);
    expect(await info(root, "r3")).toMatchObject({ reviewed: 8, agree: 4, disagree: 3, unsure: 1 });
    const r3 = releaseFiles(root, "r3");
    expect(r3.reviews).toEqual(releaseFiles(root, "r1").reviews);
    expect(r3.aggregates.reviews).toEqual(releaseFiles(root, "r1").aggregates.reviews);
  });
});
