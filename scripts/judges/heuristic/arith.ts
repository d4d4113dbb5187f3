// Finding false arithmetic in an output: a stated computation "a op b = c" whose left side, evaluated,
// is not c. Precision over recall: a computation is checked only when it is unmistakably one — the
// whole left side is plain arithmetic (numbers, + - × ÷, powers, factorials, parentheses) standing
// alone after a clear boundary (line start, "=", a word, ":", "$"), and the right side is one number
// followed by a clear end (a unit word, punctuation, the line's end). Anything else — variables,
// TeX beyond \times \cdot \div, percentages, modular arithmetic, "≈" — is not read at all.
// Rounding to the digits shown is not a slip, nor is reading ambiguous notation left to right.

/** A stated computation that is false. */
export interface FalseComputation {
  /** The computation as written: the whole left side, "=", the stated result. */
  text: string;
  /** Offset of `text` in the searched string. */
  index: number;
  /** The left side as written. */
  expression: string;
  /** The stated result as written. */
  stated: string;
  /** The stated result's value. */
  statedValue: number;
  /** The left side's true value. */
  value: number;
}

type Tok =
  | { t: "num"; v: number; lo: number; hi: number; s: number; e: number; decimals: number; pi?: true }
  | { t: "op"; v: "+" | "-" | "*" | "/" | "^" | "!" | "√"; s: number; e: number }
  | { t: "(" | ")"; s: number; e: number }
  | { t: "sep"; v: "=" | "≈" | "other"; s: number; e: number }
  | { t: "word"; long: boolean; attached: boolean; s: number; e: number }
  | { t: "punct"; v: string; s: number; e: number }
  | { t: "bad"; s: number; e: number };

// Lines about modular arithmetic, number bases or percentages: "=" there is not plain arithmetic.
// Digits and remainders too: "the last digit of 2 * 3 * 5 = 3" reads "=" as "ends in".
const SKIP_LINE = /\\pmod|\\bmod|\\mod\b|\bmod\b|\bmodulo\b|\\equiv|≡|\bbase\b|\bdigits?\b|\bremainders?\b/i;
// Percentages: "= 0.05 = 5%", "$500 * 0.67%" — a computation that touches one is not read (the rest of its line is).
const PERCENT = /%|percent/i;
// Words that make a number part of a larger expression ("(10+3-1) choose (3-1) = 12 choose 2").
const OPERATOR_WORD =
  /^(?:choose|over|times|plus|minus|divided|multiplied|by|mod|modulo|power|squared|cubed|root|sqrt|log|ln|exp|sin|cos|tan|C|P|to)$/;
// What follows a false equation when it is not a slip but a check that fails ("1 - 1 = 2, a
// contradiction") or a slip the output notices itself.
const NOTICED =
  /contradict|not (?:true|equal|possible|correct|valid|right)|isn't|is not|doesn't|does not|impossible|incorrect|wrong|mistake|error|oops|wait|actually|recalculat|re-?check|false|invalid|\\neq|≠|✗|❌/i;

