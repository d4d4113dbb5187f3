// The owner of releases/<id>/analyses.jsonl (README "Data layout"), one analysis per failure: its
// path, reading (with the schema's fast parse, src/lib/fastparse.ts) and its bytes.
import { existsSync, readFileSync } from "node:fs";
import { forEachLine, stableJsonLine } from "../jsonio.ts";
import { layout, RELEASE_FILE } from "../paths.ts";
import { parseAnalysis, type Analysis } from "../schemas.ts";
import { checked, parseJsonWith } from "./errors.ts";

export const analysesPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.analyses);

export const hasAnalyses = (root: string, id: string) => existsSync(analysesPath(root, id));

/** Each non-empty line of release `id`'s analyses.jsonl, parsed but not validated, with its line number. */
export function readAnalysesRaw(root: string, id: string): { line: number; data: Record<string, unknown> }[] {
  const path = analysesPath(root, id);
  const out: { line: number; data: Record<string, unknown> }[] = [];
  forEachLine(readFileSync(path), (text, n) => {
    if (!text.trim()) return;
    out.push({ line: n, data: parseJsonWith(text, path, n, (v) => v as Record<string, unknown>) });
  });
  return out;
}

/** Release `id`'s analyses, validated, in file order. */
export function readAnalyses(root: string, id: string): Analysis[] {
  const path = analysesPath(root, id);
  return readAnalysesRaw(root, id).map(({ line, data }) => checked(parseAnalysis(data), path, line));
}

/** The bytes of analyses.jsonl: one key-sorted analysis a line. */
export const analysesText = (analyses: Analysis[]): string =>
  analyses.map((a) => stableJsonLine(a)).join("\n") + (analyses.length ? "\n" : "");
