// Deterministic JSON and atomic writes: generated data must be byte-identical for the same
// inputs (stable key order, no timestamps), and a crash must never leave a half-written file.
import { isUtf8 } from "node:buffer";
import { hash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

/** Recursively sorts object keys so the same value always serialises to the same bytes. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    // Parts already in order are returned as they are, not copied: most of what is written is
    // (records, arrays of plain values), and copying costs more than serialising.
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const s = v && typeof v === "object" ? sortKeys(v) : v;
      if (s !== v && !out) out = value.slice(0, i);
      out?.push(s);
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    const proto = Object.getPrototypeOf(obj);
    let inOrder = proto === Object.prototype || proto === null;
    // An undefined value may stay: JSON.stringify leaves such a key out, as the sorted copy would.
    for (let i = 1; i < keys.length && inOrder; i++) inOrder = keys[i - 1] < keys[i];
    if (inOrder) {
      // Keys in order: a copy only if a value changes.
      let out: Record<string, unknown> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const v = obj[keys[i]];
        const s = v && typeof v === "object" ? sortKeys(v) : v;
        if (s !== v && !out) {
          out = {};
          for (let j = 0; j < i; j++) out[keys[j]] = obj[keys[j]];
        }
        if (out) out[keys[i]] = s;
      }
      return (out ?? value) as T;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys.sort()) {
      const v = obj[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out as T;
  }
  return value;
}

/** Pretty, key-sorted JSON with a trailing newline. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

/** One key-sorted JSON object per line (no trailing spaces), for .jsonl files. */
export function stableJsonLine(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * Calls `fn` with each line of a file's bytes (without its "\n") and its 1-based number, decoded
 * one line at a time: decoding a whole mostly-ASCII file with a few other characters gives one
 * two-byte string, slower to split and parse (README "Performance").
 */
export function forEachLine(bytes: Buffer, fn: (text: string, n: number) => void): void {
  for (let start = 0, n = 1; start < bytes.length; n++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    fn(bytes.toString("utf8", start, end), n);
    start = end + 1;
  }
}

export function sha256(data: string | Buffer): string {
  // The one-shot hash: a createHash object per call costs more than hashing a short text.
  return hash("sha256", data);
}

export function sha256File(path: string): string {
  return sha256(readFileSync(path));
}

/** Writes through a temporary file in the same folder and renames it into place. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, stableJson(value));
}

export function readJson(path: string): unknown {
  return parseJsonText(decodeUtf8(readFileSync(path), path), path);
}

// ---------------------------------------------------------------------------------------------
// Text as people's tools write it (README, "The `errormap` command": bad input stops with the file,
// the line and the field). Editors on Windows start UTF-8 files with a byte order mark; bytes that
// are not UTF-8 (a Latin-1 export) must stop the import instead of turning into U+FFFD silently.

const BOM = [0xef, 0xbb, 0xbf];

/** Bytes a UTF-8 byte order mark takes at the start of `bytes` (3 or 0). */
export function bomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2] ? 3 : 0;
}

/** Where the first byte sequence that is not UTF-8 lies: byte offset, line (from 1) and byte column (from 1). */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number; column: number } | null {
  if (isUtf8(bytes)) return null;
  const offset = invalidOffset(bytes);
  let line = 1;
  let lineStart = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0 && nl < offset; nl = bytes.indexOf(0x0a, nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** Offset of the first ill-formed sequence (Unicode's table 3-7), for bytes isUtf8 refused. */
function invalidOffset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    // The second byte's range depends on the first (no overlongs, surrogates or code points past U+10FFFF).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (i + 1 >= b.length || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if (i + k >= b.length || b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    i += n + 1;
  }
  return b.length;
}

/** Thrown for bytes that are not UTF-8; `line` and `column` count within what was decoded. */
export class Utf8Error extends Error {
  readonly line: number;
  readonly column: number;
  constructor(line: number, column: number, prefix = "") {
    super(`${prefix}line ${line}, byte ${column}: not valid UTF-8 (re-save the file as UTF-8)`);
    this.line = line;
    this.column = column;
  }
}

/** Decodes UTF-8 strictly, dropping a leading byte order mark; `path` prefixes the error. */
export function decodeUtf8(bytes: Uint8Array, path?: string): string {
  const bom = bomLength(bytes);
  const body = bom ? bytes.subarray(bom) : bytes;
  const bad = firstInvalidUtf8(body);
  if (bad) throw new Utf8Error(bad.line, bad.column, path ? `${path}: ` : "");
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/** JSON.parse with the file named in the error. */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
}

/** Nesting depth records may have: far beyond real metadata, far below what recursion (sorting keys, hashing) survives. */
export const MAX_NESTING = 100;

/**
 * The path down to the first value nested deeper than `limit` levels inside `value`, or null.
 * The point is to answer for values that unbounded recursion cannot walk: this one stops at
 * `limit` frames. It runs on every imported record's metadata, so it allocates nothing, and finds
 * the path only once it knows there is one.
 */
export function tooDeep(value: unknown, limit = MAX_NESTING): string[] | null {
  return value !== null && typeof value === "object" && deeper(value, limit) ? pathAtDepth(value, limit) : null;
}

function deeper(v: object, left: number): boolean {
  if (left === 0) return true;
  for (const k in v) {
    const c = (v as Record<string, unknown>)[k];
    if (c !== null && typeof c === "object" && deeper(c, left - 1)) return true;
  }
  return false;
}

/** The keys down to the first value `depth` levels inside `value` (there is one). */
function pathAtDepth(value: unknown, depth: number): string[] {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (path.length === depth) return path;
    for (const [k, c] of Object.entries(v as object))
      if (c && typeof c === "object") stack.push({ v: c, path: [...path, k] });
  }
  return [];
}

/**
 * The path of the first string (or key) in `value` holding U+FFFD, the character a lenient
 * decoder puts in place of bytes that are not UTF-8: which field those bytes were in. Null when
 * none does (the bad bytes were outside any string).
 */
export function replacementPath(value: unknown, limit = MAX_NESTING): string[] | null {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\ufffd")) return path;
      continue;
    }
    if (!v || typeof v !== "object" || path.length > limit) continue;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, c] = entries[i];
      if (k.includes("\ufffd")) return [...path, k];
      stack.push({ v: c, path: [...path, k] });
    }
  }
  return null;
}

/**
 * Puts a fully written temporary folder in place of `final`: an existing folder is moved aside
 * first and removed after, so at every moment `final` is either the old folder or the new one.
 */
export function replaceDir(tmp: string, final: string): void {
  if (!existsSync(final)) {
    renameSync(tmp, final);
    return;
  }
  const trash = `${tmp}.old`;
  renameSync(final, trash);
  renameSync(tmp, final);
  rmSync(trash, { recursive: true, force: true });
}

/** Whether a process with this pid is running (signal 0 tests without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temporary folders `<dir>/.tmp-<id>-<pid>` (and their `.old`) left by killed runs, whose
 * process is gone; a folder of a run still going is left alone. Returns what was removed.
 */
export function removeStaleTemps(dir: string, id: string): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^\.tmp-(.+)-(\d+)(\.old)?$/.exec(name);
    if (!m || m[1] !== id || alive(Number(m[2]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
