// What answer a record gives, normalised so that answers of different models (and the reference)
// can be compared, and which items look like their reference is wrong because most models —
// strong ones included — agree on another answer. Used by the heuristic judge (answers) and by the
// pipeline's finalise stage (disputed items per dataset); it depends on nothing but the schemas
// and the dataset plug-ins' knowledge of scorers' "no answer" markers.
// The one import from outside src/lib: per-dataset knowledge of scorers' "no answer" markers.
import { scorerGaveNoAnswer } from "../judges/heuristic/datasets/index.ts";
import type { EvalRecord, SuspectItem } from "../../src/lib/schemas.ts";

// ---------------------------------------------------------------------------------------------
// Numbers and TeX

const NUMBER_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** Strips TeX and typographic wrapping that does not change an answer's meaning. */
export function cleanAnswerText(s: string): string {
  let t = s.trim();
  t = unwrapCommand(t, "boxed");
  t = t.replace(/\\(?:text|textbf|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}/g, "$1");
  t = t.replace(/\\[dt]frac/g, "\\frac");
  t = t.replace(/\\left|\\right|\\[,!;: ]|\\displaystyle/g, "");
  t = t.replace(/\^\s*\{?\\circ\}?|°|\\%|%|\\\$|\$/g, "");
  t = t.replace(/\s+/g, " ").trim();
  // Leading "x =" or "#" (GSM8K writes "# 14"), trailing full stop, surrounding quotes or braces.
  t = t.replace(/^#\s*/, "").replace(/^[a-zA-Z]\s*=\s*(?=\S)/, "");
  t = t.replace(/[.。]+$/, "").trim();
  while (/^\{.*\}$/.test(t) && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  t = t.replace(/^["'`]+|["'`]+$/g, "").trim();
  return t;
}

/** The value of a plain number, a fraction, a TeX fraction, a thousands-separated or scientific number. */
export function parseNumber(s: string): number | null {
  let t = cleanAnswerText(s).replace(/^[≈~]\s*/, "");
  if (!t || t.length > 80) return null;
  // A number followed by a unit of up to four words ("230 miles", "55 meters per second", "3 kg m/s"):
  // the unit does not change the value. (Bounded and without nested repetition: no backtracking blow-up.)
  const unit = /^([-+]?[\d.,]*\d)\s*([a-zA-Z][a-zA-Z/²³^\d]*(?: [a-zA-Z/][a-zA-Z/²³^\d]*){0,3})$/.exec(t);
  if (unit && /[a-zA-Z]{2}/.test(unit[2]!) && !/^[eE]\d/.test(unit[2]!)) t = unit[1]!;
  t = t.replace(/\s+/g, "");
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/,/g, "");
  if (NUMBER_RE.test(t)) return Number(t);
  let m = /^([-+]?)\\frac\{([-+]?[\d.]+)\}\{([-+]?[\d.]+)\}$/.exec(t) ?? /^([-+]?)\\frac(\d)(\d)$/.exec(t);
  if (m && NUMBER_RE.test(m[2]!) && NUMBER_RE.test(m[3]!) && Number(m[3]) !== 0)
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) / Number(m[3]));
  m = /^([-+]?(?:\d+\.?\d*|\.\d+))\/(\d+\.?\d*)$/.exec(t);
  if (m && Number(m[2]) !== 0) return Number(m[1]) / Number(m[2]);
  m = /^([-+]?(?:\d+\.?\d*|\.\d+))(?:\\times|×|x|\*|\\cdot)10\^\{?([-+]?\d+)\}?$/.exec(t);
  if (m) return Number(m[1]) * 10 ** Number(m[2]);
  return null;
}

/** Whether two numbers are the same answer (relative tolerance for float noise only). */
export function sameNumber(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === "{") depth++;
    else if (c === "}" && --depth < 0) return false;
  }
  return depth === 0;
}

/** `\cmd{...}` → `...` with balanced braces (the last occurrence when several). */
function unwrapCommand(s: string, cmd: string): string {
  const inner = lastBraced(s, `\\${cmd}`);
  return inner === null ? s : inner;
}