// A number: thousands separated by "," or TeX "{,}", decimals; or a leading-dot decimal.
const NUM_RE = /(?:\d{1,3}(?:(?:,|\{,\})\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+/y;

/** Tokens of one line, with offsets into it. */
function tokenize(line: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const push = (tok: Tok) => out.push(tok);
  // What each open TeX brace is: a group read as parentheses (an exponent, a root), the numerator
  // or the denominator of \frac, or other TeX structure (which makes the tokens around it unreadable).
  const braces: ("group" | "num" | "den" | "other")[] = [];
  while (i < line.length) {
    const c = line[i]!;
    const rest = line.slice(i, i + 12);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // Thin spaces and sizing commands of TeX.
    const space = /^(?:\\[,;:! ]|\\quad|\\qquad|\\left|\\right|\\displaystyle)/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    NUM_RE.lastIndex = i;
    const num = NUM_RE.exec(line);
    if (num && /\d/.test(c + (line[i + 1] ?? ""))) {
      const raw = num[0].replace(/\{,\}|,/g, "");
      const v = Number(raw);
      const decimals = raw.includes(".") ? raw.split(".")[1]!.length : 0;
      // A written decimal stands for any value that rounds to it; an integer is exact.
      const half = decimals ? 0.5 * 10 ** -decimals : 0;
      push({ t: "num", v, lo: v - half, hi: v + half, s: i, e: i + num[0].length, decimals });
      i += num[0].length;
      continue;
    }
    // A dollar sign before a number inside a computation is currency ("$300 + $257.02"), not TeX.
    if (
      (c === "$" || rest.startsWith("\\$")) &&
      /\d/.test(line[i + (c === "$" ? 1 : 2)] ?? "") &&
      (out.at(-1)?.t === "op" || out.at(-1)?.t === "(")
    ) {
      i += c === "$" ? 1 : 2;
      continue;
    }
    // \frac{a}{b} is (a)/(b), \sqrt{a} a root; "2\frac{1}{3}" may be a mixed number, so not read.
    const frac = /^\\[dt]?frac\s*\{/.exec(rest);
    if (frac) {
      if (out.at(-1)?.t === "num") push({ t: "bad", s: i, e: i + frac[0].length });
      else {
        push({ t: "(", s: i, e: i + 1 });
        push({ t: "(", s: i + frac[0].length - 1, e: i + frac[0].length });
        braces.push("num");
      }
      i += frac[0].length;
      continue;
    }
    const sqrt = /^\\sqrt\s*\{/.exec(rest);
    if (sqrt) {
      push({ t: "op", v: "√", s: i, e: i + sqrt[0].length - 1 });
      push({ t: "(", s: i + sqrt[0].length - 1, e: i + sqrt[0].length });
      braces.push("group");
      i += sqrt[0].length;
      continue;
    }
    if (/^(?:\\pi|π)(?![a-zA-Z])/.test(rest)) {
      const e = i + (c === "π" ? 1 : 3);
      push({ t: "num", v: Math.PI, lo: Math.PI, hi: Math.PI, s: i, e, decimals: 0, pi: true });
      i = e;
      continue;
    }
    if (c === "√" && /[\d(]/.test(line[i + 1] ?? "")) {
      push({ t: "op", v: "√", s: i, e: i + 1 });
      i++;
      continue;
    }
    const tex =
      /^\\(times|cdot|ast|div|neq|ne|approx|sim|simeq|cong|le|ge|leq|geq|lt|gt|to|implies|Rightarrow|rightarrow|[a-zA-Z]+)/.exec(
        rest,
      );
    if (tex) {
      const name = tex[1]!;
      const e = i + tex[0].length;
      if (name === "times" || name === "cdot" || name === "ast") push({ t: "op", v: "*", s: i, e });
      else if (name === "div") push({ t: "op", v: "/", s: i, e });
      else if (name === "approx") push({ t: "sep", v: "≈", s: i, e });
      else if (/^(?:neq|ne|sim|simeq|cong|le|ge|leq|geq|lt|gt)$/.test(name)) push({ t: "sep", v: "other", s: i, e });
      else if (/^(?:to|implies|Rightarrow|rightarrow)$/.test(name)) push({ t: "punct", v: "→", s: i, e });
      else if (name === "text" || name === "mathrm" || name === "textbf") push({ t: "punct", v: "text", s: i, e });
      else push({ t: "bad", s: i, e });
      i = e;
      continue;
    }
    if (
      rest.startsWith("\\(") ||
      rest.startsWith("\\[") ||
      rest.startsWith("\\)") ||
      rest.startsWith("\\]") ||
      rest.startsWith("\\\\")
    ) {
      push({ t: "punct", v: rest.slice(0, 2), s: i, e: i + 2 });
      i += 2;
      continue;
    }
    if (rest.startsWith("**")) {
      push({ t: "punct", v: "**", s: i, e: i + 2 });
      i += 2;
      continue;
    }
    if (c === "=") {
      // "==", "<=", ">=", "!=", "=>", ":=" are not statements of equality.
      const prev = line[i - 1] ?? "";
      const next = line[i + 1] ?? "";
      push({ t: "sep", v: /[<>!=:]/.test(prev) || /[=>]/.test(next) ? "other" : "=", s: i, e: i + 1 });
      i++;
      continue;
    }
    if ("≈≠≤≥<>~∼≅".includes(c)) {
      push({ t: "sep", v: c === "≈" ? "≈" : "other", s: i, e: i + 1 });
      i++;
      continue;
    }
    if ("+-−*×·/÷^!".includes(c)) {
      const v =
        c === "−" ? "-" : c === "×" || c === "·" ? "*" : c === "÷" ? "/" : (c as "+" | "-" | "*" | "/" | "^" | "!");
      // "!" after a number or ")" is a factorial; elsewhere it is punctuation.
      if (v === "!" && !(out.at(-1)?.t === "num" || out.at(-1)?.t === ")"))
        push({ t: "punct", v: "!", s: i, e: i + 1 });
      else push({ t: "op", v, s: i, e: i + 1 });
      i++;
      continue;
    }
    if (c === "(" || c === ")") {
      push({ t: c, s: i, e: i + 1 });
      i++;
      continue;
    }
    if (c === "{") {
      // Braces around an exponent ("2^{10}") group like parentheses; any other brace is TeX structure.
      const prevTok = out.at(-1);
      const group = prevTok?.t === "op" && prevTok.v === "^";
      braces.push(group ? "group" : "other");
      push(group ? { t: "(", s: i, e: i + 1 } : { t: "bad", s: i, e: i + 1 });
      i++;
      continue;
    }
    if (c === "}") {
      const kind = braces.pop();
      if (kind === "group") push({ t: ")", s: i, e: i + 1 });
      else if (kind === "den") {
        push({ t: ")", s: i, e: i + 1 });
        push({ t: ")", s: i, e: i + 1 });
      } else if (kind === "num") {
        // The numerator closes: the denominator's brace must follow.
        const den = /^\}\s*\{/.exec(line.slice(i, i + 8));
        if (!den) push({ t: "bad", s: i, e: i + 1 });
        else {
          push({ t: ")", s: i, e: i + 1 });
          push({ t: "op", v: "/", s: i, e: i + 1 });
          push({ t: "(", s: i + den[0].length - 1, e: i + den[0].length });
          braces.push("den");
          i += den[0].length;
          continue;
        }
      } else push({ t: "bad", s: i, e: i + 1 });
      i++;
      continue;
    }
    const word = /^[\p{L}_'][\p{L}\p{N}_']*/u.exec(line.slice(i, i + 40));
    // A subscript ("\log_2 (1 + 2)") is part of the expression before it, never a boundary.
    if (word?.[0].startsWith("_")) {
      push({ t: "bad", s: i, e: i + word[0].length });
      i += word[0].length;
      continue;
    }
    if (word) {
      const w = word[0];
      const prev = line[i - 1] ?? " ";
      const attached = /[\p{N})}\]^_]/u.test(prev);
      // "352 x 288": an x between numbers, spaced or not, is a multiplication sign.
      if (
        /^[xX]$/.test(w) &&
        out.at(-1)?.t === "num" &&
        /^\s*\d/.test(line.slice(i + 1, i + 4)) &&
        (prev === " ") === (line[i + 1] === " ")
      ) {
        push({ t: "op", v: "*", s: i, e: i + 1 });
        i++;
        continue;
      }
      push({ t: "word", long: w.length >= 2 && !/^[xyzabcnkmpqrtuvw]\d*$/i.test(w), attached, s: i, e: i + w.length });
      i += w.length;
      continue;
    }
    push({ t: "punct", v: c, s: i, e: i + 1 });
    i++;
  }
  return out;
}

const isArith = (t: Tok): boolean => t.t === "num" || t.t === "op" || t.t === "(" || t.t === ")";

// Tokens that may stand right before a computation's left side: it is not part of something larger.
function leftBoundaryOk(before: Tok | undefined, first: Tok, line: string): boolean {
  if (!before) return true;
  if (before.t === "sep") return before.v === "=" || before.v === "≈";
  if (before.t === "word")
    return (
      before.long &&
      !before.attached &&
      /\s/.test(line[first.s - 1] ?? "") &&
      !OPERATOR_WORD.test(line.slice(before.s, before.e))
    );
  if (before.t === "punct")
    return (
      [":", ",", ";", "$", "\\(", "\\[", "\\\\", "**", "→", "⇒", "[", "*", "•", "-", "("].includes(before.v) ||
      before.v === "text"
    );
  return false;
}

const ATTACHED_UNIT =
  /^(?:s|ms|h|hr|hrs|min|m|km|cm|mm|g|kg|mg|l|ml|mL|L|Hz|kHz|MHz|GHz|kb|Kb|KB|MB|GB|bps|kbps|Mbps|Gbps|mph|ft|in|lb|lbs|oz|th|st|nd|rd)$/;

// Tokens that may follow the stated result: a unit or word, punctuation, the end of the statement.
function rightBoundaryOk(after: Tok | undefined, last: Tok, line: string): boolean {
  if (!after) return true;
  if (after.t === "sep") return true;
  // A word right after the number ("6ab") is a product with variables, unless it is a common unit ("5cm").
  if (after.t === "word") {
    const w = line.slice(after.s, after.e);
    if (OPERATOR_WORD.test(w)) return false;
    return !after.attached ? /\s/.test(line[last.e] ?? "") : ATTACHED_UNIT.test(w);
  }
  if (after.t === "punct")
    return (
      [".", ",", ";", ":", "$", "\\)", "\\]", "\\\\", "**", "→", "text", "?", "°", "!", "*", "]", "}"].includes(
        after.v,
      ) ||
      (after.v === "(" && /\s/.test(line[after.s - 1] ?? ""))
    );
  if (after.t === ")") return true;
  return false;
}

/** An interval [lo, hi]: the values a written expression can stand for, operands rounded as shown. */
type Iv = [number, number];

class Parser {
  private k = 0;
  private readonly toks: Tok[];
  private readonly flat: boolean;
  constructor(toks: Tok[], flat: boolean) {
    this.toks = toks;
    this.flat = flat;
  }
  parse(): Iv | null {
    try {
      const v = this.expr();
      return this.k === this.toks.length && Number.isFinite(v[0]) && Number.isFinite(v[1]) ? v : null;
    } catch {
      return null;
    }
  }
  private peek(): Tok | undefined {
    return this.toks[this.k];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === "op" && t.v === v;
  }
  private expr(): Iv {
    if (this.flat) return this.flatExpr();
    let v = this.term();
    while (this.isOp("+") || this.isOp("-")) {
      const op = (this.toks[this.k++] as { v: string }).v;
      v = binary(v, op, this.term());
    }
    return v;
  }
  /** Left to right, + - × ÷ of one precedence: how some outputs write a running computation. */
  private flatExpr(): Iv {
    let v = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.t === "op" && "+-*/".includes(t.v)) {
        this.k++;
        v = binary(v, t.v, this.unary());
      } else if (t?.t === "(" || impliedFactor(t)) v = binary(v, "*", this.unary());
      else return v;
    }
  }
  private term(): Iv {
    let v = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.t === "op" && (t.v === "*" || t.v === "/")) {
        this.k++;
        v = binary(v, t.v, this.unary());
      } else if (t?.t === "(" || impliedFactor(t))
        v = binary(v, "*", this.unary()); // "4(1)(1)", "2π", "3√2": implied product
      else return v;
    }
  }
  private unary(): Iv {
    if (this.isOp("-")) {
      this.k++;
      const v = this.unary();
      return [-v[1], -v[0]];
    }
    if (this.isOp("+")) {
      this.k++;
      return this.unary();
    }
    if (this.isOp("√")) {
      this.k++;
      const v = this.postfix();
      if (v[0] < 0) throw new Error("root");
      return [Math.sqrt(v[0]), Math.sqrt(v[1])];
    }
    const base = this.postfix();
    if (this.isOp("^")) {
      this.k++;
      const exp = this.unary();
      if (exp[0] !== exp[1] || !Number.isInteger(exp[0]) || Math.abs(exp[0]) > 64) throw new Error("exponent");
      const a = base[0] ** exp[0];
      const b = base[1] ** exp[0];
      if (base[0] < 0 && base[1] > 0) throw new Error("sign");
      return [Math.min(a, b), Math.max(a, b)];
    }
    return base;
  }
  private postfix(): Iv {
    let v = this.primary();
    while (this.isOp("!")) {
      this.k++;
      if (v[0] !== v[1] || !Number.isInteger(v[0]) || v[0] < 0 || v[0] > 20) throw new Error("factorial");
      let f = 1;
      for (let n = 2; n <= v[0]; n++) f *= n;
      v = [f, f];
    }
    return v;
  }
  private primary(): Iv {
    const t = this.toks[this.k++];
    if (t?.t === "num") return [t.lo, t.hi];
    if (t?.t === "(") {
      const v = this.expr();
      if (this.toks[this.k++]?.t !== ")") throw new Error("paren");
      return v;
    }
    throw new Error("primary");
  }
}

