// Rules that state a checkable relation between the final answer and the reference, and nothing
// more: the answer is the reference with the opposite sign, the reference times a power of ten, or
// the output commits to several final answers where the item wants one. Each was read by hand on
// real failures (docs/validation/rules-c.md); the filters below are what that reading required.
// Pure functions of the record as the rules read it (rules.ts Facts): they read no other record.
import {
  cleanAnswerText,
  lastBraced,
  lastMatch,
  parseNumber,
  parseOptions,
  sameNumber,
  type AnswerKind,
  type FoundAnswer,
} from "../../lib/consensus.ts";
import type { EvalRecord } from "../../../src/lib/schemas.ts";
import type { FailureContext } from "../types.ts";
import { fromWordStart, quote } from "./text.ts";

export interface RelationHit {
  title: string;
  summary: string;
  evidence: string[];
  confidence: number;
}

/** What these rules read of a failure: the part of rules.ts Facts they need. */
export interface RelationFacts {
  /** The record as the rules read it (an echoed prompt already cut off its output). */
  rec: EvalRecord;
  kind: AnswerKind;
  answer: FoundAnswer | null;
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** The reference as a reader sees it: without the "# " GSM8K's answers start with. */
function shownRef(r: EvalRecord): string {
  return r.reference.trim().replace(/^#\s*/, "");
}

/** Significant digits of a number ("1.12" → "112", "51200" → "512", "0.016" → "16"). */
export function significantDigits(x: number): string {
  const s = Math.abs(x).toPrecision(12).split("e")[0]!.replace(".", "");
  return s.replace(/^0+/, "").replace(/0+$/, "");
}

/**
 * Whether a value is specific enough that another answer landing on a simple transform of it
 * (its negative, it times ten) is unlikely to be chance: two or more significant digits, and not a
 * whole number below 100. Hand-reading showed wrong methods landing on small whole numbers (1, 4,
 * 6, 55, 80) that happen to relate to the reference; 1.12, 245 or 51200 did not.
 */
function specific(y: number): boolean {
  const a = Math.abs(y);
  return significantDigits(a).length >= 2 && (!Number.isInteger(a) || a >= 100);
}

/** The answer's value and the reference's, when both are plain numbers on a numeric item. */
function numbers(f: RelationFacts): { x: number; y: number } | null {
  if (f.kind !== "number" || !f.answer) return null;
  const x = parseNumber(f.answer.raw);
  const y = parseNumber(f.rec.reference);
  return x === null || y === null || x === 0 || y === 0 || !Number.isFinite(x) || !Number.isFinite(y) ? null : { x, y };
}

/** An answer written as a percentage ("23%", "23 percent") at the output's end. */
function statedAsPercent(out: string, raw: string): boolean {
  const num = raw.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${num}\\s*(?:\\\\?%|percent)`, "i").test(out.slice(-600));
}

/**
 * Evidence for a numeric answer: the span the output states it in; for the scorer's answer, the
 * closing sentence that holds it as written, else the output's end (where the scorer read it, in
 * another form such as "4.2x10^7").
 */
function numberEvidence(out: string, a: FoundAnswer): string {
  if (a.source !== "scorer") return quote(a.span, 160);
  const tail = out.slice(-600);
  const at = tail.lastIndexOf(a.raw.trim());
  if (at < 0) return quote(out.trimEnd(), 160, true);
  const start = Math.max(0, at - 100);
  return quote(fromWordStart(tail.slice(0, at + a.raw.trim().length + 20), start), 160);
}

/** A power of ten as a reader takes it in: "10", "1,000", then "10^6". */
function powerShown(k: number): string {
  return k <= 3 ? (10 ** k).toLocaleString("en-US") : `10^${k}`;
}

// ---------------------------------------------------------------------------------------------
// Sign

/** The final answer is the reference with the opposite sign (a non-zero, specific value). */
export function signError(ctx: FailureContext, f: RelationFacts): RelationHit | null {
  const n = numbers(f);
  if (!n || !sameNumber(n.x, -n.y) || !specific(n.y)) return null;
  const a = f.answer!;
  return {
    title: "Right magnitude, wrong sign",
    summary: `The final answer ${quote(a.raw, 40)} is the reference ${quote(shownRef(ctx.record), 40)} with the opposite sign: the magnitude is right, the sign is not.`,
    evidence: [numberEvidence(f.rec.output, a), quote(shownRef(ctx.record))],
    confidence: 0.7,
  };
}

// ---------------------------------------------------------------------------------------------
// Power of ten

/**
 * The powers of ten the question states its unit in ("(Unit: 10^7 rad/s)", "X * 10^{-10} N"):
 * an answer that is the reference times one of them gave the quantity in base units.
 */
export function statedUnitPowers(input: string): number[] {
  const out = new Set<number>();
  for (const m of input.matchAll(/10\s*\^\s*\{?\s*([-−]?\s*\d{1,2})\s*\}?/g))
    out.add(Number(m[1]!.replace(/[−\s]/g, (c) => (c === "−" ? "-" : ""))));
  return [...out];
}

/** The final answer is the reference times 10^k (k ≠ 0, |k| ≤ 9): the significant digits agree, the scale does not. */
export function powerOfTen(ctx: FailureContext, f: RelationFacts): RelationHit | null {
  const n = numbers(f);
  if (!n) return null;
  const k = Math.round(Math.log10(Math.abs(n.x / n.y)));
  if (k === 0 || Math.abs(k) > 9 || !sameNumber(n.x, n.y * 10 ** k)) return null;
  const a = f.answer!;
  // "23%" against 0.23 is the same answer in another form (equivalent-answer's business), not a slip.
  if (Math.abs(k) === 2 && statedAsPercent(f.rec.output, a.raw)) return null;
  const unit = statedUnitPowers(ctx.record.input).includes(k);
  if (!unit && !specific(n.y)) return null;
  const ref = shownRef(ctx.record);
  const factor = k > 0 ? `${powerShown(k)} times` : `1/${powerShown(-k)} of`;
  const summary = unit
    ? `The question states its unit as a multiple of 10^${k}, and the final answer ${quote(a.raw, 40)} is the reference ${quote(ref, 40)} × 10^${k}: the quantity in base units rather than in the unit asked for.`
    : `The final answer ${quote(a.raw, 40)} is ${factor} the reference ${quote(ref, 40)}: the significant digits agree, the scale (a power of ten) does not.`;
  return {
    title: unit ? "Answered in base units, not the unit asked for" : `Off by a factor of ${powerShown(Math.abs(k))}`,
    summary,
    evidence: [numberEvidence(f.rec.output, a), quote(ref)],
    confidence: 0.7,
  };
}

// ---------------------------------------------------------------------------------------------
// Several final answers

// A final-answer statement: "the answer is", "the answers are", "the correct options are", "Answer:".
const FINAL_STATEMENT_RE =
  /(?:\b(?:answers?|(?:final|correct|right|best)\s+(?:options?|choices?))\s*(?:is|are|would be|should be|:)|\bAnswer\s*:)\s*:?\s*/gi;
// An option letter as an answer names it: "(C)", or a lone capital followed by punctuation, the end
// or a joining word ("C and D."); so "I" the pronoun and "A" the article are not read as options.
const BARE_END = String.raw`(?=\s*(?:[.,;:)*]|$|\s(?:and|or|&|are)\b))`;
const LETTER = String.raw`(?:\(([A-J])\)|\b([A-J])\b${BARE_END})`;
// What one letter of several is for: "(A) for (a) and (B) for (b)", "(H) for the same direction, and (J) ...".
const FOR_PART = String.raw`(?:\s+for\s+(?:\([a-z]\)|[^,.;()\n]{1,40}))?`;
// Two or more letters joined by "and", "or", "&", "/" or commas: "(A) and (C)", "B, D and F".
const SEVERAL_LETTERS_RE = new RegExp(
  String.raw`^[*_"']*(?:(?:a )?combination of |both |either |options? |choices? )*${LETTER}[*_]*${FOR_PART}(?:\s*,\s*(?:and |or )?|\s+(?:and|or|&)\s+|\s*\/\s*)(?:options? |choices? )?${LETTER}`,
  "",
);
// Words after the statement by which an output goes on to settle on one answer, or qualifies it.
const SETTLES_RE =
  /\b(?:however|but|if (?:i|we) (?:had|have) to|only one|single|choose|chose|pick|select|most (?:likely|appropriate|correct)|best answer)\b/i;

export interface SeveralAnswers {
  /** The distinct answers the statement names, as written ("B", "D"; "6", "7"). */
  answers: string[];
  /** The statement, for evidence. */
  span: string;
}

/**
 * A multiple-choice output whose last final-answer statement names two or more different options
 * ("The answer is (A) and (C)"), and that names no other option and does not go on to settle on
 * one after it. Null otherwise (listing options and then picking one is a single answer).
 */
export function severalChoiceAnswers(output: string, input: string): SeveralAnswers | null {
  const options = parseOptions(input);
  if (options.size < 2) return null;
  const end = output.length > 3000 ? output.slice(-3000) : output;
  const st = lastMatch(FINAL_STATEMENT_RE, end);
  if (!st) return null;
  const after = end.slice(st.index + st[0].length);
  const m = SEVERAL_LETTERS_RE.exec(after);
  if (!m) return null;
  const letters = [(m[1] ?? m[2])!, (m[3] ?? m[4])!].map((l) => l.toUpperCase());
  // Further letters of the same list ("B, D and F").
  const list = new RegExp(String.raw`^(?:\s*(?:,|and|or|&|\/)\s*(?:and |or )?(?:options? |choices? )?${LETTER})*`).exec(
    after.slice(m[0].length),
  );
  for (const x of (list?.[0] ?? "").matchAll(/\(([A-J])\)|\b([A-J])\b/g)) letters.push((x[1] ?? x[2])!.toUpperCase());
  const distinct = [...new Set(letters)];
  if (distinct.length < 2 || !distinct.every((l) => options.has(l))) return null;
  // After the list, the output must not settle on one or name any other option.
  const rest = after.slice(m[0].length + (list?.[0].length ?? 0));
  if (SETTLES_RE.test(rest)) return null;
  for (const x of rest.matchAll(/\(([A-Ja-j])\)|\b(?:option|choice)\s+([A-J])\b/gi))
    if (!distinct.includes((x[1] ?? x[2])!.toUpperCase())) return null;
  if (rest.trim().length > 300) return null;
  const span = `${st[0]}${after.slice(0, m[0].length + (list?.[0].length ?? 0))}`;
  return { answers: distinct, span };
}

// Two numbers offered as alternatives in one final statement: "the answer is 6 or 7".
const NUMBER = String.raw`[-+]?\$?\d[\d,]*(?:\.\d+)?`;
const NUMBER_ALTERNATIVES_RE = new RegExp(
  String.raw`^\$?(${NUMBER})\$?\s*(?:,\s*)?(?:or|and)\s+\$?(${NUMBER})\$?(?=\s*(?:[.,;]?\s*$|[.;]\s))`,
  "i",
);

/**
 * A numeric output whose last final-answer statement offers two different numbers ("6 or 7"), or
 * whose last two \boxed{} answers are different numbers, with nothing after them settling on one.
 * Two forms of one value (23 and 0.23, 23%) are not two answers.
 */
export function severalNumberAnswers(output: string): SeveralAnswers | null {
  const end = output.length > 3000 ? output.slice(-3000) : output;
  const distinctValues = (a: string, b: string): boolean => {
    const x = parseNumber(a);
    const y = parseNumber(b);
    return x !== null && y !== null && !sameNumber(x, y) && !sameNumber(x, y * 100) && !sameNumber(y, x * 100);
  };
  const st = lastMatch(FINAL_STATEMENT_RE, end);
  if (st) {
    const after = end.slice(st.index + st[0].length);
    const m = NUMBER_ALTERNATIVES_RE.exec(after);
    if (m && distinctValues(m[1]!, m[2]!) && !/%|percent/i.test(after.slice(0, m[0].length + 12))) {
      const rest = after.slice(m[0].length);
      if (!SETTLES_RE.test(rest) && rest.trim().length <= 300)
        return { answers: [cleanAnswerText(m[1]!), cleanAnswerText(m[2]!)], span: `${st[0]}${m[0]}` };
    }
  }
  // The last two boxed answers, close together at the very end.
  const tail = end.slice(-400);
  const last = lastBraced(tail, "\\boxed");
  if (last === null) return null;
  const lastAt = tail.lastIndexOf("\\boxed{");
  const before = tail.slice(0, lastAt);
  const prev = lastBraced(before, "\\boxed");
  if (prev === null) return null;
  const prevAt = before.lastIndexOf("\\boxed{");
  const between = before.slice(prevAt + prev.length + 8);
  const rest = tail.slice(lastAt + last.length + 8);
  if (
    between.length > 40 ||
    !/\b(?:or|and)\b|,/.test(between) ||
    SETTLES_RE.test(between + rest) ||
    rest.trim().length > 80
  )
    return null;
  if (!distinctValues(cleanAnswerText(prev), cleanAnswerText(last))) return null;
  return {
    answers: [cleanAnswerText(prev), cleanAnswerText(last)],
    span: tail.slice(prevAt, lastAt + last.length + 8),
  };
}

/** The output commits to more than one final answer where the item (one option, one number) wants one. */
export function severalAnswers(ctx: FailureContext, f: RelationFacts): RelationHit | null {
  const out = f.rec.output;
  const found =
    f.kind === "choice"
      ? severalChoiceAnswers(out, ctx.record.input)
      : f.kind === "number"
        ? severalNumberAnswers(out)
        : null;
  if (!found) return null;
  const ref = shownRef(ctx.record);
  const canon = (s: string) => (f.kind === "choice" ? s.toUpperCase() : String(parseNumber(s)));
  const refAmong = found.answers.some((a) => canon(a) === canon(f.kind === "choice" ? ref.replace(/[()]/g, "") : ref));
  const names = found.answers.map((a) => (f.kind === "choice" ? `(${a})` : a));
  const listed = `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return {
    title: "Gave more than one final answer",
    summary: `The output's final statement commits to ${listed} ("${quote(found.span, 80)}") where the item wants a single answer; ${refAmong ? `the reference, ${quote(ref, 40)}, is one of them.` : `the reference is ${quote(ref, 40)}.`}`,
    evidence: [quote(found.span, 160), quote(ref)],
    confidence: 0.8,
  };
}
