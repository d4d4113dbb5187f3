// The openai judge's prompts: the project's own, versioned constants. Any change to a prompt's
// text or to the request built around it must bump its version, which makes every cached answer
// of that prompt a miss (the version is part of the cache key, and so is the exact request).
import type { Category } from "../../../src/lib/schemas.ts";
import type { FailureContext } from "../types.ts";
import { DATA_RULES, dataBlock, jsonBlock } from "./delimit.ts";

// analyse-2: the request is ordered for prompt caching (what the failures of one item share first,
// the failed output and its score line last); the system prompt says so.
export const ANALYSE_PROMPT_VERSION = "analyse-2";
export const TAXONOMY_PROMPT_VERSION = "taxonomy-1";
export const CLASSIFY_PROMPT_VERSION = "classify-1";

export type ChatMessage = { role: "system" | "user"; content: string };

const MAX_INPUT = 8000;
const MAX_OUTPUT = 8000;
const MAX_PEER = 3000;

// ---------------------------------------------------------------------------------------------
// Analysis of one failure

export const ANALYSE_SYSTEM = [
  "You analyse why a language model's answer to a benchmark item failed.",
  "You are given the item's input, its reference answer, up to three correct outputs of other models on the",
  "same item (informative correct predictions), and last the failed output with its score.",
  "Work in this order:",
  "1. List the criteria a correct answer to this item needs (facts, steps, constraints, format).",
  "2. Check each criterion against the failed output: is it present, how good is it (good, partial, poor,",
  "absent), and quote the span of the failed output that shows it (empty when there is none).",
  "3. Name the FIRST major error: the earliest failure that made the answer wrong.",
  "The title is at most 8 words and names the missing skill or capability, not the symptom",
  '("misread the question\'s unit", not "wrong option"; "dropped a case in the enumeration", not "incorrect count").',
  "The summary is one or two sentences explaining the error for this item.",
  "Evidence is a list of short spans quoted verbatim from the output (or the input or reference) that show the error.",
  "If the reference itself looks wrong or the output is in fact correct, say so in the title (grader or data noise).",
  "Confidence is your confidence in the analysis, from 0 to 1.",
  DATA_RULES,
  "Answer only with the JSON object the response format asks for.",
].join("\n");

/**
 * The analysis request. Ordered for prompt caching (README "Judges"; OpenAI's prompt caching and
 * vLLM's automatic prefix caching serve the longest prefix a request shares with earlier ones): the
 * system prompt, then what every failure of the item shares (dataset, input, reference, the correct
 * outputs of other models: the same peers for every failed model, see select.ts buildContexts),
 * and only then what is this failure's own (its score line, its output, its extracted answer).
 */
export function analyseMessages(ctx: FailureContext): ChatMessage[] {
  const r = ctx.record;
  const d = ctx.dataset;
  const parts = [
    "TASK: analyse",
    `Dataset: ${d.name} (task type: ${d.task_type}; metric: ${d.metric}; skill it tests: ${d.skill}).`,
    dataBlock("input", r.input, MAX_INPUT),
    dataBlock("reference", r.reference_text ? `${r.reference} (${r.reference_text})` : r.reference, MAX_INPUT),
  ];
  ctx.correctPeers.slice(0, 3).forEach((p, i) => {
    parts.push(dataBlock(`correct_output_${i + 1}`, p.output, MAX_PEER));
  });
  // What follows differs from one failure of the item to the next.
  parts.push(`Score of the failed output: ${r.score ?? "n/a"}; marked correct: ${r.correct ?? "n/a"}.`);
  parts.push(dataBlock("failed_output", r.output, MAX_OUTPUT));
  if (r.extracted !== undefined) parts.push(dataBlock("extracted_answer", r.extracted, 500));
  return [
    { role: "system", content: ANALYSE_SYSTEM },
    { role: "user", content: parts.join("\n\n") },
  ];
}

// ---------------------------------------------------------------------------------------------
// Taxonomy induction (generate / update / review, after TnT-LLM)

export type TaxonomyStep = "generate" | "update" | "review";