/** A token that multiplies what stands before it without a sign: π ("2π") or a root ("3√2"). */
function impliedFactor(t: Tok | undefined): boolean {
  return (t?.t === "num" && t.pi === true) || (t?.t === "op" && t.v === "√");
}

function binary(a: Iv, op: string, b: Iv): Iv {
  if (op === "+") return [a[0] + b[0], a[1] + b[1]];
  if (op === "-") return [a[0] - b[1], a[1] - b[0]];
  if (op === "/") {
    if (b[0] <= 0 && b[1] >= 0) throw new Error("division by zero");
    b = [1 / b[1], 1 / b[0]];
  }
  const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
  return [Math.min(...p), Math.max(...p)];
}

/** The values a stated result stands for: its last digit may be rounded (or cut) by one unit. */
function statedInterval(tok: Extract<Tok, { t: "num" }>, negative: boolean): Iv {
  const v = negative ? -tok.v : tok.v;
  let tol = tok.decimals ? 10 ** -tok.decimals : 1;
  // "about 123,800,000": an integer ending in three or more zeros may be rounded to them.
  const zeros = tok.decimals ? 0 : (/0+$/.exec(String(tok.v))?.[0].length ?? 0);
  if (zeros >= 3) tol = Math.max(tol, 0.5 * 10 ** zeros);
  const eps = 1e-9 * Math.max(1, Math.abs(v));
  return [v - tol - eps, v + tol + eps];
}

