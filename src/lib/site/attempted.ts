// Which items each model attempted in a release: the records it has in the release's snapshot. The
// compare pages test two models on the items both attempted (README "The site"). Usually a model
// has a record on every item of a dataset, and the aggregates (its records there) and the snapshot
// manifest (the dataset's distinct items) already say so: nothing is read. Only a dataset on which
// some model attempted part of the items is read, once per snapshot, for its (model, item) keys.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { forEachLine } from "../jsonio.ts";
import { layout } from "../paths.ts";
import { once, type Site, type SiteRelease } from "./model.ts";

/** The data root each release was read from (the snapshot files are there). */
const roots = new WeakMap<SiteRelease, string>();

/** Records where the releases of `site` were read from, so attempted items can be read when needed. */
export function attachDataRoot(site: Site, root: string): void {
  for (const rel of site.releases) roots.set(rel, root);
}

/** Items a model attempted on a dataset: every item of it ("all"), those listed, or null when unknown. */
export type Attempted = "all" | ReadonlySet<string> | null;

const NONE: ReadonlySet<string> = new Set();

/** Records per model and dataset, from the aggregates (nested maps: 4,950 pairs ask 50 datasets each). */
const recordsByPair = once((rel: SiteRelease) => {
  const out = new Map<string, Map<string, number>>();
  for (const p of rel.aggregates.pairs) {
    let m = out.get(p.model);
    if (!m) out.set(p.model, (m = new Map()));
    m.set(p.dataset, p.records);
  }
  return out;
});

/** Records of `model` on `dataset` in the release (its items attempted there). */
export const recordsOn = (rel: SiteRelease, model: string, dataset: string): number =>
  recordsByPair(rel).get(model)?.get(dataset) ?? 0;

/** (model → instance ids) of a snapshot dataset file, read once per file. */
const keysCache = new Map<string, Map<string, Set<string>> | null>();

function datasetKeys(rel: SiteRelease, dataset: string): Map<string, Set<string>> | null {
  const root = roots.get(rel);
  const file = rel.snapshot?.datasets[dataset]?.file;
  if (!root || !file) return null;
  const path = join(layout(root).snapshot(rel.release.snapshot), file);
  if (keysCache.has(path)) return keysCache.get(path)!;
  let out: Map<string, Set<string>> | null = new Map();
  try {
    const bytes = readFileSync(path);
    forEachLine(bytes, (text) => {
      if (!text) return;
      const r = JSON.parse(text) as { model?: unknown; instance_id?: unknown };
      if (typeof r.model !== "string" || typeof r.instance_id !== "string") return;
      let set = out!.get(r.model);
      if (!set) out!.set(r.model, (set = new Set()));
      set.add(r.instance_id);
    });
  } catch {
    out = null; // a snapshot file missing or unreadable: the comparison says it cannot tell
  }
  keysCache.set(path, out);
  return out;
}

/**
 * The items `model` attempted on `dataset`: "all" when its records there are as many as the
 * dataset's distinct items (read from nothing), else the instance ids its records hold.
 */
export function attemptedItems(rel: SiteRelease, model: string, dataset: string): Attempted {
  const records = recordsOn(rel, model, dataset);
  if (records === 0) return NONE;
  const items = rel.snapshot?.datasets[dataset]?.items;
  if (items !== undefined && records === items) return "all";
  return datasetKeys(rel, dataset)?.get(model) ?? null;
}

/** Items both models attempted on a dataset, or null when that is unknown. */
export function sharedItems(rel: SiteRelease, a: string, b: string, dataset: string): number | null {
  const sa = attemptedItems(rel, a, dataset);
  const sb = attemptedItems(rel, b, dataset);
  if (sa === "all") return recordsOn(rel, b, dataset);
  if (sb === "all") return recordsOn(rel, a, dataset);
  if (!sa || !sb) return null;
  const [small, large] = sa.size <= sb.size ? [sa, sb] : [sb, sa];
  let n = 0;
  for (const id of small) if (large.has(id)) n++;
  return n;
}
