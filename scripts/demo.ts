// `npm run demo` (tsx scripts/demo.ts [--data DIR]): writes the fictional demo snapshot `demo` into
// the data root (default data/). It adds the demo models and datasets to the registry (fictional,
// and marked so), generates the records with a seeded PRNG, writes them as JSONL to a temporary
// folder and imports them like any other results (replacing an earlier `demo` snapshot). The same
// code always gives byte-identical output.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { importSnapshot } from "./import/snapshot.ts";
import { stableJson, stableJsonLine } from "../src/lib/jsonio.ts";
import { dataRoot } from "../src/lib/paths.ts";
import { loadRegistry, saveRegistry } from "../src/lib/registry.ts";
import type { SnapshotManifest } from "../src/lib/schemas.ts";
import { generateDemo } from "./demo/generate.ts";
import { DEMO_DATASETS, DEMO_MODELS } from "./demo/registry.ts";

export const DEMO_SNAPSHOT = "demo";

/** Adds (or updates) the demo entries of the registry; other entries are left exactly as they are. */
export function ensureDemoRegistry(root: string): boolean {
  const reg = loadRegistry(root);
  let changed = false;
  const upsert = <T extends { id: string }>(list: T[], entry: T) => {
    const i = list.findIndex((e) => e.id === entry.id);
    if (i >= 0 && stableJson(list[i]) === stableJson(entry)) return;
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    changed = true;
  };
  DEMO_MODELS.forEach((m) => upsert(reg.models, m));
  DEMO_DATASETS.forEach((d) => upsert(reg.datasets, d));
  if (changed) saveRegistry(root, reg);
  return changed;
}

export async function writeDemo(root: string): Promise<SnapshotManifest> {
  ensureDemoRegistry(root);
  const tmp = mkdtempSync(join(tmpdir(), "errormap-demo-"));
  try {
    const paths: string[] = [];
    for (const [dataset, recs] of generateDemo()) {
      const p = join(tmp, `${dataset}.jsonl`);
      writeFileSync(p, recs.map((r) => stableJsonLine(r.record) + "\n").join(""));
      paths.push(p);
    }
    return await importSnapshot({ root, snapshot: DEMO_SNAPSHOT, paths, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { data: { type: "string" } } });
  const root = dataRoot(values.data);
  const m = await writeDemo(root);
  const per = Object.entries(m.datasets).map(([id, d]) => `${id} ${d.records}/${d.failures}`).join(", ");
  console.error(`demo snapshot written to ${join(root, "snapshots", DEMO_SNAPSHOT)}: ${m.records} records, ${m.failures} failures, ${m.models.length} models (records/failures: ${per})`);
}
