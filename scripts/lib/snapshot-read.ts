// Reading snapshots back: the manifest (validated) and the records, streamed or all at once.
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { forEachLine } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import {
  SnapshotManifestSchema,
  parseEvalRecord,
  type EvalRecord,
  type SnapshotManifest,
} from "../../src/lib/schemas.ts";

export function loadManifest(root: string, id: string): SnapshotManifest {
  const path = join(layout(root).snapshot(id), "manifest.json");
  if (!existsSync(path)) throw new Error(`no snapshot "${id}" in ${layout(root).snapshots} (no ${path})`);
  const parsed = SnapshotManifestSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${path}: field ${i.path.join(".")}: ${i.message}`);
  }
  return parsed.data;
}

export async function* recordsOf(snapshotDir: string, file: string): AsyncGenerator<EvalRecord> {
  const path = join(snapshotDir, file);
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line) continue;
    const parsed = parseEvalRecord(JSON.parse(line));
    if (!parsed.success)
      throw new Error(
        `${path}: line ${n}, field ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
      );
    yield parsed.data;
  }
}

/** Every record of a snapshot, in file order (dataset, model, instance_id), validated. */
export function loadRecords(root: string, manifest: SnapshotManifest): EvalRecord[] {
  const dir = layout(root).snapshot(manifest.id);
  const out: EvalRecord[] = [];
  for (const ds of Object.keys(manifest.datasets).sort()) {
    const path = join(dir, manifest.datasets[ds].file);
    forEachLine(readFileSync(path), (text, n) => {
      if (!text) return;
      const parsed = parseEvalRecord(JSON.parse(text));
      if (!parsed.success)
        throw new Error(
          `${path}: line ${n}, field ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
        );
      out.push(parsed.data);
    });
  }
  return out;
}
