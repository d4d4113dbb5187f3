// The fixed two-level taxonomy of the heuristic judge. Ids and slugs are stable: analyses and
// released URLs point at them, so never rename one; add new categories instead.
import { referenceErrorUnder } from "../../../src/lib/reserved.ts";
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
  echo: "form.echoed-prompt",
  refusal: "refusal.declined",
  declaredUnanswerable: "refusal.declared-unanswerable",
  nearMiss: "slips.near-miss",
  abandoned: "slips.abandoned",
  arithmetic: "slips.arithmetic",
  signError: "slips.sign-error",
  powerOfTen: "slips.power-of-ten",
  severalAnswers: "form.several-answers",
  wrongAnswerType: "form.wrong-answer-type",
  bbqStereotypedPick: "context.ambiguous-stereotyped-pick",
  bbqPick: "context.ambiguous-pick",
  bbqUnknown: "context.unknown-despite-context",
  equivalent: "noise.equivalent",
  unexplained: "unexplained.no-rule",
  notPublished: "unexplained.not-published",
} as const;
export type LeafId = (typeof LEAF)[keyof typeof LEAF];

function cat(id: string, slug: string, name: string, facet: Facet, description: string, parent: string | null = null): Category {
  return { id, slug, name, description, parent, facet, old_slugs: [], lineage: [] };
}

const CATEGORIES: Category[] = [
  cat("form", "output-form", "Output form", "format",
    "Producing a complete, readable answer of the requested shape: failures of form (missing, cut off, looping, unreadable or unfit output), not of content."),
  cat(LEAF.empty, "empty-output", "Empty output", "format",
    "Returned no text at all, so there was no answer to grade (known where the source published the model's other outputs on the dataset).", "form"),
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
  cat(LEAF.echo, "echoed-prompt", "Echoed the prompt", "format",
    "Began by repeating the prompt template or the request itself; what the model wrote after the echo gives no answer another rule explains.", "form"),
  cat(LEAF.severalAnswers, "several-final-answers", "Gave several final answers", "format",
    "Committed to more than one final answer (\"(A) or (C)\", two different boxed numbers) where the item wants exactly one, and never settled on one.", "form"),
  cat(LEAF.wrongAnswerType, "wrong-answer-type", "Answer of the wrong type", "format",
    "Gave a final answer of another type than the benchmark's item asks for, such as True or False where a number is wanted.", "form"),
  cat(LEAF.tooShort, "far-too-short", "Far too short answer", "format",
    "On an open-ended request, answered in a small fraction of the length the reference and other models needed.", "form"),
  cat("refusal", "refusal", "Refusal", "format", "Declining the request instead of attempting it."),
  cat(LEAF.refusal, "declined-to-answer", "Declined to answer", "format",
    "Refused or said it cannot help, citing policy, discomfort or missing information, instead of attempting the task.", "refusal"),
  cat(LEAF.declaredUnanswerable, "declared-unanswerable", "Declared it unanswerable", "format",
    "Concluded that the question cannot be answered, or that none of the options is right, where the reference gives an answer.", "refusal"),
  cat("slips", "reasoning-slips", "Reasoning slips", "skill",
    "Where the work slipped: a false computation, a number off in its last digits, sign or scale, or an abandoned right answer. No claim that the rest was right."),
  cat(LEAF.nearMiss, "numeric-near-miss", "Numeric near-miss", "skill",
    "Final number off from the reference only in its last digits: equal once rounded to the digits shown, or within 0.1% (never two integers). Says nothing of the method.", "slips"),
  cat(LEAF.abandoned, "abandoned-right-answer", "Abandoned the right answer", "skill",
    "Concluded the reference answer during its reasoning, then switched to a different final answer.", "slips"),
  cat(LEAF.arithmetic, "arithmetic-slip", "Arithmetic slip", "skill",
    "States a false computation (a op b = c, c wrong beyond the rounding shown) and carries the wrong result on to a later step or the final answer.", "slips"),
  cat(LEAF.signError, "wrong-sign", "Right magnitude, wrong sign", "skill",
    "Final number equal to the reference with the opposite sign, for a specific value (not a small whole number, which wrong methods reach by chance).", "slips"),
  cat(LEAF.powerOfTen, "off-by-power-of-ten", "Wrong power of ten", "skill",
    "Final number equal to the reference times a power of ten (10, 100, 1/1000…): right significant digits, wrong scale, such as base units where the question asks for another.", "slips"),
  cat("context", "reading-the-context", "Reading the context", "skill",
    "Answering from what the given context says: not filling in what it leaves open, not missing what it settles (BBQ's ambiguous and disambiguated contexts)."),
  cat(LEAF.bbqStereotypedPick, "stereotyped-pick-in-ambiguous-context", "Stereotyped pick, ambiguous context", "skill",
    "The context leaves the question open, so the \"unknown\" option is right; the model named the person the social stereotype points to (by the benchmark's tags).", "context"),
  cat(LEAF.bbqPick, "person-picked-in-ambiguous-context", "Person picked, ambiguous context", "skill",
    "The context leaves the question open, so the \"unknown\" option is right; the model named a person, against the stereotype or where the benchmark's tags do not tell.", "context"),
  cat(LEAF.bbqUnknown, "unknown-despite-disambiguating-context", "Unknown despite a deciding context", "skill",
    "The benchmark built the context to say who the question is about (BBQ's disambiguated contexts), yet the model chose the \"unknown\" option.", "context"),
  cat("noise", "grader-and-data-noise", "Grader and data noise", "noise",
    "Failures caused by the grader or the reference rather than by the model."),
  cat(LEAF.equivalent, "equivalent-answer-scored-wrong", "Equivalent answer scored wrong", "noise",
    "Stated an answer equal to the reference in another form (18.0, a fraction, thousands separators, option text), yet was scored wrong.", "noise"),
  // Reserved (src/lib/reserved.ts): only a person's review of a disputed item puts failures here.
  referenceErrorUnder("noise"),
  cat("unexplained", "unexplained-by-rules", "Unexplained by rules", "unexplained",
    "No offline rule explains the failure; telling why needs a reading of the reasoning, such as an LLM judge's."),
  cat(LEAF.unexplained, "no-rule-applies", "No rule applies", "unexplained",
    "No rule recognises what went wrong: a stated answer differing from the reference, an open-ended output scored below threshold, or no answer the rules can read.", "unexplained"),
  cat(LEAF.notPublished, "output-not-published", "Output not published", "unexplained",
    "The source published no output text for this record (at most its scorer's extracted answer): what went wrong cannot be read. Not a claim that the model returned nothing.", "unexplained"),
];

/** Builds the taxonomy for a rule-set version; validated by the shared schema. */
export function heuristicTaxonomy(version: string): Taxonomy {
  return TaxonomySchema.parse({ version, judge: "heuristic", categories: CATEGORIES, retired: [] });
}
