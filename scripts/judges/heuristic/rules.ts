// The rules of the heuristic judge. Each is a small pure function of a FailureContext that either
// explains the failure (a hit with title, summary, quoted evidence and confidence) or returns null.
// They run in the fixed order of RULES; the first hit wins.
import {
  answerKind,
  canonical,
  cleanAnswerText,
  findAnswerInOutput,
  itemConsensus,
  parseNumber,
  parseOptions,
  recordAnswer,
  sameNumber,
  type AnswerKind,
  type FoundAnswer,
  type ItemConsensus,
} from "../../../src/lib/consensus.ts";
import type { EvalRecord } from "../../../src/lib/schemas.ts";
import type { FailureContext } from "../types.ts";
import { LEAF, type LeafId } from "./taxonomy.ts";
import { dominantScript, endsAbruptly, endsMidSentence, findLoop, findRefusal, quote } from "./text.ts";

export interface RuleHit {
  title: string;
  summary: string;
  evidence: string[];
  confidence: number;
}

export interface Rule {
  id: string;
  category: LeafId;
  fn: (ctx: FailureContext) => RuleHit | null;
}

// ---------------------------------------------------------------------------------------------
// Facts about a failure, computed once per record (and the consensus once per item array).

interface Facts {
  kind: AnswerKind;
  answer: FoundAnswer | null;
  answerCanon: string | null;
  refCanon: string | null;
  /** The prompt asked for a JSON object with an "answer" field (ZeroEval style). */
  wantsJson: boolean;
}

const factsCache = new WeakMap<EvalRecord, Facts>();

function facts(ctx: FailureContext): Facts {
  const r = ctx.record;
  let f = factsCache.get(r);
  if (f) return f;
  const kind: AnswerKind = ctx.dataset.task_type === "open_ended" ? "open" : answerKind(r);
  const answer = kind === "open" ? null : recordAnswer(r);
  f = {
    kind,
    answer,
    answerCanon: answer ? canonical(answer.raw, kind) : null,
    refCanon: canonical(r.reference, kind),
    wantsJson: !!r.prompt && /json/i.test(r.prompt) && /["`]answer["`]/.test(r.prompt),
  };
  factsCache.set(r, f);
  return f;
}

const consensusCache = new WeakMap<readonly EvalRecord[], ItemConsensus | null>();

export function consensusOf(ctx: FailureContext): ItemConsensus | null {
  if (consensusCache.has(ctx.itemRecords)) return consensusCache.get(ctx.itemRecords)!;
  const c = itemConsensus(ctx.itemRecords, ctx.modelAccuracy, { taskType: ctx.dataset.task_type });
  consensusCache.set(ctx.itemRecords, c);
  return c;
}

/** How a reader sees an answer: "C (option text)" for a choice, else the answer as written. */
function shown(raw: string, ctx: FailureContext, kind: AnswerKind): string {
  if (kind !== "choice") return quote(raw, 80);
  const text = parseOptions(ctx.record.input).get(raw.replace(/[()]/g, "").toUpperCase());
  return text ? `${raw} (${quote(text, 60)})` : raw;
}

/** Evidence span for the answer: where the output states it, or the scorer's extracted value. */
function answerSpan(a: FoundAnswer): string {
  return quote(a.span, 160);
}

const STRONG_SOURCES = new Set(["scorer", "json", "boxed", "statement", "bare"]);

// ---------------------------------------------------------------------------------------------
// Rules, in priority order

export function emptyOutput(ctx: FailureContext): RuleHit | null {
  // Some sources publish no output text, only the scorer's extracted answer: that is not an empty output.
  if (ctx.record.output.trim() !== "" || facts(ctx).answer !== null) return null;
  return {
    title: "Produced no output",
    summary: "The model returned an empty output, so there was no answer to grade.",
    evidence: [],
    confidence: 0.99,
  };
}

/** The output's own closing statement, when the scorer read a different answer: it may have read an earlier one. */
function closingAnswer(ctx: FailureContext, f: Facts): FoundAnswer | null {
  if (f.answer?.source !== "scorer" || !ctx.record.output.trim()) return null;
  const own = findAnswerInOutput(ctx.record);
  return own && STRONG_SOURCES.has(own.source) ? own : null;
}

/** The answer equals the reference in another form and was stated where a grader reads answers. */
export function equivalentAnswer(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.answer && f.answerCanon !== null && f.answerCanon !== f.refCanon && f.refCanon !== null) {
    // The scorer read one answer, but the output ends by stating the reference.
    const own = closingAnswer(ctx, f);
    if (!own || canonical(own.raw, f.kind) !== f.refCanon) return null;
    const ref = shown(ctx.record.reference, ctx, f.kind);
    return {
      title: "Grader read an earlier answer",
      summary: `The grader extracted "${shown(f.answer.raw, ctx, f.kind)}", but the output's closing statement ("${quote(own.span, 80)}") gives the reference "${ref}".`,
      evidence: [answerSpan(own), answerSpan(f.answer), quote(ctx.record.reference)],
      confidence: 0.6,
    };
  }
  if (!f.answer || f.answerCanon === null) return null;
  const percent = f.answerCanon !== f.refCanon && percentOfReference(ctx, f.answer);
  if (f.answerCanon !== f.refCanon && !percent) return null;
  if (!STRONG_SOURCES.has(f.answer.source)) return null;
  if (percent)
    return {
      title: "Percentage scored against a fraction",
      summary: `The output answers "${percent}", which is the reference ${quote(ctx.record.reference, 40)} written as a percentage, but the grader compared the bare numbers.`,
      evidence: [quote(percent), quote(ctx.record.reference)],
      confidence: 0.7,
    };
  if (f.wantsJson && f.answer.source !== "scorer" && f.answer.source !== "json") return null;
  const byScorer = f.answer.source === "scorer";
  const ans = shown(f.answer.raw, ctx, f.kind);
  return {
    title: "Correct answer scored as wrong",
    summary: byScorer
      ? `The grader itself extracted "${ans}", which equals the reference "${shown(ctx.record.reference, ctx, f.kind)}" once normalised, yet scored it wrong: a grader false negative.`
      : `The output states "${ans}" as its answer, equal to the reference "${shown(ctx.record.reference, ctx, f.kind)}" once normalised, but the grader scored it wrong.`,
    evidence: [answerSpan(f.answer), quote(ctx.record.reference)],
    confidence: byScorer ? 0.9 : 0.75,
  };
}

