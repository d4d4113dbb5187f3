// Unit tests of what the site shows of disputed items and reviews (README "Reviews"), on the
// fixture data root: r1 is a release made before reviews (its pages keep their old wording), r2 one
// made with them (a disputed item to review, one reviewed right, one reviewed wrong, measured precision).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { loadSiteFromDisk } from "../../src/lib/site/fsdata.ts";
import type { Site } from "../../src/lib/site/model.ts";
import { categoryPage } from "../../src/lib/site/views/category.ts";
import { datasetPage } from "../../src/lib/site/views/dataset.ts";
import { releasePage } from "../../src/lib/site/views/release.ts";
import { NO_REVIEWS, hasReviews, lowPrecision, toExample } from "../../src/lib/site/views/shared.ts";
import { pageJson } from "../../src/lib/site/downloads.ts";
import { ITEM_VERDICTS, checkedByHand, precisionText, verdictCounts } from "../../src/lib/site/reviews.ts";
import { REVIEWER, REVIEW_DATE, REVIEW_NOTE_XSS, makeFixture } from "../fixtures/site/make-fixture.ts";

let dir: string;
let site: Site;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "site-reviews-"));
  makeFixture(join(dir, "root"));
  site = loadSiteFromDisk(join(dir, "root"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = (id: string) => site.releases.find((x) => x.id === id)!;
const REVIEW_KEYS = ["agree", "ci_high", "ci_low", "disagree", "n", "precision", "unsure"];

describe("a release made before reviews", () => {
  it("keeps its suspect items as they were, with no review figures on its pages", () => {
    const rel = r("r1");
    expect(hasReviews(rel)).toBe(false);
    const ds = datasetPage(rel, "quizbank")!;
    expect(ds.items_review).toBeUndefined();
    expect(ds.suspect_items.map((s) => s.instance_id)).toEqual(["q01"]);
    expect(Object.keys(ds.suspect_items[0]!).sort()).toEqual([
      "agreeing",
      "consensus",
      "instance_id",
      "models",
      "reference",
    ]);
    expect(JSON.parse(pageJson(ds))).not.toHaveProperty("items_review");
    expect(releasePage(rel).reviews).toBeUndefined();
    expect(JSON.parse(pageJson(releasePage(rel)))).not.toHaveProperty("reviews");
  });

  it("still gives every category page's data.json a review object, all zeros and nulls", () => {
    const page = categoryPage(r("r1"), "arithmetic-slip")!;
    expect(page.reviews_measured).toBe(false);
    expect(page.review).toEqual(NO_REVIEWS);
    expect(page.low_precision).toBe(false);
    const json = JSON.parse(pageJson(page));
    expect(Object.keys(json.review).sort()).toEqual(REVIEW_KEYS);
    expect(json.review).toEqual({
      n: 0,
      agree: 0,
      disagree: 0,
      unsure: 0,
      precision: null,
      ci_low: null,
      ci_high: null,
    });
    // no example of an old release carries a dispute mark
    for (const e of page.examples) expect(e).not.toHaveProperty("disputed");
  });
});

describe("dataset page of a release made with reviews", () => {
  it("lists the disputed item to review with its reference, the models' answer, who agrees and its failures", () => {
    const rel = r("r2");
    expect(hasReviews(rel)).toBe(true);
    const page = datasetPage(rel, "sumworld")!;
    const agg = rel.aggregates.datasets.sumworld.suspect_items;
    expect(agg).toHaveLength(1);
    expect(page.items_review).toMatchObject({ to_review: 1, reviewed: 0, reference_errors: { failures: 0, items: 0 } });
    const row = page.suspect_items[0]!;
    expect(row).toMatchObject({
      instance_id: agg[0]!.instance_id,
      reference: agg[0]!.reference,
      consensus: agg[0]!.consensus,
      review: null,
      failures: agg[0]!.failures,
      moved: 0,
    });
    expect(row.agreeing.map((a) => a.id)).toEqual(agg[0]!.agreeing);
    expect(row.agreeing.every((a) => a.name !== a.id)).toBe(true); // display names
    // data.json carries the item with its (absent) review
    const json = JSON.parse(pageJson(page));
    expect(json.suspect_items[0].review).toBeNull();
    // its failures stay model failures: none is noise, each is marked disputed
    const onItem = rel.analyses.filter((a) => a.dataset === "sumworld" && a.instance_id === row.instance_id);
    expect(onItem.length).toBe(row.failures);
    expect(onItem.every((a) => a.disputed === true && rel.byId.get(a.category)!.facet !== "noise")).toBe(true);
    expect(page.noise_failures.some((f) => f.instance_id === row.instance_id)).toBe(false);
  });

  it("lists reviewed items apart with verdict, note, reviewer and date, and counts the reference errors", () => {
    const rel = r("r2");
    const page = datasetPage(rel, "quizbank")!;
    const wrong = page.suspect_items.find((s) => s.instance_id === "q01")!;
    const right = page.suspect_items.find((s) => s.instance_id !== "q01")!;
    expect(wrong.review).toEqual({
      verdict: "reference-wrong",
      note: expect.any(String),
      reviewer: REVIEWER,
      date: REVIEW_DATE,
    });
    expect(right.review).toMatchObject({ verdict: "reference-right", note: REVIEW_NOTE_XSS });
    const moved = rel.analyses.filter((a) => a.category === REFERENCE_ERROR.id && a.dataset === "quizbank");
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((a) => a.instance_id === "q01" && a.judged_category === "c-misread")).toBe(true);
    expect(wrong.moved).toBe(moved.length);
    expect(right.moved).toBe(0);
    expect(page.items_review).toEqual({
      to_review: 0,
      reviewed: 2,
      reference_errors: { failures: moved.length, items: 1 },
      category: expect.objectContaining({
        id: REFERENCE_ERROR.id,
        path: "/releases/r2/categories/reference-error-reviewed/",
      }),
    });
    // noise is the reviewed reference errors here; the reviewed-right item's failures are not noise
    expect(page.noise_failures.map((f) => f.key).sort()).toEqual(moved.map((a) => a.key).sort());
    expect(page.noise_failures.every((f) => f.judged_category === "c-misread")).toBe(true);
  });
});

describe("category page of a release made with reviews", () => {
  it("shows the measured precision from the aggregates and flags a category below 80%", () => {
    const rel = r("r2");
    const arith = categoryPage(rel, "arithmetic-slip")!;
    expect(arith.reviews_measured).toBe(true);
    expect(arith.review).toEqual(rel.aggregates.reviews!.categories["c-arith"]);
    expect(arith.review).toMatchObject({ n: 5, agree: 2, disagree: 3, unsure: 0, precision: 0.4 });
    expect(arith.low_precision).toBe(true);
    const misread = categoryPage(rel, "question-misreading")!;
    expect(misread.review).toMatchObject({ n: 4, agree: 4, precision: 1 });
    expect(misread.low_precision).toBe(false);
    // a parent sums its leaves, and is flagged on its own figure
    const reasoning = categoryPage(rel, "reasoning")!;
    expect(reasoning.review).toMatchObject({ n: 9, agree: 6, disagree: 3 });
    expect(reasoning.low_precision).toBe(true);
    // unreviewed: zeros and nulls, never flagged
    const refusal = categoryPage(rel, "refusal")!;
    expect(refusal.review).toEqual(NO_REVIEWS);
    expect(refusal.low_precision).toBe(false);
    expect(Object.keys(JSON.parse(pageJson(arith)).review).sort()).toEqual(REVIEW_KEYS);
  });

  it("marks failures on disputed items, and shows the item's review on failures moved to Reference error", () => {
    const rel = r("r2");
    const disputed = rel.analyses.filter((a) => a.disputed);
    expect(disputed.length).toBeGreaterThan(1);
    for (const a of disputed) {
      const ex = toExample(rel, a);
      expect(ex.disputed).toBe(true);
      expect(ex.item_review).toBeUndefined();
      const page = categoryPage(rel, rel.byId.get(a.category)!.slug)!;
      expect(page.failures.find((f) => f.key === a.key)?.disputed).toBe(true);
    }
    const ref = categoryPage(rel, "reference-error-reviewed")!;
    expect(ref.examples.length).toBeGreaterThan(0);
    for (const ex of ref.examples) {
      expect(ex).not.toHaveProperty("disputed");
      expect(ex.judged_category).toMatchObject({
        id: "c-misread",
        name: "Question misreading",
        path: "/releases/r2/categories/question-misreading/",
      });
      expect(ex.item_review).toMatchObject({ verdict: "reference-wrong", reviewer: REVIEWER, date: REVIEW_DATE });
    }
    // failures neither disputed nor moved carry neither mark
    const plain = categoryPage(rel, "no-final-answer")!.examples.filter((e) => !disputed.some((a) => a.key === e.key));
    for (const ex of plain)
      expect(Object.keys(ex).filter((k) => ["disputed", "judged_category", "item_review"].includes(k))).toEqual([]);
  });
});

describe("release page of a release made with reviews", () => {
  it("gives the judge's overall measured precision and the disputed and reviewed items", () => {
    const rel = r("r2");
    const page = releasePage(rel);
    expect(page.reviews).toBeDefined();
    const rv = page.reviews!;
    expect(rv.overall).toEqual(rel.aggregates.reviews!.overall);
    expect(rv.overall).toMatchObject({ n: 10, agree: 6, disagree: 3, unsure: 1 });
    expect(rv.disputed_items).toBe(1);
    expect(rv.disputed_items).toBe(rel.release.counts.disputed_items);
    expect(rv.reviewed_items).toBe(2);
    expect(rv.reference_wrong_items).toBe(1);
    expect(rv.noise).toBe(rel.release.counts.noise);
    expect(rv.low_precision.map((c) => c.id).sort()).toEqual(["c-arith", "c-reasoning"]);
  });
});

describe("wording", () => {
  const stats = (agree: number, disagree: number, unsure: number, ci: [number, number] | null) => ({
    n: agree + disagree + unsure,
    agree,
    disagree,
    unsure,
    precision: agree + disagree ? agree / (agree + disagree) : null,
    ci_low: ci?.[0] ?? null,
    ci_high: ci?.[1] ?? null,
  });

  it("says the precision with its interval and n, or that nothing was checked", () => {
    expect(checkedByHand(stats(17, 3, 1, [0.639676, 0.947637]))).toBe(
      "Checked by hand: 21 failures, precision 85.0% (95% interval 64.0–94.8%)",
    );
    expect(checkedByHand(NO_REVIEWS)).toBe("Not yet checked by hand");
    expect(checkedByHand(stats(0, 0, 2, null))).toBe(
      "Checked by hand: 2 failures, all marked unsure: no precision yet",
    );
    expect(checkedByHand(stats(0, 0, 1, null))).toBe("Checked by hand: 1 failure, marked unsure: no precision yet");
    expect(checkedByHand(stats(1, 0, 0, [0.206543, 1]))).toBe(
      "Checked by hand: 1 failure, precision 100.0% (95% interval 20.7–100.0%)",
    );
    expect(precisionText(NO_REVIEWS)).toBe("no precision yet");
    expect(verdictCounts(stats(2, 3, 1, [0, 1]))).toBe("2 agree, 3 disagree, 1 unsure");
    expect(ITEM_VERDICTS["reference-wrong"]).toBe("Reference wrong");
  });

  it("flags only a measured precision below 0.8", () => {
    expect(lowPrecision(stats(79, 21, 0, [0.7, 0.86]))).toBe(true);
    expect(lowPrecision(stats(4, 1, 0, [0.38, 0.96]))).toBe(false); // exactly 0.8
    expect(lowPrecision(NO_REVIEWS)).toBe(false);
    expect(lowPrecision(stats(0, 0, 3, null))).toBe(false);
  });
});