/** A category as the model sees and answers it while the taxonomy is being built. */
export interface DraftCategory {
  name: string;
  description: string;
  facet: "skill" | "format" | "noise";
  /** Names of current categories this one continues, merges or is split from (empty: new). */
  from: string[];
}

export function taxonomyRules(limit: number): string {
  return [
    "Rules for the categories:",
    "- Group the errors by the skill or capability that failed, not by subject or domain",
    '  ("multi-step arithmetic", not "math questions"; "temporal reasoning", not "history").',
    "- Categories must not overlap: every error title fits exactly one category.",
    `- At most ${limit} categories.`,
    "- Each name has at most 5 words; each description at most 30 words and says what belongs in it.",
    '- No "Misc", "Other" or "General" catch-all category. Titles that cannot be analysed at all are left',
    '  out: a reserved "Hard to analyse" category exists already and must not be proposed.',
    '- facet: "skill" when the failure is about a capability; "format" when it is about the output\'s form',
    '  (length, format asked for, refusal, truncation, no final answer); "noise" when the grader or the',
    "  reference is at fault (the output is in fact correct, or the reference is wrong).",
    "- from: names of current categories this category continues (one name), merges (several names) or is",
    "  split from (the same name in several categories); empty for a new category.",
  ].join("\n");
}

export const TAXONOMY_SYSTEM = [
  "You build a taxonomy of the errors language models make, from short error titles written by an analyst",
  "(each with a one or two sentence summary). You work in steps: generate proposes categories from a first",
  "batch of titles; update revises the current categories with a new batch (keep, rename, merge, split or add",
  "categories so the new titles fit); review checks the final list against the rules and fixes it.",
  DATA_RULES,
  "Answer only with the JSON object the response format asks for.",
].join("\n");

export function taxonomyMessages(args: {
  step: TaxonomyStep;
  limit: number;
  parent: { name: string; description: string } | null;
  current: Omit<DraftCategory, "from">[];
  titles: { title: string; summary: string }[];
}): ChatMessage[] {
  const parts = [`TASK: ${args.step}`];
  if (args.parent)
    parts.push(
      "You are building sub-categories of one parent category; the sub-categories split it by finer skills.",
      jsonBlock("parent", args.parent),
    );
  parts.push(taxonomyRules(args.limit));
  if (args.step !== "generate") parts.push("Current categories:", jsonBlock("categories", args.current));
  parts.push(
    args.step === "review"
      ? "A sample of the error titles (for reference):"
      : "Error titles of this batch (with summaries):",
    jsonBlock(
      "titles",
      args.titles.map((t) => ({ title: t.title, summary: t.summary })),
    ),
  );
  parts.push(
    args.step === "generate"
      ? "Propose the categories."
      : args.step === "update"
        ? "Return the full revised list of categories."
        : "Return the final, reviewed list of categories.",
  );
  return [
    { role: "system", content: TAXONOMY_SYSTEM },
    { role: "user", content: parts.join("\n\n") },
  ];
}

// ---------------------------------------------------------------------------------------------
// Classification

export const OTHER_CHOICE = "other";

export const CLASSIFY_SYSTEM = [
  "You place error titles (each with a summary) into the one category of a given list that fits best.",
  'Answer with the category id for every numbered title, exactly once each. Use "other" only when no',
  "category fits.",
  DATA_RULES,
  "Answer only with the JSON object the response format asks for.",
].join("\n");

export function classifyMessages(
  categories: Pick<Category, "id" | "name" | "description">[],
  titles: { title: string; summary: string }[],
): ChatMessage[] {
  return [
    { role: "system", content: CLASSIFY_SYSTEM },
    {
      role: "user",
      content: [
        "TASK: classify",
        "Categories:",
        jsonBlock(
          "categories",
          categories.map((c) => ({ id: c.id, name: c.name, description: c.description })),
        ),
        "Titles:",
        jsonBlock(
          "titles",
          titles.map((t, n) => ({ n, title: t.title, summary: t.summary })),
        ),
      ].join("\n\n"),
    },
  ];
}