/** The reference answer is there, but not in the form the grader reads (no JSON field, no option letter). */
export function rightAnswerWrongForm(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (!f.answer || f.answer.source === "scorer" || f.answerCanon === null || f.answerCanon !== f.refCanon) return null;
  const outsideJson = f.wantsJson && f.answer.source !== "json";
  if (!outsideJson && STRONG_SOURCES.has(f.answer.source)) return null;
  const form = outsideJson ? "the requested JSON answer field" : "an explicit final answer statement";
  return {
    title: "Right answer outside the requested format",
    summary: `The output reaches the reference answer ("${quote(answerSpan(f.answer), 80)}") but not in ${form}, so the grader could not read it.`,
    evidence: [answerSpan(f.answer)],
    confidence: 0.7,
  };
}

/** Most models, strong ones included, agree on this answer, and the reference says otherwise. */
export function suspectReference(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.answerCanon === null) return null;
  const c = consensusOf(ctx);
  if (!c || c.canonical !== f.answerCanon) return null;
  // No model counts in the verdict: they change as models are added, and the verdict is cached by
  // what decides it (the consensus answer). The dataset page lists who agrees, always current.
  return {
    title: "Reference contradicted by model consensus",
    summary: `Most models on this item, strong ones included, answer "${quote(c.consensus, 80)}" as this one does, against the reference "${quote(c.reference, 80)}": the reference is likely wrong.`,
    evidence: [answerSpan(f.answer!), quote(ctx.record.reference)],
    confidence: 0.8,
  };
}

/** The model declined: a refusal near the start, and no answer (or, open-ended, little else). */
export function refusal(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  const out = ctx.record.output;
  const said = findRefusal(out);
  if (!said) return null;
  if (f.kind === "open" ? out.length > Math.max(600, 0.5 * ctx.record.reference.length) : f.answer !== null) return null;
  return {
    title: "Declined the request",
    summary: `The model declined instead of attempting the task ("${quote(said, 100)}").`,
    evidence: [quote(said, 160)],
    confidence: 0.85,
  };
}

// Every model's record of an item repeats its input: read its script once.
const inputScripts = new Map<string, ReturnType<typeof dominantScript>>();
function inputScript(input: string): ReturnType<typeof dominantScript> {
  if (!inputScripts.has(input)) {
    if (inputScripts.size > 10_000) inputScripts.clear();
    inputScripts.set(input, dominantScript(input));
  }
  return inputScripts.get(input)!;
}

