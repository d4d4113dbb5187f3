// The reviews of a data root (README "Data layout"): data/reviews/items.jsonl (people's verdicts on
// disputed items' references) and data/reviews/failures.jsonl (on the judge's analyses). This module
// is the only one that reads or writes them: every line validated (errors name file, line and
// field, src/lib/data/errors.ts), files kept sorted and written atomically. The reviews that apply
// to a release are copied into it as reviews.json, whose owner is src/lib/data/release-reviews.ts.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { sha256, stableJsonLine, writeFileAtomic } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import {
  FailureReviewSchema,
  ItemReviewSchema,
  type Analysis,
  type FailureReview,
  type ItemReview,
  type ReleaseReviews,
} from "../../src/lib/schemas.ts";
import type { z } from "zod";
import { parseJsonWith, problemAt } from "../../src/lib/data/errors.ts";

export type Reviews = ReleaseReviews;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Which item a review is about. */
export const itemId = (r: { dataset: string; instance_id: string }) => `${r.dataset}|${r.instance_id}`;

/** What a failure review is about: one analysis of one record. */
const failureId = (r: { key: string; analysis_sha256: string }) => `${r.key}|${r.analysis_sha256}`;

/**
 * The hash a failure review is tied to: what the judge said about which record content. It does
 * not depend on the release, so a review carries forward to every release whose analysis of the
 * record is the same; the judge's own leaf (judged_category, when a review moved the failure) is
 * hashed, so moving a failure does not unsettle reviews of it.
 */
export function analysisSha256(a: Analysis): string {
  return sha256(
    stableJsonLine([
      a.judge,
      a.judge_model,
      a.prompt_version,
      a.record_sha256 ?? null,
      a.judged_category ?? a.category,
      a.title,
      a.summary,
      a.evidence,
    ]),
  );
}

/** The hash an item review is tied to: the item's reference text as the snapshot holds it. */
export function referenceSha256(reference: string): string {
  return sha256(reference);
}

export const sortItemReviews = (xs: ItemReview[]) =>
  [...xs].sort((a, b) => cmp(a.dataset, b.dataset) || cmp(a.instance_id, b.instance_id));
export const sortFailureReviews = (xs: FailureReview[]) =>
  [...xs].sort((a, b) => cmp(a.key, b.key) || cmp(a.analysis_sha256, b.analysis_sha256));

function readLines<T>(path: string, schema: z.ZodType<T>, id: (v: T) => string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  const seen = new Map<string, number>();
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      const v = parseJsonWith(line, path, i + 1, (x) => schema.parse(x));
      const k = id(v);
      if (seen.has(k)) throw new Error(problemAt(path, i + 1, null, `reviews the same thing as line ${seen.get(k)}`));
      seen.set(k, i + 1);
      out.push(v);
    });
  return out;
}

/** Every review of the data root (none when the files do not exist yet). */
export function readReviews(root: string): Reviews {
  const L = layout(root);
  return {
    items: sortItemReviews(readLines(L.itemReviewsFile, ItemReviewSchema, itemId)),
    failures: sortFailureReviews(readLines(L.failureReviewsFile, FailureReviewSchema, failureId)),
  };
}

/** The reviews with `added` in: a later review of the same item (or the same analysis) replaces the earlier one. */
export function mergeReviews(base: Reviews, added: Partial<Reviews>): Reviews {
  const items = new Map(base.items.map((r) => [itemId(r), r]));
  for (const r of added.items ?? []) items.set(itemId(r), r);
  const failures = new Map(base.failures.map((r) => [failureId(r), r]));
  for (const r of added.failures ?? []) failures.set(failureId(r), r);
  return { items: sortItemReviews([...items.values()]), failures: sortFailureReviews([...failures.values()]) };
}

const jsonl = (xs: unknown[]) => xs.map((x) => stableJsonLine(x) + "\n").join("");

/** The two files' texts, validated and sorted. */
export function reviewTexts(reviews: Reviews): { items: string; failures: string } {
  const items = sortItemReviews(reviews.items.map((r) => ItemReviewSchema.parse(r)));
  const failures = sortFailureReviews(reviews.failures.map((r) => FailureReviewSchema.parse(r)));
  return { items: jsonl(items), failures: jsonl(failures) };
}

/** Writes both files (each atomically: a temporary file renamed into place). */
export function writeReviews(root: string, reviews: Reviews): void {
  const L = layout(root);
  const t = reviewTexts(reviews);
  mkdirSync(L.reviews, { recursive: true });
  writeFileAtomic(L.itemReviewsFile, t.items);
  writeFileAtomic(L.failureReviewsFile, t.failures);
}
