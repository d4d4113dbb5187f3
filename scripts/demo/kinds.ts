// What can happen to one model on one demo item, and how likely each model is to get it right or
// fail in its own typical ways (so the demo's per-model profiles differ, as real ones do).

/** Outcomes; every failure kind but "wrong" is aimed at one rule of the heuristic judge. */
export type Kind =
  | "correct"
  | "wrong" // a plain wrong answer no rule explains
  | "empty"
  | "refusal"
  | "truncated"
  | "repetition"
  | "no_answer"
  | "equivalent" // right answer in another form ("18.0" for "18"), scored wrong
  | "near_miss"
  | "abandoned" // reached the right answer, then changed it
  | "format" // right answer outside the requested JSON
  | "too_short"
  | "language"
  | "suspect" // the item's reference is wrong; the model gives the true answer
  | "arith_slip" // a stated computation whose result is false, carried to the final answer
  | "echo" // repeats the question before a plain wrong answer
  | "unanswerable" // declares the question unanswerable although it has an answer
  | "several" // commits to two options at once
  | "unpublished"; // the source kept only the scorer's extracted answer, not the output

export type DemoModel = "aurora-7b" | "basalt-70b-instruct" | "cirrus-mini" | "dune-xl" | "ember-13b-chat";
export type DemoDataset = "demo_quiz" | "demo_arith" | "demo_instruct";

/** Share of items each model gets right, per dataset. */
export const ACCURACY: Record<DemoModel, Record<DemoDataset, number>> = {
  "aurora-7b": { demo_quiz: 0.6, demo_arith: 0.55, demo_instruct: 0.5 },
  "basalt-70b-instruct": { demo_quiz: 0.88, demo_arith: 0.88, demo_instruct: 0.8 },
  "cirrus-mini": { demo_quiz: 0.5, demo_arith: 0.42, demo_instruct: 0.38 },
  "dune-xl": { demo_quiz: 0.82, demo_arith: 0.8, demo_instruct: 0.75 },
  "ember-13b-chat": { demo_quiz: 0.68, demo_arith: 0.62, demo_instruct: 0.6 },
};

/** How each model tends to fail (weights; kinds a dataset cannot show fall back to "wrong"). */
export const FAILURE_STYLE: Record<DemoModel, Partial<Record<Kind, number>>> = {
  "aurora-7b": { wrong: 4, repetition: 3, truncated: 2, no_answer: 1 },
  "basalt-70b-instruct": { wrong: 3, refusal: 2, format: 2 },
  "cirrus-mini": { wrong: 4, empty: 1, too_short: 3, no_answer: 2, truncated: 1 },
  "dune-xl": { wrong: 3, near_miss: 2, abandoned: 2, equivalent: 1 },
  "ember-13b-chat": { wrong: 4, language: 2, repetition: 1, abandoned: 1 },
};