/** The output is in another writing system than the request (and the request does not ask for one). */
export function wrongLanguage(ctx: FailureContext): RuleHit | null {
  const asked = inputScript(ctx.record.input);
  const got = dominantScript(ctx.record.output);
  if (!asked || !got || asked.letters < 20 || got.letters < 20) return null;
  if (asked.share < 0.8 || got.script === asked.script) return null;
  if (/translat|\b(?:in|into) (?:chinese|japanese|korean|russian|arabic|hindi|greek|hebrew|thai)\b/i.test(ctx.record.input)) return null;
  const sample = [...ctx.record.output.matchAll(/[^\s\p{Script=Latin}\p{P}\p{N}]{2,}[^\n]{0,40}/gu)][0]?.[0] ?? ctx.record.output;
  return {
    title: "Answered in the wrong language",
    summary: `The request is in ${asked.script} script but ${Math.round(got.share * 100)}% of the output's letters are ${got.script} ("${quote(sample, 50)}").`,
    evidence: [quote(sample, 80)],
    confidence: 0.8,
  };
}

/** The output falls into a loop. */
export function degenerateRepetition(ctx: FailureContext): RuleHit | null {
  const loop = findLoop(ctx.record.output);
  if (!loop) return null;
  return {
    title: "Fell into a repetition loop",
    summary: `The output degenerates into repeating "${quote(loop.unit, 60)}" (${loop.count} times) instead of progressing to an answer.`,
    evidence: [quote(loop.unit, 160), quote(ctx.record.output, 160, true)],
    confidence: 0.85,
  };
}

/** No answer, and the output stops mid-way. Open-ended: stops mid-sentence after a long output. */
export function truncated(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  const out = ctx.record.output;
  if (f.answer !== null || out.trim().length < 100 || !endsAbruptly(out)) return null;
  // Lists, poems and signatures end without a full stop: open-ended output must stop mid-sentence.
  if (f.kind === "open" && !endsMidSentence(out)) return null;
  return {
    title: "Cut off before the final answer",
    summary: `The output stops mid-way ("${quote(out, 60, true)}") without stating a final answer, as if it hit a length limit.`,
    evidence: [quote(out, 160, true)],
    confidence: f.kind === "open" ? 0.6 : 0.8,
  };
}

/** A complete output with no answer the grader (or we) can read. */
export function noFinalAnswer(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.kind === "open" || f.answer !== null) return null;
  const out = ctx.record.output;
  const expected =
    f.kind === "choice" ? "an option letter" : f.wantsJson ? 'a JSON "answer" field' : "a final answer statement";
  return {
    title: "Gave no final answer",
    summary: `The output ("${quote(out, 60, true)}") never states ${expected}, so no answer can be extracted.`,
    evidence: [quote(out, 160, true)],
    confidence: 0.8,
  };
}

