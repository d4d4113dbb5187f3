// The finalise stage and the review store, in process, on the demo snapshot: which reviews apply
// (hashes), the dataset hook that keeps items from being disputed, the snapshot's failure
// predicate, and the store's own validation.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../scripts/demo.ts";
import { HEURISTIC_TAXONOMY } from "../../scripts/judges/heuristic/index.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { asJudged, finalise, reviewStats, type FinaliseInput } from "../../scripts/pipeline/finalise.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { loadReleaseAnalyses } from "../../scripts/pipeline/releases.ts";
import { failurePredicate } from "../../scripts/pipeline/select.ts";
import {
  analysisSha256,
  mergeReviews,
  readReviews,
  referenceSha256,
  writeReviews,
} from "../../scripts/review/store.ts";
import { loadRegistry } from "../../scripts/lib/registry.ts";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import type { Analysis, FailureReview, ItemReview, SnapshotManifest } from "../../src/lib/schemas.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";

const review = (over: Partial<FailureReview> & Pick<FailureReview, "key" | "analysis_sha256">): FailureReview => ({
  verdict: "agree",
  note: "",
  reviewer: "t",
  date: "2026-01-01",
  release: "r1",
  ...over,
});

describe("finalise", () => {
  let root: string;
  let base: FinaliseInput;
  let manifest: SnapshotManifest;
  beforeAll(async () => {
    root = tempRoot("errormap-finalise-");
    manifest = await writeDemo(root);
    await runPipeline({ root, snapshot: "demo", release: "r1" });
    base = {
      records: loadRecords(root, manifest),
      isFailure: failurePredicate(manifest),
      datasets: loadRegistry(root).datasets.filter((d) => d.id in manifest.datasets),
      taxonomy: HEURISTIC_TAXONOMY,
      analyses: loadReleaseAnalyses(root, "r1").map(asJudged),
      seed: 0,
      reviews: { items: [], failures: [] },
      bootstrap: 50,
    };
  });
  afterAll(() => removeRoot(root));

  it("a failure review applies while the analysis is the same, and not once what the judge said changed", () => {
    const a = base.analyses.find((x) => x.status === "ok")!;
    const r = review({ key: a.key, analysis_sha256: analysisSha256(a), verdict: "disagree" });
    const applied = finalise({ ...base, reviews: { items: [], failures: [r] } });
    expect(applied.counts).toMatchObject({ reviewed: 1, disagree: 1 });
    expect(applied.reviews.failures).toEqual([r]);
    expect(applied.aggregates.reviews!.categories[a.category]).toMatchObject({
      n: 1,
      disagree: 1,
      precision: 0,
      ci_low: 0,
    });
    const changed = base.analyses.map((x) => (x.key === a.key ? { ...x, title: `${x.title}!` } : x));
    const stale = finalise({ ...base, analyses: changed, reviews: { items: [], failures: [r] } });
    expect(stale.counts.reviewed).toBe(0);
    expect(stale.reviews.failures).toEqual([]);
  });

  it("the analysis hash covers what the judge said, not the marks finalise adds", () => {
    const a = base.analyses.find((x) => x.status === "ok")!;
    const h = analysisSha256(a);
    expect(analysisSha256({ ...a, disputed: true })).toBe(h);
    expect(analysisSha256({ ...a, category: REFERENCE_ERROR.id, judged_category: a.category })).toBe(h);
    for (const change of [
      { summary: "x" },
      { evidence: ["x"] },
      { category: "form.empty" },
      { prompt_version: "rules-0" },
      { record_sha256: "c".repeat(64) },
    ])
      expect(analysisSha256({ ...a, ...change } as Analysis), JSON.stringify(change)).not.toBe(h);
  });

  it("an item review applies only while the item's reference is unchanged", () => {
    const item: ItemReview = {
      dataset: "demo_arith",
      instance_id: "demo_arith/p08",
      reference_sha256: referenceSha256("35"),
      verdict: "reference-wrong",
      note: "",
      reviewer: "t",
      date: "2026-01-01",
    };
    const moved = finalise({ ...base, reviews: { items: [item], failures: [] } });
    expect(moved.analyses.filter((a) => a.category === REFERENCE_ERROR.id)).toHaveLength(5);
    const other = finalise({
      ...base,
      reviews: { items: [{ ...item, reference_sha256: referenceSha256("36") }], failures: [] },
    });
    expect(other.analyses.filter((a) => a.category === REFERENCE_ERROR.id)).toHaveLength(0);
    expect(other.counts.disputed_items).toBe(2);
    expect(other.reviews.items).toEqual([]);
  });

  it("asks the dataset hook which items are never disputed", () => {
    const seen: string[] = [];
    const f = finalise({
      ...base,
      neverDisputed: (first) => {
        seen.push(first.instance_id);
        return first.dataset === "demo_quiz";
      },
    });
    expect(f.aggregates.datasets.demo_quiz.suspect_items).toEqual([]);
    expect(f.aggregates.datasets.demo_arith.suspect_items.map((s) => s.instance_id)).toEqual(["demo_arith/p08"]);
    expect(f.analyses.filter((a) => a.disputed).map((a) => a.instance_id)).toEqual(Array(5).fill("demo_arith/p08"));
    expect(seen).toContain("demo_quiz/q03");
    expect(f.counts.disputed_items).toBe(1);
  });

  it("uses the snapshot's failure predicate (the dataset threshold), not score < 1", () => {
    // demo_instruct is graded 0-10 with threshold 6: consensus may not take a passing record for a failure.
    expect(manifest.datasets.demo_instruct.threshold).toBe(6);
    const calls: boolean[] = [];
    const isFailure = (r: Parameters<FinaliseInput["isFailure"]>[0]) => {
      const v = base.isFailure(r);
      calls.push(v);
      return v;
    };
    const f = finalise({ ...base, isFailure });
    expect(calls.length).toBeGreaterThan(base.records.length);
    expect(f.aggregates.datasets.demo_quiz.suspect_items.map((s) => s.failures)).toEqual([5]);
  });

  it("reviewStats: precision over decided reviews, Wilson interval, null when nothing was decided", () => {
    expect(reviewStats({ n: 3, agree: 0, disagree: 0, unsure: 3 })).toEqual({
      n: 3,
      agree: 0,
      disagree: 0,
      unsure: 3,
      precision: null,
      ci_low: null,
      ci_high: null,
    });
    expect(reviewStats({ n: 11, agree: 8, disagree: 2, unsure: 1 })).toEqual({
      n: 11,
      agree: 8,
      disagree: 2,
      unsure: 1,
      precision: 0.8,
      ci_low: 0.490162,
      ci_high: 0.943318,
    });
  });
});

