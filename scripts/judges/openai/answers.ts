// Reading a judge's answer: tolerant about where the JSON object sits, strict about what it says.
//
// Servers without schema enforcement (many local models, --response-format json_object or text)
// wrap the object in a ```json fence, put a sentence before or after it, or think aloud first
// (<think>...</think> in the content, or a separate `reasoning_content` / `reasoning` field). The
// object is taken out of all that (`extractJson`), then validated with the zod schema as before.
// Reasoning is never read as the answer. Syntax slips inside a complete object (single quotes,
// trailing commas, Python's True/None, comments) are repaired by `jsonrepair` (josdejong's
// library, no dependencies); an object cut short is never "repaired" into an answer.
//
// A schema may come with a normaliser for its non-essential fields (for analyses: confidence,
// evidence, criteria): a confidence of 57 is read as 0.57, with a note, instead of losing the
// analysis; essential fields (title, summary) are never made up.
import { jsonrepair } from "jsonrepair";
import type { z } from "zod";

/** What may be wrong with an answer; the caller decides what to retry (see caller.ts). */
export type AnswerFault =
  | "no-choice" // not a chat completion with a choice
  | "refusal" // message.refusal
  | "content-filter" // finish_reason content_filter
  | "length" // finish_reason length: cut short
  | "empty" // no content (perhaps reasoning only)
  | "not-json" // content without any JSON object
  | "malformed" // an object begun but not complete or not parseable
  | "schema"; // JSON that does not match the schema

export type Normaliser = (json: unknown) => { value: unknown; notes: string[] };

/**
 * A valid answer, with how its JSON was found when it was not bare (`extracted`: "JSON taken out
 * of a code fence", ...) and what was normalised (`notes`), or why there is none.
 */
export type AnswerCheck<T> =
  | { ok: true; value: T; notes: string[]; extracted?: string }
  | { ok: false; error: string; fault: AnswerFault };

export interface ChoiceLike {
  finish_reason?: string | null;
  message?: {
    content?: string | null;
    refusal?: string | null;
    /** vLLM, llama.cpp (--reasoning-format), DeepSeek: the model's thinking. Never the answer. */
    reasoning_content?: string | null;
    /** Ollama, OpenRouter: the same under another name. */
    reasoning?: string | null;
  };
}

const snippet = (s: string, n = 80) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

/** Content with reasoning blocks taken out: <think>…</think> (and an unopened …</think> prefix). */
export function stripReasoning(content: string): string {
  let s = content.replace(/<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi, "");
  // Some chat templates open the block in the prompt, so the answer holds only its end.
  const close = /<\/(think|thinking|reasoning)>/gi;
  let last = -1;
  for (const m of s.matchAll(close)) last = m.index! + m[0].length;
  if (last >= 0) s = s.slice(last);
  // An unclosed block at the start (cut short): all of it is reasoning.
  s = s.replace(/^\s*<(think|thinking|reasoning)>[\s\S]*$/i, "");
  return s.trim();
}

/** The end (exclusive) of the balanced {...} starting at `start`, strings respected; -1 if none. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  return -1;
}

function parseLoose(text: string): { ok: true; value: unknown; repaired: boolean } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text), repaired: false };
  } catch {
    try {
      return { ok: true, value: JSON.parse(jsonrepair(text)), repaired: true };
    } catch {
      return { ok: false };
    }
  }
}

export interface Extracted {
  /** Parsed objects found in the content, most likely answer first. */
  candidates: { value: unknown; how: string }[];
  /** Whether an object was begun that never closed or would not parse. */
  broken: boolean;
}

/**
 * The JSON objects in an answer's content, most likely answer first: the whole content; the
 * contents of ```json fences (last first); then every complete top-level {...} in the text (last
 * first, so a final answer wins over a draft or an example in a preamble). Reasoning blocks are
 * taken out first.
 */