const overlaps = (a: Iv, b: Iv): boolean => a[0] <= b[1] && b[0] <= a[1];

/** Balance of parentheses in tokens, or null when a ")" closes nothing. */
function balanceOf(toks: Tok[]): number | null {
  let d = 0;
  for (const t of toks) {
    if (t.t === "(") d++;
    else if (t.t === ")" && --d < 0) return null;
  }
  return d;
}

/** The false computations stated in one line (offsets relative to the line). */
function lineSlips(line: string): FalseComputation[] {
  if (!/=|≈|\\approx/.test(line) || SKIP_LINE.test(line)) return [];
  // A list bullet ("- ", "* ", "2) ") is not a minus sign or a product: blank it, keeping offsets.
  const bullet = /^\s*(?:[-*•]|\d{1,2}[.)])\s+/.exec(line);
  const toks = tokenize(bullet ? " ".repeat(bullet[0].length) + line.slice(bullet[0].length) : line);
  const out: FalseComputation[] = [];
  for (let q = 0; q < toks.length; q++) {
    const eq = toks[q]!;
    if (eq.t !== "sep" || (eq.v !== "=" && eq.v !== "≈")) continue;
    // Left side: the longest run of arithmetic tokens that ends at "=".
    let a = q;
    while (a > 0 && isArith(toks[a - 1]!)) a--;
    // An opening parenthesis that the left side never closes belongs to the sentence around it.
    while (a < q && toks[a]!.t === "(" && (balanceOf(toks.slice(a, q)) ?? 0) > 0) a++;
    const left = toks.slice(a, q);
    if (left.length < 3 || balanceOf(left) !== 0) continue;
    const first = left[0]!;
    if (!(first.t === "num" || first.t === "(" || (first.t === "op" && (first.v === "-" || first.v === "√")))) continue;
    // Some operation: a sign other than a leading minus, or π or a root as a factor ("2π").
    if (!left.some((t) => t.t === "op" && t.v !== "-") && !left.slice(1).some((t) => t.t === "op" || impliedFactor(t)))
      continue;
    if (!leftBoundaryOk(toks[a - 1], first, line)) continue;
    // Right side: one number (optionally negative, optionally in dollars).
    let r = q + 1;
    if (
      toks[r]?.t === "punct" &&
      (toks[r] as { v: string }).v === "$" &&
      toks[r + 1]?.t === "num" &&
      toks[r + 1]!.s === toks[r]!.e
    )
      r++;
    const negative = toks[r]?.t === "op" && (toks[r] as { v: string }).v === "-";
    if (negative) r++;
    const res = toks[r];
    if (res?.t !== "num") continue;
    const after = toks[r + 1];
    if (!rightBoundaryOk(after, res, line)) continue;
    // "= 5!" or "= 2^3" or "= 3 + 4": the right side is itself an expression, not a result.
    if (after?.t === "op" || after?.t === "(") continue;
    const stated = statedInterval(res, negative);
    const strict = new Parser(left, false).parse();
    if (!strict) continue;
    const flat = new Parser(left, true).parse();
    if (overlaps(strict, stated) || (flat && overlaps(flat, stated))) continue;
    // "a / b * c" is read as a / (b * c) by some writers: ambiguous, so not checked.
    if (divisionThenProduct(left)) continue;
    const value = (strict[0] + strict[1]) / 2;
    const statedValue = negative ? -res.v : res.v;
    // With rounded operands, "=" often means "about": a difference under 0.5% is not called a slip.
    // (π counts as rounded: outputs compute with 3.14.)
    const decimalsIn = left.some((t) => t.t === "num" && (t.decimals > 0 || t.pi));
    if (decimalsIn && Math.abs(value - statedValue) <= 0.005 * Math.max(Math.abs(value), Math.abs(statedValue)))
      continue;
    // "≈" says the result is rounded, perhaps coarsely: only a result more than 2% off is false.
    if (eq.v === "≈" && Math.abs(value - statedValue) <= 0.02 * Math.max(Math.abs(value), Math.abs(statedValue)))
      continue;
    // A ratio of 1000, 1024 or 8 (or their powers) is a unit conversion written loosely ("= 1280 KB/s").
    if (unitRatio(value, statedValue)) continue;
    if (NOTICED.test(line.slice(res.e, res.e + 120))) continue;
    // "$300 + $257.02 = $557.04": the opening dollar sign belongs to the quote when the result has one.
    const dollar =
      toks[a - 1]?.t === "punct" && line[toks[a - 1]!.s] === "$" && toks[a - 1]!.e === first.s && toks[q + 1] !== res;
    const s = dollar ? toks[a - 1]!.s : first.s;
    if (PERCENT.test(line.slice(toks[a - 1]?.s ?? 0, res.e + 10))) continue;
    out.push({
      text: line.slice(s, res.e),
      index: s,
      expression: line.slice(s, eq.s).trim(),
      stated: line.slice(toks[q + 1]!.s, res.e),
      statedValue,
      value,
    });
  }
  return out;
}