describe("review store", () => {
  const root = tempRoot("errormap-reviews-store-");
  afterAll(() => removeRoot(root));
  const item: ItemReview = {
    dataset: "d",
    instance_id: "i1",
    reference_sha256: "a".repeat(64),
    verdict: "ambiguous",
    note: "n",
    reviewer: "r",
    date: "2026-01-02",
  };

  it("writes sorted files, reads them back, and a later review of the same thing replaces the earlier", () => {
    const f1 = review({ key: "d|m|i2", analysis_sha256: "b".repeat(64) });
    const f0 = review({ key: "d|m|i1", analysis_sha256: "c".repeat(64), verdict: "unsure" });
    writeReviews(root, { items: [{ ...item, instance_id: "i9" }, item], failures: [f1, f0] });
    const back = readReviews(root);
    expect(back.items.map((x) => x.instance_id)).toEqual(["i1", "i9"]);
    expect(back.failures.map((x) => x.key)).toEqual(["d|m|i1", "d|m|i2"]);
    const merged = mergeReviews(back, {
      items: [{ ...item, verdict: "reference-wrong" }],
      failures: [{ ...f1, verdict: "disagree" }],
    });
    expect(merged.items.find((x) => x.instance_id === "i1")!.verdict).toBe("reference-wrong");
    expect(merged.failures).toHaveLength(2);
    expect(merged.failures.find((x) => x.key === "d|m|i2")!.verdict).toBe("disagree");
  });

  it("names file, line and field of a bad line, and a repeated review", () => {
    const dir = join(root, "reviews");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "items.jsonl"),
      JSON.stringify(item) + "\n" + JSON.stringify({ ...item, instance_id: "i2", verdict: "nope" }) + "\n",
    );
    expect(() => readReviews(root)).toThrow(/items\.jsonl: line 2, field verdict: /);
    writeFileSync(join(dir, "items.jsonl"), JSON.stringify(item) + "\n" + JSON.stringify(item) + "\n");
    expect(() => readReviews(root)).toThrow(/items\.jsonl: line 2: reviews the same thing as line 1/);
    writeFileSync(join(dir, "items.jsonl"), JSON.stringify({ ...item, date: "yesterday" }) + "\n");
    expect(() => readReviews(root)).toThrow(/line 1, field date: must be a date YYYY-MM-DD/);
  });
});