/** Content of the last `<prefix>{...}` in s, braces balanced, or null. */
export function lastBraced(s: string, prefix: string): string | null {
  const at = s.lastIndexOf(prefix + "{");
  if (at < 0) return null;
  let depth = 0;
  const start = at + prefix.length;
  for (let i = start; i < s.length; i++) {
    if (s[i] === "{") depth++;
    else if (s[i] === "}" && --depth === 0) return s.slice(start + 1, i);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// What kind of answer an item wants

export type AnswerKind = "choice" | "number" | "bool" | "list" | "text" | "open";

/** Options of a multiple-choice input: lines "A. text" / "A) text", or inline "(a) text". */
export function parseOptions(input: string): Map<string, string> {
  const hit = optionsCache.get(input);
  if (hit) return hit;
  if (optionsCache.size > 10_000) optionsCache.clear();
  const out = readOptions(input);
  optionsCache.set(input, out);
  return out;
}
// Every model's record of an item repeats its input: parse the options once per input.
const optionsCache = new Map<string, Map<string, string>>();

function readOptions(input: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of input.matchAll(/^\s*\(?([A-J])[.)]\s+(.+?)\s*$/gm)) if (!out.has(m[1]!)) out.set(m[1]!, m[2]!);
  if (out.size >= 2) return out;
  out.clear();
  for (const m of input.matchAll(/\(([a-j])\)\s*([^()]+?)(?=\s*\([a-j]\)|\s*Which option|\s*$)/g))
    if (!out.has(m[1]!.toUpperCase())) out.set(m[1]!.toUpperCase(), m[2]!.trim());
  return out.size >= 2 ? out : new Map();
}

const kindCache = new WeakMap<EvalRecord, AnswerKind>();

/**
 * The kind of answer the item wants, read from its reference: an option letter present among the
 * input's options, a number, true/false, a list, a short text (math TeX), or "open" (a reference
 * of prose or longer than 60 characters: open-ended items have no single comparable answer).
 */
export function answerKind(r: EvalRecord): AnswerKind {
  const hit = kindCache.get(r);
  if (hit) return hit;
  const ref = r.reference.trim();
  let kind: AnswerKind;
  const letter = /^\(?([A-Ja-j])\)?$/.exec(ref)?.[1];
  if (letter && parseOptions(r.input).has(letter.toUpperCase())) kind = "choice";
  else if (parseNumber(ref) !== null) kind = "number";
  else if (/^(true|false)$/i.test(ref)) kind = "bool";
  else if (/^\[.*\]$/s.test(ref) || /^[-+]?[\d.]+(?:\s*,\s*[-+]?[\d.]+)+$/.test(ref)) kind = "list";
  else if (ref.length > 60 || proseWords(ref) >= 2) kind = "open";
  else kind = "text";
  kindCache.set(r, kind);
  return kind;
}

/** Words of prose in a text (TeX commands such as \\frac do not count). */
function proseWords(s: string): number {
  return s.match(/(?<![\\a-zA-Z])[a-zA-Z]{2,}/g)?.length ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Recovering the final answer from an output

/** How an answer was found: by the original scorer, or by one of our extractions (strong to weak). */
export type AnswerSource = "scorer" | "json" | "boxed" | "statement" | "bare" | "option_text" | "last_mention";

export interface FoundAnswer {
  /** The answer as written (cleaned of TeX wrapping), e.g. "C", "47.25", "\\frac{1}{2}". */
  raw: string;
  /** Where it came from. */
  source: AnswerSource;
  /** The span of the output that states it (for evidence); for the scorer's answer, its extracted value as given. */
  span: string;
}

// Template blanks and empty values, not answers. ("undefined" and "no solution" are answers in maths.)
const PLACEHOLDER_RE = /^(?:_+|none|null|n\/a|nan|\s*)$/i;
const JSON_ANSWER_RE = /"answer"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+\w.]+))/g;
// The statement's value is read in a lookahead, so that one statement never swallows the next on
// its line ("The answer is not listed. However, the closest option is: F").
const STATEMENT_RE =
  /(?:answer(?: choice| option)?|(?:correct|final|best|right|closest) (?:option|choice)(?: to this value)?)\s*(?:is|:)\s*:?\s*(?=([^\n]{1,160}))/gi;

/** The last match of a global regex in s (empty matches stepped over). */
export function lastMatch(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    last = m;
    if (m[0] === "") re.lastIndex++;
  }
  return last;
}

