// The owner of releases/<id>/reviews.json (README "Data layout"): the people's reviews that apply
// to a release, copied into it from data/reviews/ (scripts/review/store.ts) when it is finalised,
// and hashed with it. Its path, reading it (validated, or as it is) and its bytes.
import { existsSync, readFileSync } from "node:fs";
import { stableJson } from "../jsonio.ts";
import { layout, RELEASE_FILE } from "../paths.ts";
import { ReleaseReviewsSchema, type ReleaseReviews } from "../schemas.ts";
import { parseJsonWith } from "./errors.ts";

export const releaseReviewsPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.reviews);

/** Whether release `id` has a reviews.json (releases made before reviews existed have none). */
export const hasReleaseReviews = (root: string, id: string) => existsSync(releaseReviewsPath(root, id));

/** Release `id`'s reviews, validated; null when it has no reviews.json. */
export function readReleaseReviews(root: string, id: string): ReleaseReviews | null {
  const path = releaseReviewsPath(root, id);
  if (!existsSync(path)) return null;
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => ReleaseReviewsSchema.parse(v));
}

/** Release `id`'s reviews.json as it is, not validated (for a reader that validates it itself); null when absent. */
export function readReleaseReviewsRaw(root: string, id: string): Record<string, unknown> | null {
  const path = releaseReviewsPath(root, id);
  if (!existsSync(path)) return null;
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => v as Record<string, unknown>);
}

/** The bytes of reviews.json: the reviews validated, key-sorted (the caller sorts the lists). */
export const releaseReviewsText = (reviews: ReleaseReviews): string => stableJson(ReleaseReviewsSchema.parse(reviews));
