// Deterministic JSON and atomic writes: generated data must be byte-identical for the same
// inputs (stable key order, no timestamps), and a crash must never leave a half-written file.
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
 * two-byte string, slower to split and parse (issue 6).
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
  return JSON.parse(readFileSync(path, "utf8"));
}

/**
 * Puts a fully written temporary folder in place of `final`: an existing folder is moved aside
 * first and removed after, so at every moment `final` is either the old folder or the new one.
 */
export function replaceDir(tmp: string, final: string): void {
  if (!existsSync(final)) return renameSync(tmp, final);
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