/**
 * Whether a "/" is followed by a product in the same parenthesis level, as in 2*7*6/3*2*1, or by
 * an implied one, as in 2π/5π or 4/3π(36)^3 (often meant as a division by the whole product).
 */
function divisionThenProduct(toks: Tok[]): boolean {
  const divided: boolean[] = [false];
  for (const [k, t] of toks.entries()) {
    const prev = toks[k - 1];
    const implied = impliedFactor(t) || (t.t === "(" && (prev?.t === "num" || prev?.t === ")"));
    if (implied && divided.at(-1) && prev?.t !== "op") return true;
    if (t.t === "(") divided.push(false);
    else if (t.t === ")") divided.pop();
    else if (t.t === "op" && t.v === "/") divided[divided.length - 1] = true;
    else if (t.t === "op" && (t.v === "+" || t.v === "-")) divided[divided.length - 1] = false;
    else if (t.t === "op" && t.v === "*" && divided.at(-1)) return true;
  }
  return false;
}

/** Whether two values differ by a factor of 1000, 1024 or 8 (or a power of 1000 or 1024). */
function unitRatio(a: number, b: number): boolean {
  if (a === 0 || b === 0) return false;
  const r = Math.abs(a / b) >= 1 ? Math.abs(a / b) : Math.abs(b / a);
  return [8, 1000, 1024, 1e6, 1024 ** 2, 1e9, 1024 ** 3, 8000, 8192, 8 * 1024 ** 2].some(
    (f) => Math.abs(r / f - 1) < 0.01,
  );
}

