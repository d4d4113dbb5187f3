// The rules of the heuristic judge. Each is a small pure function of a FailureContext that either
// explains the failure (a hit with title, summary, quoted evidence and confidence) or returns null.
// They run in the fixed order of RULES; the first hit wins.
export type { Rule, RuleHit } from "./rule.ts";
export { facts, shownReference, type Facts } from "./facts.ts";
import {
  canonical,
  cleanAnswerText,
  findAnswerInOutput,
  parseNumber,
  parseOptions,
  sameNumber,
  type AnswerKind,
  type FoundAnswer,
} from "../../lib/consensus.ts";
import type { FailureContext } from "../types.ts";
import { DATASET_RULES } from "./datasets/index.ts";
import { powerOfTen, severalAnswers, signError } from "./relations.ts";
import { arithmeticSlip, declaredUnanswerable } from "./stated.ts";
import { facts, shownReference, type Facts } from "./facts.ts";
import type { Rule, RuleHit } from "./rule.ts";
import { LEAF } from "./taxonomy.ts";
import {
  dominantScript,
  endsAbruptly,
  endsMidSentence,
  findLoop,
  findRefusal,
  fromWordStart,
  quote,
  scriptProfile,
} from "./text.ts";

/** Whether the output concludes the given answer (canonical form) in an explicit statement anywhere. */
function concludes(out: string, canon: string, kind: AnswerKind): boolean {
  return conclusions(out, kind).some((c) => c.canon === canon);
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

/**
 * The source left the output out: the record has no output text, yet its scorer extracted an
 * answer from one, or the source scored correct records of this model on this dataset whose
 * output it did not publish either (FailureContext.sourceOutputs).
 */
export function outputNotPublished(ctx: FailureContext): RuleHit | null {
  if (ctx.record.output.trim() !== "") return null;
  const f = facts(ctx);
  const byScorer = f.answer?.source === "scorer" ? f.answer : null;
  if (!byScorer && ctx.sourceOutputs !== "unpublished") return null;
  const ref = shown(shownReference(ctx), ctx, f.kind);
  return {
    title: "Output not published",
    summary: byScorer
      ? `The source published no output text for this record, only the answer its scorer extracted ("${shown(byScorer.raw, ctx, f.kind)}", against the reference "${ref}"); what led to it cannot be read.`
      : "The source published no output text for this record, nor for records of this model it scored correct on this dataset; what the model answered cannot be read.",
    evidence: byScorer ? [answerSpan(byScorer), quote(shownReference(ctx))] : [],
    confidence: 0.95,
  };
}

/** An empty output where the source published the model's other outputs on the dataset: the model returned nothing. */
export function emptyOutput(ctx: FailureContext): RuleHit | null {
  if (ctx.record.output.trim() !== "" || facts(ctx).answer !== null || ctx.sourceOutputs !== "published") return null;
  return {
    title: "Produced no output",
    summary:
      "The output is empty while the source published this model's other outputs on this dataset: the model returned no text, so there was no answer to grade.",
    evidence: [],
    confidence: 0.9,
  };
}

/** The output's own closing statement, when the scorer read a different answer: it may have read an earlier one. */
function closingAnswer(_ctx: FailureContext, f: Facts): FoundAnswer | null {
  if (f.answer?.source !== "scorer" || !f.rec.output.trim()) return null;
  const own = findAnswerInOutput(f.rec);
  return own && STRONG_SOURCES.has(own.source) ? own : null;
}

/** The answer equals the reference in another form and was stated where a grader reads answers. */
export function equivalentAnswer(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.answer && f.answerCanon !== null && f.answerCanon !== f.refCanon && f.refCanon !== null) {
    // The scorer read one answer, but the output ends by stating the reference.
    const own = closingAnswer(ctx, f);
    if (!own || canonical(own.raw, f.kind) !== f.refCanon) return null;
    // An output that also concludes the answer the scorer read ("The answer is (D)" ... "The answer
    // is (B)") contradicts itself: a model error, not the grader's.
    if (concludes(f.rec.output, f.answerCanon, f.kind)) return null;
    const ref = shown(shownReference(ctx), ctx, f.kind);
    return {
      title: "Grader read an earlier answer",
      summary: `The grader extracted "${shown(f.answer.raw, ctx, f.kind)}", but the output's closing statement ("${quote(own.span, 80)}") gives the reference "${ref}".`,
      evidence: [answerSpan(own), answerSpan(f.answer), quote(shownReference(ctx))],
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
      summary: `The output answers "${percent}", which is the reference ${quote(shownReference(ctx), 40)} written as a percentage, but the grader compared the bare numbers.`,
      evidence: [quote(percent), quote(shownReference(ctx))],
      confidence: 0.7,
    };
  if (f.wantsJson && f.answer.source !== "scorer" && f.answer.source !== "json") return null;
  const byScorer = f.answer.source === "scorer";
  const ans = shown(f.answer.raw, ctx, f.kind);
  return {
    title: "Correct answer scored as wrong",
    summary: byScorer
      ? `The grader itself extracted "${ans}", which equals the reference "${shown(shownReference(ctx), ctx, f.kind)}" once normalised, yet scored it wrong: a grader false negative.`
      : `The output states "${ans}" as its answer, equal to the reference "${shown(shownReference(ctx), ctx, f.kind)}" once normalised, but the grader scored it wrong.`,
    evidence: [answerSpan(f.answer), quote(shownReference(ctx))],
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

// A reference that itself questions the request (it makes no sense, lacks what it refers to): an
// output saying so reaches the reference's conclusion and is no refusal.
const REFERENCE_DOUBTS_RE =
  /\b(?:(?:does ?n[o']t|do ?n[o']t|doesn't|don't) (?:seem to )?make (?:much )?sense|not (?:enough|sufficient) (?:context|information)|(?:please|could you|can you) (?:provide|clarify|specify)|(?:is|seems|appears) (?:unclear|ambiguous|nonsensical)|(?:didn't|did not|haven't|have not) (?:provide|include|share|given)|no (?:\w+ )?(?:was|were|has been|have been) (?:provided|given|included)|(?:cannot|can't|can ?not|impossible to) (?:be )?(?:determine|determined|answer|know|say)|I'm sorry|I apologi[sz]e|(?:phrasing|wording) of (?:your|the) question|none of (?:them|these|the (?:options|choices))|(?:provide|share) (?:the |more )?(?:context|details))/i;

/** The model declined: a refusal near the start, and no answer (or, open-ended, little else). */
export function refusal(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  const out = f.rec.output;
  const said = findRefusal(out);
  if (!said) return null;
  if (f.kind === "open" ? out.length > Math.max(600, 0.5 * ctx.record.reference.length) : f.answer !== null)
    return null;
  // A reference that itself questions the request opens by saying so (a letter asking "could you
  // share the notes" later on does not).
  if (REFERENCE_DOUBTS_RE.test(ctx.record.reference.slice(0, 400))) return null;
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

/**
 * The output is in another writing system than the request (and the request does not ask for
 * one): most of its letters, or a passage of it (at least 40 letters and 15% of them: a switch of
 * language partway). Greek counts only as most letters: mathematics writes Greek symbols.
 */
export function wrongLanguage(ctx: FailureContext): RuleHit | null {
  const out = facts(ctx).rec.output;
  const asked = inputScript(ctx.record.input);
  if (!asked || asked.letters < 20 || asked.share < 0.8) return null;
  const got = scriptProfile(out);
  if (!got || got.letters < 20) return null;
  const other = got.scripts.find((x) => x.script !== asked.script);
  if (!other) return null;
  const share = other.letters / got.letters;
  const most = other === got.scripts[0];
  if (!most && (other.script === "Greek" || other.letters < 40 || share < 0.15)) return null;
  if (
    /translat|\b(?:in|into) (?:chinese|japanese|korean|russian|arabic|hindi|greek|hebrew|thai)\b/i.test(
      ctx.record.input,
    )
  )
    return null;
  const sample = firstRunOf(out, other.script);
  return {
    title: "Answered in the wrong language",
    summary: most
      ? `The request is in ${asked.script} script but ${Math.round(share * 100)}% of the output's letters are ${other.script} ("${quote(sample, 50)}").`
      : `The request is in ${asked.script} script but the output switches to ${other.script} script partway (${Math.round(share * 100)}% of its letters, "${quote(sample, 50)}").`,
    evidence: [quote(sample, 80)],
    confidence: 0.8,
  };
}

/** The first run of text in a script (with up to 40 characters after it), for evidence. */
function firstRunOf(out: string, script: string): string {
  const at = [...out.matchAll(/[^\s\p{Script=Latin}\p{P}\p{N}\p{S}]{2,}/gu)].find(
    (m) => dominantScript(m[0])?.script === script,
  );
  if (script === "Latin" || !at) return out;
  return out.slice(at.index!, at.index! + at[0].length + 40).split("\n")[0]!;
}

/** The output falls into a loop. */
export function degenerateRepetition(ctx: FailureContext): RuleHit | null {
  const out = facts(ctx).rec.output;
  const loop = findLoop(out);
  if (!loop) return null;
  return {
    title: "Fell into a repetition loop",
    summary: `The output degenerates into repeating "${quote(loop.unit, 60)}" (${loop.count} times) instead of progressing to an answer.`,
    evidence: [quote(loop.unit, 160), quote(out, 160, true)],
    confidence: 0.85,
  };
}

// A sentence that concludes in prose: "Therefore, we estimate it would take approximately 3,000
// balloons", "So the entropy is 52 bits", "Thus, 0-7167-0559-X is a valid ISBN-10".
const CONCLUDING_SENTENCE_RE =
  /^[\W_]*(?:therefore|thus|hence|so|in conclusion|in summary|to summarize|overall|finally|in total|as a result|the (?:final )?answer)\b[\s\S]{0,240}?(?:\b(?:is|are|was|were|equals|be|gives?|get|obtain|take|estimate|has|have)\b|=|≈)/i;

/** Whether a sentence concludes in prose ("So, we need to find ..." announces a step instead). */
function concludes_(sentence: string): boolean {
  return (
    CONCLUDING_SENTENCE_RE.test(sentence) &&
    !/^[\W_]*(?:so|thus|therefore|hence),?\s+(?:we|let's|let us|I)\s+(?:need|have to|must|can|will|should|want)\b/i.test(
      sentence,
    )
  );
}

/** The last sentence of a text (split at sentence ends and line breaks), or "". */
function lastSentence(text: string): string {
  const parts = text.trimEnd().split(/(?<=[.!?])\s+|\n+/);
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i]!.trim()) return parts[i]!.trim();
  return "";
}

// A number stated as a value ("is 0.5", "= $250", "of about 52 bits"), or a yes/no verdict.
const NUMBER_CLAIM_RE =
  /(?:\b(?:is|are|was|were|be|equals?|equal to|gives?|of|at|to)|=|≈|:)\s*(?:approximately |about |around |roughly |only |exactly |just )?[-−+]?\$?\s?\.?\d/i;
const VERDICT_RE = /\b(?:true|false|yes|no|not|valid|invalid|cannot|can't|isn't|aren't|doesn't)\b/i;
const NAMES_OPTION_RE = /\(([A-J])\)|\b(?:[Oo]ption|[Cc]hoice|[Aa]nswer)\s*(?:is\s*)?:?\s*\(?[A-J]\b/;

/**
 * Whether an output may state an answer no extraction reads: for a choice, it names an option; for
 * a number, its closing part states a value; for true/false, a verdict; and in any case, its last
 * sentence concludes in prose.
 */
function mayStateAnswer(out: string, kind: AnswerKind): boolean {
  if (concludes_(lastSentence(out))) return true;
  if (kind === "choice") return NAMES_OPTION_RE.test(out);
  const tail = out.slice(-600);
  if (kind === "bool") return VERDICT_RE.test(tail);
  return NUMBER_CLAIM_RE.test(tail) || (kind !== "number" && /=|\bis\b/.test(lastSentence(out)));
}

/** No answer, and the output stops mid-way. Open-ended: stops mid-sentence after a long output. */
export function truncated(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  const out = f.rec.output;
  if (f.answer !== null || out.trim().length < 100 || !endsAbruptly(out)) return null;
  // Lists, poems and signatures end without a full stop: open-ended output must stop mid-sentence,
  // and a list item that ends on a word is no cut either.
  if (f.kind === "open" && !endsMidSentence(out)) return null;
  if (/(?:^|\n)[ \t]*(?:\d+[.)]|[-*•])[ \t][^\n]*[\p{L}\p{N}]$/u.test(out.trimEnd()) && !endsMidSentence(out))
    return null;
  // A sentence that ends on a word may just lack its full stop ("... when D and E are true"): only a
  // dangling word, or an unclosed JSON object, shows the cut.
  if (/\p{L}$/u.test(out.trimEnd()) && !endsMidSentence(out) && !/^\s*(?:```(?:json)?\s*)?\{/.test(out)) return null;
  // An answer stated just before the cut ("... approximately 3,000 balloons. However,") was not cut off.
  if (concludes_(lastSentence(out.trimEnd().replace(/[^.!?\n]*$/, "")))) return null;
  return {
    title: "Cut off before the final answer",
    summary: `The output stops mid-way ("${quote(out, 60, true)}") without stating a final answer, as if it hit a length limit.`,
    evidence: [quote(out, 160, true)],
    confidence: f.kind === "open" ? 0.6 : 0.8,
  };
}

// A JSON "answer" field left blank or as the template's placeholder.
const BLANK_JSON_ANSWER_RE = /"answer"\s*:\s*(?:"(?:\s*|_+|none|null|n\/a)"|null)/i;

/** A complete output with no answer the grader (or we) can read, nor one stated in prose at its close. */
export function noFinalAnswer(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (f.kind === "open" || f.answer !== null) return null;
  const out = f.rec.output;
  // Nothing after an echo is the echo rule's to name; an answer stated in prose is an answer,
  // unless the output fills the requested JSON "answer" field with nothing.
  const blank = f.wantsJson && BLANK_JSON_ANSWER_RE.test(out.slice(-3000));
  if (!out.trim() || (!blank && mayStateAnswer(out, f.kind))) return null;
  if (blank)
    return {
      title: "Gave no final answer",
      summary: `The output leaves the requested JSON "answer" field empty ("${quote(BLANK_JSON_ANSWER_RE.exec(out.slice(-3000))![0], 40)}"), so there is no final answer to read.`,
      evidence: [quote(BLANK_JSON_ANSWER_RE.exec(out.slice(-3000))![0], 60), quote(out, 160, true)],
      confidence: 0.85,
    };
  const expected = f.kind === "choice" ? "an option letter" : f.wantsJson ? 'a JSON "answer" field' : "a final answer";
  return {
    title: "Gave no final answer",
    summary: `The output ("${quote(out, 60, true)}") never states ${expected}${f.kind === "choice" ? "" : ", nor a value in its closing part"}, so no answer can be read.`,
    evidence: [quote(out, 160, true)],
    confidence: 0.8,
  };
}

/** The output begins by repeating the prompt template or the request; no other rule explains what follows. */
export function echoedPrompt(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (!f.echo) return null;
  const what = f.echo.kind === "template" ? "the prompt template" : "the request";
  const rest = f.rec.output.trim();
  const after = !rest
    ? ", and writes nothing after it"
    : f.answer && f.answer.source !== "scorer"
      ? `, then answers "${shown(f.answer.raw, ctx, f.kind)}" against the reference "${shown(shownReference(ctx), ctx, f.kind)}"`
      : f.answer
        ? `; the grader read "${shown(f.answer.raw, ctx, f.kind)}" against the reference "${shown(shownReference(ctx), ctx, f.kind)}"`
        : "";
  return {
    title: "Echoed the prompt",
    summary: `The output begins by repeating ${what} ("${quote(f.echo.text, 60)}") before its own text${after}.`,
    evidence: [quote(f.echo.text, 160), ...(rest ? [quote(rest, 160)] : [])],
    confidence: 0.7,
  };
}

// Statements that conclude an answer: "the answer is (X)", "correct option is X", "\boxed{X}", "Answer: X",
// on one line ("each option:" followed by a list of options concludes nothing).
const CONCLUDE_RE =
  /(?:(?:final |correct |right |best )?(?:answer|option|choice)[ \t]*(?:is|would be|should be|must be|=|:)[ \t]*:?[ \t]*|\\boxed\{)[ \t]*["'*]{0,2}\(?([A-Ja-j]|[-+]?\$?\d[\d,]*(?:\.\d+)?(?:\/\d+)?)\b\)?/gi;

/** "1.6%" where the reference is 0.016: the span of the output that states the percentage, or null. */
function percentOfReference(ctx: FailureContext, a: FoundAnswer): string | null {
  const v = parseNumber(a.raw);
  const ref = parseNumber(ctx.record.reference);
  if (v === null || ref === null || ref === 0 || !sameNumber(v / 100, ref)) return null;
  const num = a.raw.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${num}\\s*(?:\\\\?%|percent)`).exec(ctx.record.output.slice(-400))?.[0] ?? null;
}

interface Conclusion {
  canon: string;
  at: number;
  span: string;
}

// What may follow a concluded number: not an operator, more of an expression ("20 + 20 = 85",
// "2πx", "6 * 10"), a range or alternatives ("3 or 4"). Then the number is a step, not a conclusion.
const UNFINISHED_NUMBER_RE =
  /^(?:[\p{L}π√_^{(\\]|\s*(?:[-+*/×÷·=^−–]|\\(?:times|cdot|div|pm|frac)\b)|\s*(?:or|to|and)\s+[-+$]?\d)/u;

/** The explicit conclusions of an output ("the answer is (C)", "\\boxed{12}"), in order, for a choice or number item. */
function conclusions(out: string, kind: AnswerKind): Conclusion[] {
  const found: Conclusion[] = [];
  CONCLUDE_RE.lastIndex = 0;
  for (let m = CONCLUDE_RE.exec(out); m; m = CONCLUDE_RE.exec(out)) {
    const raw = m[1]!;
    const isLetter = /^[A-Ja-j]$/.test(raw);
    if (isLetter !== (kind === "choice")) continue;
    if (isLetter && /[a-j]/.test(raw) && !m[0].includes("(")) continue; // a lone lower-case letter is a word
    if (!isLetter && UNFINISHED_NUMBER_RE.test(out.slice(m.index + m[0].length, m.index + m[0].length + 12))) continue;
    const c = canonical(isLetter ? raw : cleanAnswerText(raw), kind);
    if (c !== null) found.push({ canon: c, at: m.index, span: m[0] });
  }
  return found;
}

/** The reference was concluded in the reasoning, and a later, last conclusion gives the final answer instead. */
export function abandonedRightAnswer(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (!f.answer || f.answerCanon === null || f.refCanon === null || f.answerCanon === f.refCanon) return null;
  if (f.kind !== "choice" && f.kind !== "number") return null;
  const out = f.rec.output;
  const cs = conclusions(out, f.kind);
  const ref = cs.find((c) => c.canon === f.refCanon);
  const last = cs.at(-1);
  // The output's own last conclusion is the final answer, and it comes after the reference's.
  if (!ref || !last || last.canon !== f.answerCanon || last.at <= ref.at) return null;
  const context = fromWordStart(out.slice(0, ref.at + ref.span.length), Math.max(0, ref.at - 60));
  return {
    title: "Reached the right answer, then abandoned it",
    summary: `The output first concludes the reference ("${quote(ref.span, 60)}"), then concludes "${shown(f.answer.raw, ctx, f.kind)}" as its final answer.`,
    evidence: [quote(context, 160), quote(last.span, 160)],
    confidence: 0.65,
  };
}

/** Digits a plain decimal number shows: after the point, and significant in all. Null for other forms. */
function shownDigits(s: string): { decimals: number; significant: number } | null {
  const t = cleanAnswerText(s)
    .replace(/^[≈~]\s*/, "")
    .replace(/^\$/, "")
    .replace(/(\d),(?=\d{3}\b)/g, "$1");
  const m = /^[-+]?(\d*)(?:\.(\d+))?(?:\s*[a-zA-Z][a-zA-Z/ ]{0,30})?$/.exec(t);
  if (!m || !(m[1] || m[2])) return null;
  const digits = `${m[1] ?? ""}${m[2] ?? ""}`.replace(/^0+/, "");
  return { decimals: m[2]?.length ?? 0, significant: digits.length };
}

/**
 * A final number off from the reference only in its last digits: one of the two, rounded to the
 * decimals the other shows, is the other (which shows at least 2 significant digits) and they are
 * within 1% of each other, or they are within 0.1% of each other. Not for two integers (an integer off by one is a different count) nor
 * fractions (exact values).
 */
export function numericNearMiss(ctx: FailureContext): RuleHit | null {
  const f = facts(ctx);
  if (!f.answer || f.kind !== "number") return null;
  const a = parseNumber(f.answer.raw);
  const b = parseNumber(ctx.record.reference);
  if (a === null || b === null || sameNumber(a, b) || b === 0) return null;
  if (Number.isInteger(a) && Number.isInteger(b)) return null;
  const da = shownDigits(f.answer.raw);
  const db = shownDigits(ctx.record.reference);
  if (!da || !db) return null;
  const roundsTo = (x: number, decimals: number, y: number) => sameNumber(Number(x.toFixed(decimals)), y);
  const rounding =
    (da.decimals < db.decimals && da.significant >= 2 && roundsTo(b, da.decimals, a)) ||
    (db.decimals < da.decimals && db.significant >= 2 && roundsTo(a, db.decimals, b));
  const rel = Math.abs(a - b) / Math.abs(b);
  if (rel > (rounding ? 0.01 : 0.001)) return null;
  const ref = shownReference(ctx);
  const [coarse, fine] = da.decimals < db.decimals ? [f.answer.raw, ref] : [ref, f.answer.raw];
  return {
    title: "Off only in the last digits",
    summary: rounding
      ? `The final answer ${quote(f.answer.raw, 40)} and the reference ${quote(ref, 40)} agree once ${quote(fine, 40)} is rounded to the digits ${quote(coarse, 40)} shows.`
      : `The final answer ${quote(f.answer.raw, 40)} differs from the reference ${quote(ref, 40)} by only ${(rel * 100).toPrecision(2)}% of its value.`,
    evidence: [answerSpan(f.answer), quote(ref)],
    confidence: 0.6,
  };
}

/** Median output length of the other models on the item (the reference's length when there are none). */
export function peerMedianLength(ctx: FailureContext): number {
  const others = ctx.itemRecords
    .filter((r) => r !== ctx.record)
    .map((r) => r.output.trim().length)
    .sort((x, y) => x - y);
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
  { id: "output-not-published", category: LEAF.notPublished, fn: outputNotPublished },
  { id: "empty-output", category: LEAF.empty, fn: emptyOutput },
  // Before the equivalent-answer rule: "(D) and (B)" read as "(D)" is no equivalent answer, and
  // several answers where one is wanted is what failed, whichever of them the grader read.
  { id: "several-answers", category: LEAF.severalAnswers, fn: (ctx) => severalAnswers(ctx, facts(ctx)) },
  { id: "equivalent-answer", category: LEAF.equivalent, fn: equivalentAnswer },
  { id: "right-answer-wrong-form", category: LEAF.answerFormat, fn: rightAnswerWrongForm },
  { id: "refusal", category: LEAF.refusal, fn: refusal },
  { id: "wrong-language", category: LEAF.language, fn: wrongLanguage },
  { id: "degenerate-repetition", category: LEAF.repetition, fn: degenerateRepetition },
  // A dataset's own rules (datasets/index.ts) read its benchmark's tags: more specific than any
  // generic rule below, and they speak only of a clear answer, so the form rules above keep theirs
  // (BBQ's broken outputs, a lone "The", stay "no final answer").
  ...DATASET_RULES,
  // A conclusion that nothing can be answered is a stated answer of its own: before the rules for
  // outputs that stop or conclude nothing, which would say less.
  { id: "declared-unanswerable", category: LEAF.declaredUnanswerable, fn: declaredUnanswerable },
  { id: "truncated", category: LEAF.truncated, fn: truncated },
  { id: "no-final-answer", category: LEAF.noAnswer, fn: noFinalAnswer },
  { id: "abandoned-right-answer", category: LEAF.abandoned, fn: abandonedRightAnswer },
  // A false computation carried to the answer names a cause; a near-miss only says how far off.
  { id: "arithmetic-slip", category: LEAF.arithmetic, fn: arithmeticSlip },
  { id: "numeric-near-miss", category: LEAF.nearMiss, fn: numericNearMiss },
  // A relation of the final number to the reference says only how it is off, so it comes after the
  // rules that name more (a false computation, an abandoned right answer); disjoint from a near-miss.
  { id: "sign-error", category: LEAF.signError, fn: (ctx) => signError(ctx, facts(ctx)) },
  { id: "power-of-ten", category: LEAF.powerOfTen, fn: (ctx) => powerOfTen(ctx, facts(ctx)) },
  { id: "far-too-short", category: LEAF.tooShort, fn: farTooShort },
  // Last: an echo names the failure only when nothing the model wrote after it is explained.
  { id: "echoed-prompt", category: LEAF.echo, fn: echoedPrompt },
];

/**
 * What can be said of a failure no rule explains, by what the rules found in it: no output text,
 * an open-ended output, a final answer that differs from the reference, or no answer they can read.
 */
export function unexplainedSummary(ctx: FailureContext): string {
  const f = facts(ctx);
  if (!ctx.record.output.trim())
    return "The record has no output text, and nothing shows whether the model returned none or the source left it out.";
  if (f.kind === "open")
    return "An open-ended output scored below the dataset's success threshold; no offline rule explains why.";
  if (f.answer) {
    const who = f.answer.source === "scorer" ? "The grader read the final answer" : "The output's final answer is";
    return `${who} "${shown(f.answer.raw, ctx, f.kind)}", which differs from the reference "${shown(shownReference(ctx), ctx, f.kind)}"; no offline rule explains why.`;
  }
  return "The output states no final answer the rules can extract (it may conclude in prose); no offline rule explains why it was scored wrong.";
}