export function extractJson(content: string): Extracted {
  const text = stripReasoning(content);
  const candidates: { value: unknown; how: string }[] = [];
  let broken = false;
  const whole = text.trim();
  if (whole.startsWith("{")) {
    if (balancedEnd(whole, 0) === whole.length) {
      const p = parseLoose(whole);
      if (p.ok) candidates.push({ value: p.value, how: p.repaired ? "JSON syntax repaired" : "" });
      else broken = true;
    } else if (balancedEnd(whole, 0) === -1) broken = true;
  }
  if (candidates.length === 0) {
    const fences = [...text.matchAll(/```[a-zA-Z]*[^\S\n]*\n?([\s\S]*?)```/g)].map((m) => m[1]!.trim()).reverse();
    for (const f of fences) {
      const start = f.indexOf("{");
      if (start < 0) continue;
      const end = balancedEnd(f, start);
      if (end < 0) {
        broken = true;
        continue;
      }
      const p = parseLoose(f.slice(start, end));
      if (p.ok)
        candidates.push({
          value: p.value,
          how: `JSON taken out of a code fence${p.repaired ? ", syntax repaired" : ""}`,
        });
      else broken = true;
    }
    // Every complete top-level object, outermost only; an opening brace that never closes (a
    // brace in prose, or an answer cut short) is skipped so the objects after it are still found.
    const spans: { value: unknown; repaired: boolean; at: number }[] = [];
    for (let i = text.indexOf("{"); i >= 0 && i < text.length; ) {
      const end = balancedEnd(text, i);
      if (end < 0) {
        broken = true;
        // An object cut short: whatever follows is inside it, never an answer of its own.
        if (/^\{\s*["}]/.test(text.slice(i, i + 40))) break;
        i = text.indexOf("{", i + 1); // a brace in prose: look further
        continue;
      }
      const p = parseLoose(text.slice(i, end));
      if (p.ok && p.value !== null && typeof p.value === "object") {
        spans.push({ value: p.value, repaired: p.repaired, at: i });
        i = text.indexOf("{", end);
      } else {
        i = text.indexOf("{", i + 1);
      }
    }
    for (const s of spans.reverse()) {
      const before = text.slice(0, s.at).trim();
      candidates.push({
        value: s.value,
        how: `JSON taken out of ${before ? "text around it" : "the answer"}${s.repaired ? ", syntax repaired" : ""}`,
      });
    }
  }
  return { candidates, broken: broken && candidates.length === 0 };
}

function schemaError(error: z.ZodError): string {
  return `answer does not match the schema: ${error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".")}: ${i.message}`)
    .join("; ")}`;
}

/** Why an answer's content is not acceptable, or the parsed, validated (and normalised) value. */
export function validateContent<T>(
  schema: z.ZodType<T>,
  choice: ChoiceLike | undefined,
  normalise?: Normaliser,
): AnswerCheck<T> {
  if (!choice?.message) return { ok: false, error: "no choice in the answer", fault: "no-choice" };
  const m = choice.message;
  if (m.refusal) return { ok: false, error: `refused: ${m.refusal.slice(0, 300)}`, fault: "refusal" };
  if (choice.finish_reason === "content_filter")
    return {
      ok: false,
      error: `content filter: the endpoint withheld the answer (finish_reason content_filter)${m.content ? `; it said ${snippet(m.content, 200)}` : ""}`,
      fault: "content-filter",
    };
  const content = typeof m.content === "string" ? m.content : "";
  const reasoning = m.reasoning_content || m.reasoning || "";
  if (choice.finish_reason === "length")
    return {
      ok: false,
      error: `truncated answer (finish_reason length) after ${content.length} characters${reasoning ? ` and ${reasoning.length} of reasoning` : ""}`,
      fault: "length",
    };
  if (!content.trim())
    return {
      ok: false,
      error: reasoning
        ? `empty answer: only reasoning came back (${reasoning.length} characters, never read as the answer)`
        : "empty answer",
      fault: "empty",
    };
  const { candidates, broken } = extractJson(content);
  if (candidates.length === 0)
    return broken
      ? { ok: false, error: `malformed JSON answer (${content.length} chars)`, fault: "malformed" }
      : { ok: false, error: `no JSON object in the answer: ${snippet(content.trim())}`, fault: "not-json" };
  let firstError: string | undefined;
  for (const c of candidates) {
    const n = normalise ? normalise(c.value) : { value: c.value, notes: [] };
    const parsed = schema.safeParse(n.value);
    if (parsed.success) return { ok: true, value: parsed.data, notes: n.notes, ...(c.how ? { extracted: c.how } : {}) };
    firstError ??= schemaError(parsed.error);
  }
  return { ok: false, error: firstError!, fault: "schema" };
}

// ---------------------------------------------------------------------------------------------
// Normalising an analysis (JudgeVerdictSchema): only non-essential fields, each change noted.

const QUALITIES = ["good", "partial", "poor", "absent"] as const;

/** A confidence on another scale or as text, read as a number in [0, 1], or undefined. */
function readConfidence(x: unknown): number | undefined {
  let n: number | undefined;
  if (typeof x === "number") n = x;
  else if (typeof x === "string") {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(x);
    if (m) n = m[2] ? Number(m[1]) / 100 : Number(m[1]);
  }
  if (n === undefined || !Number.isFinite(n)) return undefined;
  if (n >= 0 && n <= 1) return n;
  if (n > 1 && n <= 100) return Math.round(n * 100) / 10_000; // a percentage: 57 → 0.57
  return undefined;
}

export const normaliseVerdict: Normaliser = (json) => {
  const notes: string[] = [];
  if (json === null || typeof json !== "object" || Array.isArray(json)) return { value: json, notes };
  const v = { ...(json as Record<string, unknown>) };
  if ("confidence" in v && !(typeof v.confidence === "number" && v.confidence >= 0 && v.confidence <= 1)) {
    const c = readConfidence(v.confidence);
    notes.push(
      c === undefined
        ? `confidence ${JSON.stringify(v.confidence)} is not a number from 0 to 1: dropped (recorded as 0)`
        : `confidence ${JSON.stringify(v.confidence)} read as ${c}`,
    );
    v.confidence = c ?? 0;
  }
  if (typeof v.evidence === "string") {
    notes.push("evidence given as one string: read as a list of one");
    v.evidence = v.evidence ? [v.evidence] : [];
  } else if (Array.isArray(v.evidence) && v.evidence.some((e) => typeof e !== "string")) {
    notes.push("evidence entries that are not text dropped");
    v.evidence = v.evidence.filter((e) => typeof e === "string");
  }
  if ("criteria" in v && !Array.isArray(v.criteria)) {
    notes.push("criteria not a list: dropped");
    v.criteria = [];
  } else if (Array.isArray(v.criteria)) {
    const kept: unknown[] = [];
    let dropped = 0;
    for (const c of v.criteria) {
      if (c === null || typeof c !== "object") {
        dropped++;
        continue;
      }
      const k = { ...(c as Record<string, unknown>) };
      if (typeof k.quality === "string" && !QUALITIES.includes(k.quality as never)) {
        const q = k.quality.trim().toLowerCase();
        if (QUALITIES.includes(q as never)) k.quality = q;
      }
      if (typeof k.present === "string" && /^(true|false)$/i.test(k.present))
        k.present = k.present.toLowerCase() === "true";
      if (k.evidence === undefined || k.evidence === null) k.evidence = "";
      const ok =
        typeof k.criterion === "string" &&
        typeof k.present === "boolean" &&
        QUALITIES.includes(k.quality as never) &&
        typeof k.evidence === "string";
      if (ok) kept.push({ criterion: k.criterion, present: k.present, quality: k.quality, evidence: k.evidence });
      else dropped++;
    }
    if (dropped) notes.push(`${dropped} malformed criteri${dropped === 1 ? "on" : "a"} dropped`);
    v.criteria = kept;
  }
  return { value: v, notes };
};