/** Every false computation stated in a text, in order. */
export function findFalseComputations(text: string): FalseComputation[] {
  const out: FalseComputation[] = [];
  let at = 0;
  for (const line of text.split("\n")) {
    if (line.length <= 2000) for (const f of lineSlips(line)) out.push({ ...f, index: f.index + at });
    at += line.length + 1;
  }
  return out;
}

/** A number for a reader: integers as they are, others to 6 significant digits. */
export function showNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const r = Number(v.toPrecision(6));
  return Math.abs(r) >= 1e-4 && Math.abs(r) < 1e15 ? String(r) : r.toExponential(4);
}

// ---------------------------------------------------------------------------------------------
// The rule

const NUMBER_IN_TEXT = /(?:\d{1,3}(?:(?:,|\{,\})\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+/g;

/** Numbers written in a text, with how many decimals each shows. */
function numbersIn(s: string): { v: number; decimals: number }[] {
  return [...s.matchAll(NUMBER_IN_TEXT)].map((m) => {
    const raw = m[0].replace(/\{,\}|,/g, "");
    return { v: Number(raw), decimals: raw.includes(".") ? raw.split(".")[1]!.length : 0 };
  });
}

/** Whether a written number is v as shown (v rounded to the number's decimals). */
function writes(n: { v: number; decimals: number }, v: number): boolean {
  return Math.abs(n.v - Math.abs(v)) <= 0.5 * 10 ** -n.decimals + 1e-9 * Math.max(1, Math.abs(v));
}

/** A false computation and what shows that it matters. */
export interface CarriedSlip extends FalseComputation {
  /** The output's final answer is the false result. */
  final: boolean;
}

/**
 * The first false computation whose wrong result the output carries on — it is the final answer
 * (`finalAnswer`, as a number), or it is written again later (a one-digit integer or a number of
 * the input could recur by chance, so those need the final answer) — and which the output never corrects: the true value is
 * not written anywhere after it. Computations copied from the input are not the model's.
 */
export function carriedSlip(output: string, input: string, finalAnswer: number | null): CarriedSlip | null {
  for (const f of findFalseComputations(output)) {
    if (input.includes(f.text)) continue;
    const rest = numbersIn(output.slice(f.index + f.text.length));
    if (rest.some((n) => n.decimals <= 6 && writes(n, f.value) && (n.v !== 0 || f.value === 0))) continue;
    const final =
      finalAnswer !== null && Math.abs(finalAnswer - f.statedValue) <= 1e-9 * Math.max(1, Math.abs(f.statedValue));
    // A number that recurs may be the same number by chance: a one-digit integer, or a number the
    // question itself gives ("26 red cards"). Those count only as the final answer.
    const small = Number.isInteger(f.statedValue) && Math.abs(f.statedValue) < 10;
    const given = numbersIn(input).some((n) => n.v === Math.abs(f.statedValue));
    const recurs = !small && !given && rest.some((n) => n.v === Math.abs(f.statedValue));
    if (final || recurs) return { ...f, final };
  }
  return null;
}