/** The option letter a statement starts with ("(C) text", "C.", "C"), if it is one of the options. */
function leadingLetter(s: string, options: Map<string, string>): string | null {
  const m = /^\s*[*_]*(?:\(([A-Ja-j])\)|([A-J])\)?)(?=$|[\s.,:;)*_])/.exec(s);
  const l = (m?.[1] ?? m?.[2])?.toUpperCase();
  return l && options.has(l) ? l : null;
}

/** The one option whose text appears in s (longest wins when one option's text contains another's). */
function optionByText(s: string, options: Map<string, string>): string | null {
  const low = s.toLowerCase();
  let best: [string, number] | null = null;
  let tie = false;
  for (const [k, v] of options) {
    const t = v.toLowerCase().replace(/[.\s]+$/, "");
    if (t.length < 3 || !low.includes(t)) continue;
    if (!best || t.length > best[1]) [best, tie] = [[k, t.length], false];
    else if (t.length === best[1]) tie = true;
  }
  return best && !tie ? best[0] : null;
}

/** The statement text of an answer: up to the end of its sentence, TeX wrapping removed. */
export function statementValue(s: string, kind: AnswerKind): string {
  let v = s.trim();
  const boxed = lastBraced(v, "\\boxed");
  if (boxed !== null) return cleanAnswerText(boxed);
  if (kind === "number") {
    const whole = cleanAnswerText(v);
    if (parseNumber(whole) !== null) return whole;
    const n = numberInStatement(v);
    if (n !== null) return n;
  }
  v = v.replace(/(?<=\S)[.。](?:\s.*)?$/s, "");
  return cleanAnswerText(v);
}

// A number as an answer states it: sign, currency, thousands, decimals, a fraction or a power of ten.
const STATED_NUMBER_RE =
  /[-+]?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:\s*\/\s*\d+(?:\.\d+)?)?(?:\s*(?:\\times|×|x|\*)\s*10\s*\^\s*\{?[-+−]?\d+\}?)?/y;

/**
 * The number a prose statement gives ("the answer is 4 (Thursday ...)", "X = 1.33 x 10^-10 N"), or
 * null when the statement is not one clear number: an expression ("2πx"), a range or alternatives
 * ("$6,000 and $10,000"), or a number far into the sentence.
 */
