// Small helpers the format readers share.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { basename } from "node:path";
import { createHash } from "node:crypto";
import { decodeUtf8, Utf8Error } from "../../../src/lib/jsonio.ts";
import { ImportError } from "../errors.ts";

/** SHA-256 over files (name and content of each, in order), read in 1 MB chunks. */
export function hashFiles(paths: string[]): string {
  if (paths.length === 1) return hashOne(paths[0]);
  const h = createHash("sha256");
  for (const p of paths) h.update(basename(p)).update(hashOne(p));
  return h.digest("hex");
}

function hashOne(path: string): string {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

/**
 * Bytes as UTF-8 text, a byte order mark taken off; bytes that are not UTF-8 are an error naming
 * the file, the place (a zip entry, say) and the line, never replaced by U+FFFD.
 */
export function utf8Text(bytes: Uint8Array, path: string, where = "file"): string {
  try {
    return decodeUtf8(bytes);
  } catch (e) {
    if (e instanceof Utf8Error)
      throw new ImportError(
        path,
        where === "file" ? `line ${e.line}` : `${where}, line ${e.line}`,
        null,
        `byte ${e.column}: not valid UTF-8 (re-save the file as UTF-8)`,
      );
    throw e;
  }
}

/** A whole file as UTF-8 text (see utf8Text); an error names the file. */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ImportError(path, "file", null, (e as Error).message);
  }
  return utf8Text(bytes, path);
}

/** A whole JSON file, parsed; an error names the file. */
export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ImportError(path, "file", null, `malformed JSON (${(e as Error).message})`);
  }
}

/** The first bytes of a file as text (to tell formats apart without reading it all). */
export function head(path: string, bytes = 64 * 1024): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}
