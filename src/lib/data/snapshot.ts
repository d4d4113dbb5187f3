// The owner of snapshots/<id>/ (README "Data layout"): manifest.json (validated) and the records,
// records/<dataset>.jsonl, streamed or read all at once. The site finds the few records its pages
// show by binary search in these files (src/lib/site/fsdata.ts), without reading them whole.
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { forEachLine, writeJsonAtomic } from "../jsonio.ts";
import { fileIn, layout, SNAPSHOT_FILE } from "../paths.ts";
import { SnapshotManifestSchema, parseEvalRecord, type EvalRecord, type SnapshotManifest } from "../schemas.ts";
import { checked, dataError, parseJsonWith } from "./errors.ts";

export const manifestPath = (root: string, id: string) => layout(root).manifestFile(id);

/** Whether snapshot folder `id` holds a manifest.json. */
export const hasManifest = (root: string, id: string) => existsSync(manifestPath(root, id));

/** Snapshot `id`'s manifest, validated; a snapshot that is not there is an error. */
export function readManifest(root: string, id: string): SnapshotManifest {
  const path = manifestPath(root, id);
  if (!existsSync(path)) throw new Error(`no snapshot "${id}" in ${layout(root).snapshots} (no ${path})`);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => SnapshotManifestSchema.parse(v));
}

/** Snapshot `id`'s manifest.json as it is, not validated (the site's content collections validate it). */
export function readManifestRaw(root: string, id: string): Record<string, unknown> {
  const path = manifestPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => v as Record<string, unknown>);
}

/** Writes manifest.json into a snapshot folder (the temporary one an import fills). */
export function writeManifest(folder: string, manifest: SnapshotManifest): void {
  writeJsonAtomic(fileIn(folder, SNAPSHOT_FILE.manifest), manifest);
}

/** A dataset's records file, relative to its snapshot folder (the manifest's `file`). */
export const recordsFileName = (dataset: string) => `${SNAPSHOT_FILE.records}/${dataset}.jsonl`;

/** The records of one dataset file of a snapshot folder (`file` as the manifest names it), streamed and validated. */
export async function* recordsOf(snapshotDir: string, file: string): AsyncGenerator<EvalRecord> {
  const path = join(snapshotDir, file);
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line) continue;
    yield checked(parseEvalRecord(parseLine(line, path, n)), path, n);
  }
}

/** Every record of a snapshot, in file order (dataset, model, instance_id), validated. */
export function readRecords(root: string, manifest: SnapshotManifest): EvalRecord[] {
  const dir = layout(root).snapshot(manifest.id);
  const out: EvalRecord[] = [];
  for (const ds of Object.keys(manifest.datasets).sort()) {
    const path = join(dir, manifest.datasets[ds].file);
    forEachLine(readFileSync(path), (text, n) => {
      if (!text) return;
      out.push(checked(parseEvalRecord(parseLine(text, path, n)), path, n));
    });
  }
  return out;
}

function parseLine(text: string, path: string, n: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw dataError(path, n, e);
  }
}