// Statements that conclude an answer: "the answer is (X)", "correct option is X", "\boxed{X}", "Answer: X".
const CONCLUDE_RE =
  /(?:(?:final |correct |right |best )?(?:answer|option|choice)\s*(?:is|would be|should be|must be|=|:)\s*:?\s*|\\boxed\{)\s*["'*]{0,2}\(?([A-Ja-j]|[-+]?\$?\d[\d,]*(?:\.\d+)?(?:\/\d+)?)\b\)?/gi;

/** "1.6%" where the reference is 0.016: the span of the output that states the percentage, or null. */
function percentOfReference(ctx: FailureContext, a: FoundAnswer): string | null {
  const v = parseNumber(a.raw);
  const ref = parseNumber(ctx.record.reference);
  if (v === null || ref === null || ref === 0 || !sameNumber(v / 100, ref)) return null;
  const num = a.raw.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${num}\\s*(?:\\\\?%|percent)`).exec(ctx.record.output.slice(-400))?.[0] ?? null;
}

/** The reference was concluded somewhere in the reasoning, then a different final answer given. */
export function abandonedRightAnswer(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (!f.answer || f.answerCanon === null || f.refCanon === null || f.answerCanon === f.refCanon) return null;
  if (f.kind !== "choice" && f.kind !== "number") return null;
  const out = ctx.record.output;
  let refAt = -1;
  let refSpan = "";
  let finalAt = -1;
  CONCLUDE_RE.lastIndex = 0;
  for (let m = CONCLUDE_RE.exec(out); m; m = CONCLUDE_RE.exec(out)) {
    const raw = m[1]!;
    const isLetter = /^[A-Ja-j]$/.test(raw);
    if (isLetter !== (f.kind === "choice")) continue;
    if (isLetter && /[a-j]/.test(raw) && !m[0].includes("(")) continue; // a lone lower-case letter is a word
    const c = canonical(isLetter ? raw : cleanAnswerText(raw), f.kind);
    if (c === f.refCanon && refAt < 0) [refAt, refSpan] = [m.index, m[0]];
    else if (c === f.answerCanon) finalAt = m.index;
  }
  // The reference must come first and the final answer be concluded after it.
  if (refAt < 0 || !(finalAt > refAt || (finalAt < 0 && f.answer.source === "scorer"))) return null;
  const context = out.slice(Math.max(0, refAt - 60), refAt + refSpan.length);
  return {
    title: "Reached the right answer, then abandoned it",
    summary: `The reasoning concludes the reference ("${quote(refSpan, 60)}") but the final answer is "${shown(f.answer.raw, ctx, f.kind)}".`,
    evidence: [quote(context, 160), answerSpan(f.answer)],
    confidence: 0.65,
  };
}

/** A final number within 2% of the reference (but not equal to it). */
export function numericNearMiss(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (!f.answer || f.kind !== "number") return null;
  const a = parseNumber(f.answer.raw);
  const b = parseNumber(ctx.record.reference);
  if (a === null || b === null || sameNumber(a, b) || b === 0) return null;
  const rel = Math.abs(a - b) / Math.abs(b);
  if (rel > 0.02) return null;
  return {
    title: "Rounding or precision slip",
    summary: `The final answer ${quote(f.answer.raw, 40)} is within ${(rel * 100).toPrecision(2)}% of the reference ${quote(ctx.record.reference, 40)}: the method was right, the last steps imprecise.`,
    evidence: [answerSpan(f.answer), quote(ctx.record.reference)],
    confidence: 0.6,
  };
}

/** Median output length of the other models on the item (the reference's length when there are none). */
export function peerMedianLength(ctx: FailureContext): number {
  const others = ctx.itemRecords.filter((r) => r !== ctx.record).map((r) => r.output.trim().length).sort((x, y) => x - y);
  return others.length ? others[Math.floor(others.length / 2)]! : ctx.record.reference.trim().length;
}

/** Open-ended: a small fraction of the reference's length and of what other models wrote. */
export function farTooShort(ctx: FailureContext): RuleHit | null {
  if (ctx.dataset.task_type !== "open_ended") return null;
  const out = ctx.record.output.trim();
  const ref = ctx.record.reference.trim();
  if (ref.length < 400 || out.length >= 0.2 * ref.length) return null;
  const median = peerMedianLength(ctx);
  if (out.length >= 0.4 * median) return null;
  return {
    title: "Answered far too briefly",
    summary: `The output has ${out.length} characters against ${ref.length} in the reference and a median of ${median} in other models' outputs ("${quote(out, 60)}").`,
    evidence: [quote(out, 160)],
    confidence: 0.5,
  };
}

/** Every rule, in the order they are tried. */
export const RULES: readonly Rule[] = [
  { id: "empty-output", category: LEAF.empty, fn: emptyOutput },
  { id: "equivalent-answer", category: LEAF.equivalent, fn: equivalentAnswer },
  { id: "right-answer-wrong-form", category: LEAF.answerFormat, fn: rightAnswerWrongForm },
  { id: "suspect-reference", category: LEAF.suspectReference, fn: suspectReference },
  { id: "refusal", category: LEAF.refusal, fn: refusal },
  { id: "wrong-language", category: LEAF.language, fn: wrongLanguage },
  { id: "degenerate-repetition", category: LEAF.repetition, fn: degenerateRepetition },
  { id: "truncated", category: LEAF.truncated, fn: truncated },
  { id: "no-final-answer", category: LEAF.noAnswer, fn: noFinalAnswer },
  { id: "abandoned-right-answer", category: LEAF.abandoned, fn: abandonedRightAnswer },
  { id: "numeric-near-miss", category: LEAF.nearMiss, fn: numericNearMiss },
  { id: "far-too-short", category: LEAF.tooShort, fn: farTooShort },
];
