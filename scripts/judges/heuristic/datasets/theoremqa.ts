// TheoremQA (TIGER-AI-Lab): its scorer writes "0" as the extracted answer when it extracts nothing.
// The data shows it: on true/false items a model that says "True" can get "0" (and is failed), and
// "0" is scored right against the reference "false" (Python's 0 == False), while models that say
// "False" get "false". On numeric items, 0 is a real answer only where the output states it.
import type { EvalRecord } from "../../../../src/lib/schemas.ts";
import type { FailureContext } from "../../types.ts";
import type { RuleHit } from "../rule.ts";
import { LEAF } from "../taxonomy.ts";
import { fromWordStart, quote } from "../text.ts";
import type { DatasetPlugin } from "./plugin.ts";

/** Whether a 0 stands in the output's closing part (where a final answer is stated). */
function statesZero(output: string): boolean {
  return /(?<![\d.,])[-+]?0(?:\.0+)?(?![\d.,]\d)/.test(output.slice(-300));
}

export function theoremqaScorerGaveNoAnswer(r: EvalRecord): boolean {
  if (r.extracted?.trim() !== "0") return false;
  if (/^(?:true|false)$/i.test(r.reference.trim())) return true;
  return !statesZero(r.output);
}

// A question that itself asks for a yes/no or true/false verdict ("Is there ...?", "Answer Yes or
// No"): some items of this kind carry a numeric answer type, so a verdict there is no wrong type.
const VERDICT_QUESTION_RE =
  /\b(?:yes or no|true or false)\b|(?:^|[.?!]\s+)(?:is|are|does|do|did|can|could|will|would|should|has|have|was|were|must)\s[^.?!]*\?/i;

/**
 * A number was asked (TheoremQA's own answer type: integer or float) and the output's final answer is
 * a truth value: the scorer read "True" or "False", and the output's closing part states it.
 */
export function verdictForNumber(ctx: FailureContext): RuleHit | null {
  const r = ctx.record;
  const type = r.metadata?.answer_type;
  if (type !== "integer" && type !== "float") return null;
  const verdict = /^(true|false)$/i.exec(r.extracted?.trim() ?? "")?.[1];
  if (!verdict || VERDICT_QUESTION_RE.test(r.input.trim())) return null;
  const tail = r.output.slice(-400);
  const stated = [...tail.matchAll(/\b(?:true|false)\b/gi)].at(-1);
  if (!stated || stated[0].toLowerCase() !== verdict.toLowerCase()) return null;
  const start = Math.max(
    tail.lastIndexOf(". ", stated.index) + 1,
    tail.lastIndexOf("\n", stated.index) + 1,
    stated.index - 100,
    0,
  );
  const sentence = fromWordStart(tail.slice(0, stated.index + stated[0].length), start).trim();
  return {
    title: "Answered true/false where a number is asked",
    summary: `The item asks for ${type === "integer" ? "an integer" : "a number"} (TheoremQA's answer type "${type}"), but the output's final answer is a truth value ("${quote(sentence, 80)}"); the reference is "${quote(r.reference.trim(), 40)}".`,
    evidence: [quote(sentence, 160), quote(r.reference.trim(), 60)],
    confidence: 0.85,
  };
}

export const THEOREMQA: DatasetPlugin = {
  id: "theoremqa",
  scorerGaveNoAnswer: theoremqaScorerGaveNoAnswer,
  rules: [{ id: "theoremqa-verdict-for-number", category: LEAF.wrongAnswerType, fn: verdictForNumber }],
};
