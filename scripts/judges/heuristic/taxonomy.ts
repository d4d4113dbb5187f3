// The fixed two-level taxonomy of the heuristic judge. Ids and slugs are stable: analyses and
// released URLs point at them, so never rename one; add new categories instead.
import { TaxonomySchema, type Category, type Facet, type Taxonomy } from "../../../src/lib/schemas.ts";

/** Leaf category ids the rules put failures in. */
export const LEAF = {
  empty: "form.empty",
  truncated: "form.truncated",
  noAnswer: "form.no-answer",
  repetition: "form.repetition",
  answerFormat: "form.answer-format",
  language: "form.wrong-language",
  tooShort: "form.too-short",
  refusal: "refusal.declined",
  nearMiss: "slips.near-miss",
  abandoned: "slips.abandoned",
  equivalent: "noise.equivalent",
  suspectReference: "noise.suspect-reference",
  unexplained: "unexplained.no-rule",
} as const;
export type LeafId = (typeof LEAF)[keyof typeof LEAF];

function cat(id: string, slug: string, name: string, facet: Facet, description: string, parent: string | null = null): Category {
  return { id, slug, name, description, parent, facet, old_slugs: [], lineage: [] };
}

const CATEGORIES: Category[] = [
  cat("form", "output-form", "Output form", "format",
    "Producing a complete, readable answer of the requested shape: failures of form (missing, cut off, looping, unreadable or unfit output), not of content."),
  cat(LEAF.empty, "empty-output", "Empty output", "format", "Returned no text at all, so there was no answer to grade.", "form"),
  cat(LEAF.truncated, "truncated-output", "Truncated before the answer", "format",
    "Output stops mid-way, before a final answer, as if cut off by a length limit.", "form"),
  cat(LEAF.noAnswer, "no-final-answer", "No extractable final answer", "format",
    "Output never commits to a final answer that can be read as one of the allowed answers.", "form"),
  cat(LEAF.repetition, "degenerate-repetition", "Degenerate repetition", "format",
    "Output falls into a loop, repeating the same words or lines instead of progressing to an answer.", "form"),
  cat(LEAF.answerFormat, "ignored-answer-format", "Ignored the requested answer format", "format",
    "Reached the reference answer but stated it outside the form the grader reads, such as the requested JSON field or option letter.", "form"),
  cat(LEAF.language, "wrong-language", "Answered in another language", "format",
    "Wrote in a different language or script than the one the request was made in.", "form"),
  cat(LEAF.tooShort, "far-too-short", "Far too short answer", "format",
    "On an open-ended request, answered in a small fraction of the length the reference and other models needed.", "form"),
  cat("refusal", "refusal", "Refusal", "format", "Declining the request instead of attempting it."),
  cat(LEAF.refusal, "declined-to-answer", "Declined to answer", "format",
    "Refused or said it cannot help, citing policy, discomfort or missing information, instead of attempting the task.", "refusal"),
  cat("slips", "reasoning-slips", "Reasoning slips", "skill",
    "Keeping a nearly or fully right line of reasoning on track to the end: the answer was within reach."),
  cat(LEAF.nearMiss, "numeric-near-miss", "Numeric near-miss", "skill",
    "Final number within 2% of the reference: a rounding, precision or late arithmetic slip rather than a wrong method.", "slips"),
  cat(LEAF.abandoned, "abandoned-right-answer", "Abandoned the right answer", "skill",
    "Concluded the reference answer during its reasoning, then switched to a different final answer.", "slips"),
  cat("noise", "grader-and-data-noise", "Grader and data noise", "noise",
    "Failures caused by the grader or the reference rather than by the model."),
  cat(LEAF.equivalent, "equivalent-answer-scored-wrong", "Equivalent answer scored wrong", "noise",
    "Stated an answer equal to the reference in another form (18.0, a fraction, thousands separators, option text), yet was scored wrong.", "noise"),
  cat(LEAF.suspectReference, "suspect-reference", "Suspect reference by consensus", "noise",
    "Gave the answer most models, strong ones included, agree on and the reference contradicts: the reference itself is likely wrong.", "noise"),
  cat("unexplained", "unexplained-by-rules", "Unexplained by rules", "unexplained",
    "No offline rule explains the failure; telling why needs a reading of the reasoning, such as an LLM judge's."),
  cat(LEAF.unexplained, "no-rule-applies", "No rule applies", "unexplained",
    "A well-formed answer that is wrong in a way no rule recognises.", "unexplained"),
];

/** Builds the taxonomy for a rule-set version; validated by the shared schema. */
export function heuristicTaxonomy(version: string): Taxonomy {
  return TaxonomySchema.parse({ version, judge: "heuristic", categories: CATEGORIES, retired: [] });
}
