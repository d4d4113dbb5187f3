// Categories the pipeline reserves, whatever the judge: defined once here and added to every
// judge's taxonomy (the heuristic one as a leaf under "noise", an induced one at the top level).
// No judge ever puts a failure in them; only a person's review does (README "Reviews").
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
