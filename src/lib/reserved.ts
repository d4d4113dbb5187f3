// Categories the pipeline reserves, whatever the judge: defined once here and added to every
// judge's taxonomy (the heuristic one as a leaf under "noise", an induced one at the top level).
// No judge ever puts a failure in them; only a person's review does (README "Reviews"). Also the
// other category ids the pipeline gives itself: judge errors, and a reserved id of older releases.
// (The heuristic judge's own leaf ids are its taxonomy's: scripts/judges/heuristic/taxonomy.ts.)
import type { Category } from "./schemas.ts";

/**
 * Failures that give the answer most models agree on, on an item whose reference a person's review
 * found wrong. The judge's own leaf stays on the analysis (`judged_category`).
 */
export const REFERENCE_ERROR: Category = {
  id: "noise.reference-error",
  slug: "reference-error-reviewed",
  name: "Reference error, reviewed",
  description:
    "Gave the answer a person checked to be right on an item whose reference a review found wrong: a data error, not a model error.",
  parent: null,
  facet: "noise",
  old_slugs: [],
  lineage: [],
};

/** The reserved category as a child of `parent` (null: top level). */
export function referenceErrorUnder(parent: string | null): Category {
  return { ...REFERENCE_ERROR, parent };
}

/**
 * The reserved category of releases made before reviews existed ("suspect reference", by consensus)
 * in the place REFERENCE_ERROR has now. Still read from their taxonomies, never written.
 */
export const LEGACY_SUSPECT_REFERENCE_ID = "suspect-reference-by-consensus";

/** The ids of the pipeline's reserved categories, now and in earlier releases: never shown to a judge. */
export const RESERVED_CATEGORY_IDS: ReadonlySet<string> = new Set([REFERENCE_ERROR.id, LEGACY_SUSPECT_REFERENCE_ID]);

/** Category id of failures the judge could not analyse (status judge_error); not a taxonomy leaf. */
export const JUDGE_ERROR_CATEGORY = "judge-error";
