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
import { loadRegistry, saveRegistry } from "./lib/registry.ts";
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
  for (const m of DEMO_MODELS) upsert(reg.models, m);
  for (const d of DEMO_DATASETS) upsert(reg.datasets, d);
  if (changed) saveRegistry(root, reg);
  return changed;
}

/** Writes the generated records that `keep` accepts as JSONL and imports them into `snapshot`. */
async function writeDemoSnapshot(
  root: string,
  snapshot: string,
  keep: (dataset: string, model: string) => boolean,
): Promise<SnapshotManifest> {
  ensureDemoRegistry(root);
  const tmp = mkdtempSync(join(tmpdir(), "errormap-demo-"));
  try {
    const paths: string[] = [];
    for (const [dataset, recs] of generateDemo()) {
      const kept = recs.filter((r) => keep(dataset, r.record.model));
      if (kept.length === 0) continue;
      const p = join(tmp, `${dataset}.jsonl`);
      writeFileSync(p, kept.map((r) => stableJsonLine(r.record) + "\n").join(""));
      paths.push(p);
    }
    return await importSnapshot({ root, snapshot, paths, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function writeDemo(root: string): Promise<SnapshotManifest> {
  return writeDemoSnapshot(root, DEMO_SNAPSHOT, () => true);
}

/**
 * The demo snapshot the current generator writes into data/. The snapshots of published demo
 * releases (`demo`, `demo-early`) are frozen as the generator wrote them then; when the generator
 * changes (new kinds of failure to plant), its output lands in this newer snapshot.
 */
export const DEMO_LATEST_SNAPSHOT = "demo-3";

export function writeDemoLatest(root: string): Promise<SnapshotManifest> {
  return writeDemoSnapshot(root, DEMO_LATEST_SNAPSHOT, () => true);
}

/** The earlier demo snapshot: before Ember-13B-Chat and the open-ended dataset "landed". */
export const DEMO_EARLY_SNAPSHOT = "demo-early";

export function writeDemoEarly(root: string): Promise<SnapshotManifest> {
  return writeDemoSnapshot(
    root,
    DEMO_EARLY_SNAPSHOT,
    (dataset, model) => dataset !== "demo_instruct" && model !== "Ember-13B-Chat",
  );
}

/**
 * The demo releases: a first one on the early snapshot (published, so it shows how a frozen
 * release looks), and the current one on the full snapshot, which follows it. A published release
 * is left as it is.
 */
export const DEMO_RELEASES = [
  {
    id: "demo-1",
    snapshot: DEMO_EARLY_SNAPSHOT,
    previous: null,
    title: "Demo release 1 (fictional data)",
    date: "2026-10-01",
  },
  {
    id: "demo-2",
    snapshot: DEMO_SNAPSHOT,
    previous: "demo-1",
    title: "Demo release 2: a new model and an open-ended dataset (fictional data)",
    date: "2026-11-01",
  },
  // Reviewed by the demo's fictional reviewer (scripts/demo/review.ts) before it is published, so
  // the demo shows measured precision per category and a disputed reference reviewed as wrong.
  {
    id: "demo-3",
    snapshot: DEMO_LATEST_SNAPSHOT,
    previous: "demo-2",
    title: "Demo release 3: rules read by hand, references reviewed (fictional data)",
    date: "2026-11-30",
    reviewed: true,
  },
] as const;

/**
 * `npm run demo`: the demo snapshots and the demo releases, published with fixed dates so the demo
 * is reproducible. Published releases and their snapshots are frozen, so a second run leaves them
 * as they are; to regenerate the demo from scratch, delete data/releases, data/cache, data/reviews,
 * data/published.json (publish refuses an id recorded there) and the demo snapshots first.
 */
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { data: { type: "string" } } });
  const root = dataRoot(values.data);
  const { runPipeline } = await import("./pipeline/run.ts");
  const { listReleases } = await import("./pipeline/releases.ts");
  const { publishRelease } = await import("./commands/publish.ts");
  const frozen = new Set(
    listReleases(root)
      .filter((r) => r.published)
      .map((r) => r.id),
  );
  const frozenSnapshots = new Set(DEMO_RELEASES.filter((r) => frozen.has(r.id)).map((r) => r.snapshot as string));
  for (const [id, write] of [
    [DEMO_SNAPSHOT, writeDemo],
    [DEMO_EARLY_SNAPSHOT, writeDemoEarly],
    [DEMO_LATEST_SNAPSHOT, writeDemoLatest],
  ] as const) {
    if (frozenSnapshots.has(id)) {
      console.error(`demo snapshot ${id} is the input of a published release; left as it is`);
      continue;
    }
    const m = await write(root);
    const per = Object.entries(m.datasets)
      .map(([d, x]) => `${d} ${x.records}/${x.failures}`)
      .join(", ");
    console.error(
      `demo snapshot ${m.id}: ${m.records} records, ${m.failures} failures, ${m.models.length} models (records/failures: ${per})`,
    );
  }
  for (const r of DEMO_RELEASES) {
    if (frozen.has(r.id)) {
      console.error(`demo release ${r.id} is published; left as it is`);
      continue;
    }
    const { release, run } = await runPipeline({
      root,
      snapshot: r.snapshot,
      release: r.id,
      previous: r.previous,
      title: r.title,
      force: true,
    });
    if ("reviewed" in r) {
      const { reviewDemoRelease } = await import("./demo/review.ts");
      const n = await reviewDemoRelease(root, r.id, r.date);
      console.error(
        `demo release ${r.id}: ${n.items} disputed items and ${n.failures} failures reviewed by the demo reviewer`,
      );
    }
    publishRelease(root, r.id, r.date);
    console.error(
      `demo release ${release.id}: ${release.counts.failures} failures, ${release.counts.categories} categories, ${run.analysis_calls} judged, ${run.cached} cached, published ${r.date}`,
    );
  }
}
