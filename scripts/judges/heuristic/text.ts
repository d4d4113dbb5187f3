// Text checks the rules share: quoting, abrupt endings, loops, scripts, refusals. Pure functions of
// strings, cheap enough to run over every failure of a release in well under a second.

/** A span of at most `max` characters for evidence, whitespace collapsed, "…" where cut. */
export function quote(s: string, max = 120, fromEnd = false): string {
  // Cut before collapsing whitespace: outputs can be long, and only max characters are kept.
  const cut = s.length > max * 4 ? (fromEnd ? s.slice(-max * 4) : s.slice(0, max * 4)) : s;
  const t = cut.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  // A quote taken from the end starts at a word, never inside one.
  return fromEnd ? `…${fromWordStart(t, t.length - max + 1)}` : `${t.slice(0, max - 1)}…`;
}

/** s from index `at`, moved forward past a partly cut word (when the cut is inside one and a space follows soon). */
export function fromWordStart(s: string, at: number): string {
  if (at <= 0) return s;
  if (!/[\p{L}\p{N}]/u.test(s[at - 1] ?? "") || !/[\p{L}\p{N}]/u.test(s[at] ?? "")) return s.slice(at).trimStart();
  const space = s.slice(at, at + 30).search(/\s/);
  return space < 0 ? s.slice(at) : s.slice(at + space).trimStart();
}

/**
 * Whether an output stops mid-way: it ends on a word, digit, comma or operator rather than on
 * closing punctuation, or leaves a JSON object, code fence or display-maths block open.
 */