function numberInStatement(s: string): string | null {
  // Numbers inside an expression ("Z_{18}", "\\sum_{k=1}") are not the stated answer.
  if (/\$\$|\\[a-zA-Z]/.test(s.slice(0, 60))) return null;
  const candidates = /[-+$]?\d|[-+]?\.\d/g;
  for (let c = candidates.exec(s); c && c.index <= 60; c = candidates.exec(s)) {
    if (c.index > 0 && /[A-Za-z_{^\\=(,.\d]/.test(s[c.index - 1]!)) continue;
    STATED_NUMBER_RE.lastIndex = c.index;
    const m = STATED_NUMBER_RE.exec(s);
    if (!m || !/\d/.test(m[0])) continue;
    const rest = s.slice(c.index + m[0].length);
    if (/^(?:[\d^*/(π√a-zA-Z_{}\])\\]|\s*[-+*/=^]\s*[\d(a-zA-Z\\])/.test(rest)) return null;
    if (/^\s*(?:and|or|to|-|–)\s*\$?\d/.test(rest)) return null;
    const value = m[0].replace(/−/g, "-").replace(/\s*(?:x|\*)\s*10\s*\^/, "\\times10^");
    return parseNumber(value) === null ? null : cleanAnswerText(value);
  }
  return null;
}

/**
 * The final answer an output states, found without the original scorer: the JSON `answer`
 * field, the last `\boxed{}`, the last "answer is ..." statement, a bare short output, then (for
 * multiple choice only, weak) an option's text or the last "(X)" in the closing sentences.
 */
export function findAnswerInOutput(r: EvalRecord): FoundAnswer | null {
  const out = r.output;
  if (!out.trim()) return null;
  const kind = answerKind(r);
  const options = kind === "choice" ? parseOptions(r.input) : new Map<string, string>();
  const finish = (raw: string | null, source: AnswerSource, span: string): FoundAnswer | null => {
    if (raw === null) return null;
    const v = kind === "choice" ? (leadingLetter(raw, options) ?? optionByText(raw, options)) : raw.trim();
    if (!v || PLACEHOLDER_RE.test(v)) return null;
    return { raw: v, source, span: span.trim().slice(0, 160) };
  };
  // Final answers close an output: search its end only (outputs run to thousands of characters).
  const end = out.length > 2000 ? out.slice(-2000) : out;
  const json = lastMatch(JSON_ANSWER_RE, end);
  if (json) {
    const raw = json[1] !== undefined ? json[1].replace(/\\\\/g, "\\").replace(/\\"/g, '"') : json[2]!;
    const got = finish(
      kind === "choice" ? raw : statementValue(raw, kind === "number" ? "number" : "text"),
      "json",
      json[0],
    );
    if (got) return got;
  }
  const boxed = lastBraced(out, "\\boxed");
  if (boxed !== null && kind !== "open") {
    const got = finish(cleanAnswerText(boxed), "boxed", `\\boxed{${boxed}}`);
    if (got) return got;
  }
  if (kind === "open") return null;
  const st = lastMatch(STATEMENT_RE, end);
  if (st) {
    const got = finish(kind === "choice" ? st[1]! : statementValue(st[1]!, kind), "statement", st[0] + st[1]!);
    if (got) return got;
  }
  const trimmed = out.trim();
  // A yes/no question answered in the first word ("Yes, there is an eigenbasis ..."), with no other
  // verdict word later in the output that could contradict it.
  if (kind === "bool") {
    const first = trimmed.split(/(?<=[.!?])\s+|\n/)[0]!;
    const verdict = proseVerdict(first);
    const other = verdict === "true" ? /\b(?:no|false|not true|incorrect)\b/i : /\b(?:yes|true|correct)\b/i;
    if (verdict && !other.test(trimmed.slice(first.length)) && !HEDGE_RE.test(trimmed))
      return { raw: first, source: "statement", span: first.slice(0, 160) };
  }
  if (trimmed.length <= 40) {
    const got = finish(kind === "choice" ? trimmed : cleanAnswerText(trimmed), "bare", trimmed);
    if (got) return got;
  }
  if (kind === "choice") {
    const tail = out.slice(-300);
    const lastSentence =
      tail
        .split(/(?<=[.!?])\s+/)
        .filter((x) => x.trim())
        .pop() ?? "";
    const byText = optionByText(lastSentence, options);
    if (byText) return { raw: byText, source: "option_text", span: wordTail(lastSentence.trim(), 160) };
    const mentions = [...tail.matchAll(/\(([A-Ja-j])\)/g)].filter((m) => options.has(m[1]!.toUpperCase()));
    const last = mentions.pop();
    if (last)
      return {
        raw: last[1]!.toUpperCase(),
        source: "last_mention",
        span: wordTail(tail.slice(0, last.index! + 4), 84).trim(),
      };
  }
  return null;
}

/** The last `max` characters of s or fewer, starting at a word (evidence never starts inside one). */
function wordTail(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(-max);
  const space = cut.search(/\s/);
  return space < 0 ? cut : cut.slice(space + 1);
}

const foundCache = new WeakMap<EvalRecord, FoundAnswer | null>();

/**
 * The answer a record gives: the scorer's `extracted` when present, meaningful and stated in the
 * output, else our own extraction from the output. Null when there is none (or the item is open-ended).
 */
export function recordAnswer(r: EvalRecord): FoundAnswer | null {
  if (foundCache.has(r)) return foundCache.get(r)!;
  const kind = answerKind(r);
  let found: FoundAnswer | null = null;
  if (kind !== "open") {
    let ex = r.extracted?.trim();
    if (kind === "bool" && ex === "1") ex = "True";
    // Some scorers write a marker, not an answer, when they extract nothing (TheoremQA's "0"): the
    // dataset plug-in knows (scripts/judges/heuristic/datasets), and the output is read instead.
    if (ex !== undefined && !PLACEHOLDER_RE.test(ex) && !scorerGaveNoAnswer(r))
      found = { raw: ex, source: "scorer", span: r.extracted!.trim() };
    else found = findAnswerInOutput(r);
  }
  foundCache.set(r, found);
  return found;
}

/** Canonical form of an answer of the given kind, for equality: letter, number, true/false, list or TeX text. */
export function canonical(raw: string, kind: AnswerKind): string | null {
  const t = raw.trim();
  if (!t || kind === "open") return null;
  if (kind === "choice") {
    const m = /^\(?([A-Ja-j])\)?$/.exec(t);
    return m ? m[1]!.toUpperCase() : null;
  }
  const n = parseNumber(t);
  if (n !== null) return String(Number(n.toPrecision(9)));
  if (kind === "bool" || /^(true|false|yes|no)$/i.test(t)) {
    const low = t.toLowerCase();
    if (low === "true" || low === "yes") return "true";
    if (low === "false" || low === "no") return "false";
    if (kind === "bool") {
      const verdict = proseVerdict(t);
      if (verdict) return verdict;
    }
  }
  if (kind === "list" || /^\[.*\]$/.test(t) || /^[-+]?[\d.]+(?:\s*,\s*[-+]?[\d.]+)+$/.test(t)) {
    const parts = t
      .replace(/^\[|\]$/g, "")
      .split(",")
      .map((p) => parseNumber(p));
    if (parts.length && parts.every((p) => p !== null))
      return `[${parts.map((p) => String(Number(p!.toPrecision(9)))).join(",")}]`;
  }
  return cleanAnswerText(t).replace(/\s+/g, "").toLowerCase() || null;
}

// A hedge after a verdict ("Yes, but only if ...") takes it back.
const HEDGE_RE =
  /\b(?:but|however|although|unless|only if|depends?|depending|maybe|perhaps|possibly|not sure|cannot|can't)\b/i;

/**
 * A true/false answer stated in prose: "Yes, the sequence is in the image", "No, it is not",
 * "therefore true". Null for anything else, and for a verdict hedged in the same answer.
 */
export function proseVerdict(s: string): "true" | "false" | null {
  const m = /^(?:(?:therefore|thus|so|hence),?\s+)?(yes|no|true|false)\b(?:[,.!:;]|\s*$)/i.exec(s.trim());
  if (!m || HEDGE_RE.test(s)) return null;
  return /^(?:yes|true)$/i.test(m[1]!) ? "true" : "false";
}

const normalisedCache = new WeakMap<EvalRecord, string | null>();

/** The normalised answer a record gives (see recordAnswer and canonical), or null when it gives none. */
export function normaliseAnswer(r: EvalRecord): string | null {
  // Kept per record: the judge and the suspect-item scan both ask for every record of an item.
  let a = normalisedCache.get(r);
  if (a === undefined) {
    const found = recordAnswer(r);
    normalisedCache.set(r, (a = found ? canonical(found.raw, answerKind(r)) : null));
  }
  return a;
}

/** The record's reference in the same canonical form as its answers. */
export function normaliseReference(r: EvalRecord): string | null {
  return canonical(r.reference, answerKind(r));
}

// ---------------------------------------------------------------------------------------------
// Disputed items ("suspect items" in the data): consensus against the reference

export interface ConsensusOptions {
  /** Fewest models with a record on the item for a consensus to count. */
  minModels: number;
  /** Share of the item's models that must give the consensus answer. */
  minShare: number;
  /** How many of the stronger half of models (by accuracy on the dataset) must be among them. */
  minStrong: number;
  /** Task type of the dataset, when known: open-ended items have no comparable answers, so no consensus. */
  taskType?: string;
  /**
   * Whether a record failed. Callers pass the snapshot's predicate (scripts/pipeline/select.ts
   * failurePredicate: the dataset's threshold); the default, correct === false else score < 1, is
   * right only for exact-match data.
   */
  isFailure?: (r: EvalRecord) => boolean;
  /**
   * Items a dataset plug-in says are never disputed by consensus, asked with the item's first
   * record: e.g. BBQ's ambiguous contexts, whose right answer is "cannot be determined" by design,
   * so a majority picking a person is the bias BBQ measures, not a wrong reference.
   */
  neverDisputed?: (first: EvalRecord) => boolean;
}

function defaultIsFailure(r: EvalRecord): boolean {
  return r.correct === null ? (r.score ?? 0) < 1 : !r.correct;
}

/**
 * Defaults: at least 5 models, at least 70% of them on one answer, at least one of the stronger half
 * by accuracy among them. An agreeing group with any record the source marked correct is not a
 * consensus against the reference (the source's grader accepted that answer).
 */
export const DEFAULT_CONSENSUS: ConsensusOptions = { minModels: 5, minShare: 0.7, minStrong: 1 };

export interface ItemConsensus extends SuspectItem {
  /** The consensus answer in canonical form (compare with normaliseAnswer). */
  canonical: string;
}

/** The consensus against the reference on one item, or null when there is none. */
export function itemConsensus(
  itemRecords: readonly EvalRecord[],
  modelAccuracy: ReadonlyMap<string, number>,
  opts: Partial<ConsensusOptions> = {},
): ItemConsensus | null {
  const o = { ...DEFAULT_CONSENSUS, ...opts };
  if (o.taskType === "open_ended") return null;
  const models = new Set(itemRecords.map((r) => r.model));
  if (models.size < o.minModels || itemRecords.length === 0) return null;
  const first = itemRecords[0]!;
  if (answerKind(first) === "open") return null;
  if (o.neverDisputed?.(first)) return null;
  const ref = normaliseReference(first);
  const groups = new Map<string, EvalRecord[]>();
  for (const r of itemRecords) {
    const a = normaliseAnswer(r);
    if (a === null) continue;
    const g = groups.get(a);
    if (g) g.push(r);
    else groups.set(a, [r]);
  }
  // Largest group; ties broken by the answer text so the result is deterministic.
  const [answer, group] = [...groups].sort((x, y) => y[1].length - x[1].length || (x[0] < y[0] ? -1 : 1))[0] ?? [];
  if (!answer || !group) return null;
  const failed = o.isFailure ?? defaultIsFailure;
  if (answer === ref || group.some((r) => !failed(r))) return null;
  const agreeing = [...new Set(group.map((r) => r.model))].sort();
  if (agreeing.length < o.minShare * models.size) return null;
  const strong = strongerHalf([...models], modelAccuracy);
  if (agreeing.filter((m) => strong.has(m)).length < o.minStrong) return null;
  const shown =
    answerKind(first) === "choice" ? withOptionText(answer, first.input) : (recordAnswer(group[0]!)?.raw ?? answer);
  return {
    dataset: first.dataset,
    instance_id: first.instance_id,
    reference: answerKind(first) === "choice" ? withOptionText(first.reference.trim(), first.input) : first.reference,
    consensus: shown,
    agreeing,
    models: models.size,
    canonical: answer,
  };
}

/** "B (option text)" for a choice letter, so a reader sees what the letter stands for. */
function withOptionText(letter: string, input: string): string {
  const l = /^\(?([A-Ja-j])\)?$/.exec(letter)?.[1] ?? letter;
  const text = parseOptions(input).get(l.toUpperCase());
  return text ? `${letter} (${text})` : letter;
}

/** The stronger half (rounded up) of the given models by accuracy; ties broken by id. */
export function strongerHalf(models: string[], modelAccuracy: ReadonlyMap<string, number>): Set<string> {
  const sorted = [...models].sort(
    (a, b) => (modelAccuracy.get(b) ?? 0) - (modelAccuracy.get(a) ?? 0) || (a < b ? -1 : 1),
  );
  return new Set(sorted.slice(0, Math.ceil(sorted.length / 2)));
}

/**
 * Items where a clear majority of models agree on one answer that is not the reference (see
 * DEFAULT_CONSENSUS). `itemRecords` may hold several items (of one dataset or more); the result is
 * sorted by dataset and instance id.
 */
export function findSuspectItems(
  itemRecords: readonly EvalRecord[],
  modelAccuracy: ReadonlyMap<string, number>,
  opts: Partial<ConsensusOptions> = {},
): SuspectItem[] {
  const byItem = new Map<string, EvalRecord[]>();
  for (const r of itemRecords) {
    const k = `${r.dataset}\u0000${r.instance_id}`;
    const g = byItem.get(k);
    if (g) g.push(r);
    else byItem.set(k, [r]);
  }
  const out: SuspectItem[] = [];
  for (const k of [...byItem.keys()].sort()) {
    const c = itemConsensus(byItem.get(k)!, modelAccuracy, opts);
    if (c) {
      const { canonical: _c, ...item } = c;
      out.push(item);
    }
  }
  return out;
}
