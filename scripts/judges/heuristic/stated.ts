// Rules about what an output states in its own working: a false computation it carries on, or a
// conclusion that the question cannot be answered. Both quote the statement.
import { parseNumber } from "../../lib/consensus.ts";
import type { FailureContext } from "../types.ts";
import { carriedSlip, showNumber } from "./arith.ts";
import { pluginFor } from "./datasets/index.ts";
import { facts, shownReference } from "./facts.ts";
import type { RuleHit } from "./rule.ts";
import { fromWordStart, quote } from "./text.ts";

/**
 * A stated computation "a op b = c" that is false and whose wrong result the output carries on (see
 * arith.ts carriedSlip). The failure is given (the final answer was scored wrong); the rule says a
 * slip happened on the way and where, not that fixing it alone would give the reference.
 */
export function arithmeticSlip(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.kind === "open" || (f.kind === "choice" && !f.answer)) return null;
  const final = f.answer ? parseNumber(f.answer.raw) : null;
  const slip = carriedSlip(f.rec.output, ctx.record.input, final);
  if (!slip) return null;
  const carried = slip.final
    ? `${slip.stated.trim()} is its final answer`
    : `${slip.stated.trim()} appears again later in the output`;
  return {
    title: "Arithmetic slip",
    summary: `The output states "${quote(slip.text, 100)}", but ${quote(slip.expression, 60)} is ${showNumber(slip.value)}; ${carried} (the reference is "${quote(shownReference(ctx), 40)}").`,
    evidence: [quote(slip.text, 160)],
    confidence: 0.8,
  };
}

// Conclusions that the question cannot be answered as asked. Phrases only, each specific enough
// that it is not a step of ordinary reasoning ("we cannot determine x yet" is not one).
const UNANSWERABLE_RE = new RegExp(
  [
    `none of the (?:given |above |provided |listed |answer )?(?:options|choices|answers|alternatives)(?: given| provided| listed)?(?: is| are| seems?| appears?)? (?:correct|right|valid|accurate|true|matche?s?|fits?)`,
    `(?:neither|none) of (?:the|these) (?:options|choices|answers) (?:is|are) (?:correct|right)`,
    `(?:answer|question|value|result|it) (?:cannot|can ?not|can't) be (?:determined|answered|found|computed|calculated)`,
    `(?:cannot|can ?not|can't|unable to|impossible to|not possible to) (?:determine|answer|solve|calculate|compute|find) (?:(?:the|a|an) (?:(?:specific|exact|unique|precise|numerical|definite|single|final) )*(?:answer|question|problem|value|solution)|this (?:question|problem))`,
    `(?:not enough|insufficient|incomplete|missing) (?:information|data|details) (?:to (?:determine|answer|solve|calculate)|(?:is |was )?(?:given|provided))`,
    `the question (?:is|seems|appears) (?:to be )?(?:flawed|ill-posed|incomplete|unanswerable|incorrect)`,
    `no (?:correct|valid|right) (?:answer|option|choice)(?: is| among| in)`,
  ].join("|"),
  "i",
);

// A final answer that is itself a declaration ({"answer": "Cannot be determined"}, "No solution",
// "Error in problem setup", "This problem requires more information to solve"). Not "undefined",
// "infinitely many" or "∞": those are answers (wrong ones), not declarations.
const UNANSWERABLE_ANSWER = new RegExp(
  [
    String.raw`^(?:it )?(?:cannot|can't|can not) be (?:determined|answered|found)(?: (?:with|from) (?:the )?(?:given )?information(?: given| provided)?)?\.?$`,
    String.raw`^(?:undetermined|indeterminate|inconclusive|insufficient (?:information|data)|not enough information|none of the (?:above|options|choices)|no (?:correct|valid) (?:answer|option))\b`,
    String.raw`^cannot be determined (?:due to|because|since|as)\b`,
    String.raw`^(?:that )?(?:we )?(?:cannot|can't|can not) (?:determine|calculate|compute|find|estimate) (?:the|a|an|this|its)\b`,
    String.raw`^(?:there (?:are|is) |the (?:problem|equation|system) has )?no (?:real |valid |possible |integer )?solutions?\.?$`,
    String.raw`^not possible (?:with|given|to (?:determine|estimate|calculate|compute|find|answer|solve))\b`,
    `^error(?::| in (?:the )?problem)`,
    String.raw`^(?:this|the) problem (?:requires|needs) more information\b`,
    String.raw`^(?:this|the) problem is too complex\b`,
  ].join("|"),
  "i",
);

/**
 * The output closes by declaring the question unanswerable or every option wrong, and gives no
 * answer of its own, where the reference is an answer. Datasets where "cannot be determined" can
 * be right (BBQ) are left to their plug-in.
 */
export function declaredUnanswerable(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.kind === "open" || pluginFor(ctx.record.dataset)?.unknownCanBeRight) return null;
  // An answer of its own counts against the rule, unless the answer is the declaration itself.
  if (f.answer && !UNANSWERABLE_ANSWER.test(f.answer.raw.trim())) return null;
  if (UNANSWERABLE_RE.test(shownReference(ctx))) return null;
  const tail = f.rec.output.slice(-600);
  const m = UNANSWERABLE_RE.exec(tail);
  const sentence = f.answer ? f.answer.span : m ? sentenceAround(tail, m.index, m[0].length) : null;
  if (!sentence) return null;
  return {
    title: "Declared the question unanswerable",
    summary: `The output concludes "${quote(sentence, 100)}" and gives no other answer, but the reference is "${quote(shownReference(ctx), 60)}".`,
    evidence: [quote(sentence, 160)],
    confidence: 0.75,
  };
}

/** The sentence of `s` holding [at, at + len). */
function sentenceAround(s: string, at: number, len: number): string {
  // Outputs inside a JSON string write line breaks as a literal "\n": those end sentences too.
  const before = s.slice(0, at);
  const start = Math.max(before.lastIndexOf(". ") + 1, before.lastIndexOf("\n") + 1, before.lastIndexOf("\\n") + 2, 0);
  const after = s.slice(at + len).search(/[.!?](?:\s|$)|\n|\\n/);
  return fromWordStart(s.slice(0, after < 0 ? s.length : at + len + after + 1), start).trim();
}