export function endsAbruptly(output: string): boolean {
  const t = output.trimEnd();
  if (!t) return false;
  const opened = /^\s*(?:```(?:json)?\s*)?\{/.test(t) && !/\}\s*(?:```|$)/m.test(t);
  // An odd number of fences leaves a code block open, unless the odd one closes the output.
  const fences = (t.match(/```/g)?.length ?? 0) % 2 === 1 && !t.endsWith("```");
  const display = (t.match(/\$\$/g)?.length ?? 0) % 2 === 1;
  const last = t.at(-1)!;
  const unfinished = /[\p{L}\p{N},+\-*/=^_\\([{&|<~]/u.test(last) && !/\b(?:etc|e\.g|i\.e)$/.test(t);
  return opened || fences || display || unfinished;
}

// Words a finished sentence never ends on.
const DANGLING =
  /(?:,|\b(?:the|a|an|and|or|but|of|to|in|on|at|with|for|from|by|that|which|is|are|was|were|be|as|than|if|when|because|their|its|his|her|our|your|this|these|such))\s*$/i;

/** Whether prose stops mid-sentence: on a comma, an article, a preposition or a conjunction. */
export function endsMidSentence(output: string): boolean {
  return DANGLING.test(output.trimEnd());
}

const THREE_ALNUM = /[\p{L}\p{N}][^\p{L}\p{N}]*[\p{L}\p{N}][^\p{L}\p{N}]*[\p{L}\p{N}]/u;

export interface Loop {
  /** The repeated unit, as written. */
  unit: string;
  /** How many times it occurs. */
  count: number;
}

/**
 * A degenerate loop, by three cheap tests: the closing 40 characters occur at least 5 times in the
 * last 3,000 (a loop the output ended in); one line (with 3+ letters or digits) makes up at least
 * 5 and a third of all lines; or the closing 200 words of a long output hold few distinct word triples (under 30%,
 * where ordinary prose has over 90%).
 */
export function findLoop(output: string): Loop | null {
  const line = lineLoop(output);
  // Rows of a table ("| 0 0 0 | 0 0 0 |") repeat by design: a looping line has letters.
  return tailLoop(output) ?? (line && /\p{L}/u.test(line.unit) ? line : null) ?? tripleLoop(output);
}

export function tailLoop(output: string): Loop | null {
  const t = output.trimEnd().slice(-3000);
  if (t.length < 200) return null;
  const probe = t.slice(-40);
  const at: number[] = [];
  for (let i = t.indexOf(probe); i >= 0 && i < t.length - 40; i = t.indexOf(probe, i + 1)) at.push(i);
  if (at.length < 4) return null;
  const period = t.length - 40 - at.at(-1)!;
  // A loop repeats one unit: the period before the last is the same text (a list whose items share
  // an ending, "- various owners", is not a loop).
  if (period > 0 && t.slice(-2 * period, -period) !== t.slice(-period)) return null;
  // Show one period of the loop (a few when it is tiny, such as "()").
  return { unit: t.slice(-(period >= 8 ? period : Math.min(40, period * 5))).trim(), count: at.length + 1 };
}

export function lineLoop(output: string): Loop | null {
  // Fewer than 8 lines cannot hold one: counted without splitting (most outputs are short).
  let breaks = 0;
  for (let i = output.indexOf("\n"); i >= 0 && breaks < 7; i = output.indexOf("\n", i + 1)) breaks++;
  if (breaks < 7) return null;
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => THREE_ALNUM.test(l));
  if (lines.length < 8) return null;
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  const best = mostCommon(counts);
  return best[1] >= 5 && best[1] * 3 >= lines.length ? { unit: best[0], count: best[1] } : null;
}

export function tripleLoop(output: string): Loop | null {
  // Words as integer hashes, read in one pass: splitting strings for every failure is too slow.
  // A loop worth the name fills hundreds of words; shorter outputs are left to the cheaper tests.
  if (output.length < 1000) return null;
  const hashes = wordHashes(output, Math.max(0, output.length - 1600)).slice(-200);
  const total = hashes.length - 2;
  // Few distinct words is necessary for few distinct triples, and cheaper to count.
  if (hashes.length < 60 || new Set(hashes).size >= 0.3 * total) return null;
  const triples = new Set<number>();
  for (let i = 0; i < total; i++)
    triples.add((Math.imul(hashes[i]!, 1_000_003) ^ Math.imul(hashes[i + 1]!, 7919) ^ hashes[i + 2]!) | 0);
  if (triples.size >= 0.3 * total) return null;
  // A loop: now name its most frequent triple (rare path, strings are fine).
  const words = output.slice(-1600).split(/\s+/).filter(Boolean).slice(-200);
  const counts = new Map<string, number>();
  for (let i = 0; i + 2 < words.length; i++) {
    const k = `${words[i]} ${words[i + 1]} ${words[i + 2]}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const best = mostCommon(counts);
  return { unit: best[0], count: best[1] };
}

function wordHashes(s: string, from: number): number[] {
  const out: number[] = [];
  let h = 0;
  let inWord = false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      if (inWord) out.push(h);
      h = 0;
      inWord = false;
    } else {
      h = (Math.imul(h, 31) + c) | 0;
      inWord = true;
    }
  }
  if (inWord) out.push(h);
  return out;
}

/** The most frequent key (ties broken by the key, for determinism). */
function mostCommon(counts: Map<string, number>): [string, number] {
  let best: [string, number] = ["", 0];
  for (const [k, c] of counts) if (c > best[1] || (c === best[1] && k < best[0])) best = [k, c];
  return best;
}

// Unicode blocks of the writing systems told apart (a char-code scan: regexes per letter are slow).
const BLOCKS: [string, number, number][] = [
  ["Latin", 0x00c0, 0x024f],
  ["Greek", 0x0370, 0x03ff],
  ["Cyrillic", 0x0400, 0x04ff],
  ["Hebrew", 0x0590, 0x05ff],
  ["Arabic", 0x0600, 0x06ff],
  ["Devanagari", 0x0900, 0x097f],
  ["Thai", 0x0e00, 0x0e7f],
  ["Kana", 0x3040, 0x30ff],
  ["Han", 0x3400, 0x9fff],
  ["Hangul", 0xac00, 0xd7af],
];

/** Block index (into BLOCKS) of each run of 16 code points: every block starts and ends on a multiple of 16. */
const BLOCK_OF = new Int8Array(0x10000 >> 4).fill(-1);
BLOCKS.forEach(([, lo, hi], b) => {
  for (let c = lo >> 4; c <= hi >> 4; c++) BLOCK_OF[c] = b;
});

const isAsciiLetter = (c: number) => (c | 0x20) >= 97 && (c | 0x20) <= 122;

/** Letters of a text per writing system (BLOCKS order), or null for no letters. */
export interface ScriptProfile {
  /** Letters counted, in all scripts. */
  letters: number;
  /** Letters per script, most first (ties in BLOCKS order); scripts with none left out. */
  scripts: { script: string; letters: number }[];
}

/**
 * Letters of a text per writing system, over the whole text (a switch of language can come late in
 * an output); TeX commands are left out (\\alpha is not Latin prose). Letters outside the listed
 * blocks (symbols, emoji) are not counted.
 */
export function scriptProfile(text: string): ScriptProfile | null {
  // One pass over the text itself: reading a copy with the TeX commands replaced, char by char,
  // was 3 times slower (each pipeline run reads every failed output).
  const n = text.length;
  const counts = new Int32Array(BLOCKS.length);
  let ascii = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 92 && i + 1 < n && isAsciiLetter(text.charCodeAt(i + 1))) {
        // A TeX command: skip its letters.
        for (i++; i + 1 < n && isAsciiLetter(text.charCodeAt(i + 1)); i++);
      } else if (isAsciiLetter(c)) ascii++;
      continue;
    }
    const b = BLOCK_OF[c >> 4];
    if (b >= 0) counts[b]++;
  }
  counts[0] += ascii;
  let letters = 0;
  for (let b = 0; b < counts.length; b++) letters += counts[b];
  if (!letters) return null;
  const scripts: { script: string; letters: number }[] = [];
  for (let b = 0; b < counts.length; b++) if (counts[b]) scripts.push({ script: BLOCKS[b]![0], letters: counts[b] });
  // Stable sort: ties keep BLOCKS order.
  scripts.sort((x, y) => y.letters - x.letters);
  return { letters, scripts };
}

/** The writing system most letters of a text are in, with its share, or null for no letters (see scriptProfile). */
export function dominantScript(text: string): { script: string; share: number; letters: number } | null {
  const p = scriptProfile(text);
  if (!p) return null;
  const top = p.scripts[0]!;
  return { script: top.script, share: top.letters / p.letters, letters: p.letters };
}

// A refusal states, near its start, that the model will not or cannot do the task: a refusing verb
// phrase with an action ("I cannot provide", "I do not feel comfortable"), not mere sympathy ("I'm sorry to hear").
const REFUSAL_RE =
  /\bI(?: (?:cannot|can't|can ?not|won't|will not|must decline to|should not|shouldn't|am unable to|am not able to)|'m (?:unable|not able) to) (?:help (?:you|with)|assist|provide|comply|recommend|write|generate|create|fulfil|answer|select|determine|pretend|role-?play|engage|give|offer|share|make|say|do that|complete|produce|search|browse|access)[^.!?\n]{0,140}|\bI (?:do not|don't) (?:feel comfortable|have (?:access|enough (?:context|information)|the ability))[^.!?\n]{0,140}|\b(?:I must|I have to) (?:respectfully )?decline[^.!?\n]{0,140}/i;

/** The refusal statement within the first 200 characters of an output, or null. */
export function findRefusal(output: string): string | null {
  const m = REFUSAL_RE.exec(output.slice(0, 200));
  if (!m) return null;
  // "As an AI I cannot decide for you, but I can ..." is a disclaimer before an answer, not a refusal.
  if (
    /\b(?:but|however)\b[^.!?]{0,40}\b(?:I can|I'd|I would|I will|here (?:is|are)|let me)\b/i.test(
      output.slice(m.index, m.index + 250),
    )
  )
    return null;
  // Nor is a hedge before an answer ("I cannot say for certain. However, it is commonly held that ..."):
  // any turn to content right after the statement leaves it undecided, so it is not counted.
  const after = output.slice(m.index + m[0].length, m.index + m[0].length + 220);
  if (
    /\b(?:however|but|that said|that being said|in general|generally|here (?:is|are)|some general|according to)\b/i.test(
      after,
    )
  )
    return null;
  return m[0];
}

/** An echo an output begins with: a repeated prompt template, or the request itself, verbatim. */
export interface Echo {
  kind: "template" | "input";
  /** The echoed text, as written at the start of the output (the model's own text follows it). */
  text: string;
}

// The Alpaca prompt template ("Below is an instruction that describes a task... ### Response:"),
// which some instruction-tuned models repeat before answering.
const TEMPLATE_ECHO_RE = /^\s*Below is an instruction that describes a task\b[\s\S]{0,6000}?###\s*Response:[ \t]*/;

/**
 * The echo an output begins with, or null: the Alpaca prompt template up to its "### Response:"
 * marker, or the whole request (of 40 characters or more) repeated verbatim.
 */
export function findEcho(output: string, input: string): Echo | null {
  const t = TEMPLATE_ECHO_RE.exec(output);
  if (t) return { kind: "template", text: t[0] };
  const lead = output.length - output.trimStart().length;
  const asked = input.trim();
  const max = Math.min(asked.length, output.length - lead);
  let i = 0;
  while (i < max && output.charCodeAt(lead + i) === asked.charCodeAt(i)) i++;
  // All of the request, not a restated question stem ("X is called a ... PLA"), which answers often open with.
  if (i < asked.length || i < 40) return null;
  // A sentence the output completes ("... are called" + its answer) is a completion, not an echo.
  if (!/[.?!:]$/.test(asked) && !/^[ \t]*(?:\n|$)/.test(output.slice(lead + i))) return null;
  return { kind: "input", text: output.slice(0, lead + i) };
}
