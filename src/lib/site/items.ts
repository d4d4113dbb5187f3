// Every record of a benchmark item, for item views and failure pages (README "The site"): all models'
// outputs on it, correct ones too. Records are read per (snapshot, dataset) from the snapshot's
// dataset file the first time a page needs one, and kept in a small LRU: pages render in path order
// (release, dataset, item, model), so one dataset file is read once per release however many pages
// it has, and memory stays bounded whatever the number of snapshots. The analyses of each item are
// indexed once per release. Which texts need a full-text file beside their page is decided here too,
// for the pages that link them and the downloads worker that writes them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checked, dataError } from "../data/errors.ts";
import { forEachLine } from "../jsonio.ts";
import { layout } from "../paths.ts";
import { parseEvalRecord, type Analysis, type EvalRecord } from "../schemas.ts";
import { once, type Site, type SiteRelease } from "./model.ts";
import { CUT_CHARS, itemOutputCut } from "./text.ts";
import { paths } from "./urls.ts";

/** Dataset files kept in memory at once. */
const CACHED_FILES = 4;

/** A small least-recently-used map: a Map keeps insertion order, so its first key is the oldest. */
class Lru<K, V> {
  private map = new Map<K, V>();
  private readonly size: number;
  constructor(size: number) {
    this.size = size;
  }
  get(k: K, make: () => V): V {
    const hit = this.map.get(k);
    if (hit !== undefined) {
      this.map.delete(k);
      this.map.set(k, hit);
      return hit;
    }
    const v = make();
    this.map.set(k, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
    return v;
  }
}

/** Records of one dataset by instance id, each item's in model order (the file's order). */
export type DatasetRecords = Map<string, EvalRecord[]>;

const files = new Lru<string, DatasetRecords>(CACHED_FILES);

/** Reads and validates one snapshot dataset file, grouped by item. */
function readDatasetFile(path: string): DatasetRecords {
  const out: DatasetRecords = new Map();
  forEachLine(readFileSync(path), (text, n) => {
    if (!text) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw dataError(path, n, e);
    }
    const r = checked(parseEvalRecord(raw), path, n) as EvalRecord;
    const list = out.get(r.instance_id);
    if (list) list.push(r);
    else out.set(r.instance_id, [r]);
  });
  for (const list of out.values()) list.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return out;
}

/** Every record of `dataset` in the release's snapshot (empty when the data root lacks the snapshot or file). */
export function datasetRecords(root: string, rel: SiteRelease, dataset: string): DatasetRecords {
  const snap = rel.snapshot;
  const entry = snap?.datasets[dataset];
  if (!snap || !entry) return new Map();
  const path = join(layout(root).snapshot(snap.id), entry.file);
  return files.get(path, () => (existsSync(path) ? readDatasetFile(path) : new Map()));
}

const itemKey = (dataset: string, instance: string) => `${dataset}|${instance}`;

/** Each item's analyses, by "dataset|instance_id", in model order. */
export const analysesByItem = once((rel: SiteRelease): Map<string, Analysis[]> => {
  const out = new Map<string, Analysis[]>();
  for (const a of rel.analyses) {
    const k = itemKey(a.dataset, a.instance_id);
    const list = out.get(k);
    if (list) list.push(a);
    else out.set(k, [a]);
  }
  for (const list of out.values()) list.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return out;
});

/** The release's analyses by record key. */
export const analysisByKey = once((rel: SiteRelease) => new Map(rel.analyses.map((a) => [a.key, a])));

/** The items of a release that have a page (at least one analysed failure), sorted by dataset and instance id. */
export const itemsOf = once((rel: SiteRelease): { dataset: string; instance_id: string }[] =>
  [...analysesByItem(rel).values()]
    .map((list) => ({ dataset: list[0]!.dataset, instance_id: list[0]!.instance_id }))
    .sort((a, b) => cmp(a.dataset, b.dataset) || cmp(a.instance_id, b.instance_id)),
);

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The texts of a record that may be long. */
export const TEXT_FIELDS = ["input", "output", "reference", "reference_text"] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** One item: its records (every model that attempted it), its analyses, and the text most of its records share. */
export interface Item {
  release: SiteRelease;
  dataset: string;
  instance_id: string;
  records: EvalRecord[];
  /** Analyses by model. */
  analyses: Map<string, Analysis>;
  /** The input, reference and reference option text most records share (first in model order on a tie). */
  common: { input: string | null; reference: string | null; reference_text: string | null };
}

/** The value most of `xs` have, the first one on a tie; null for none. */
function mostCommon(xs: (string | undefined)[]): string | null {
  const counts = new Map<string, number>();
  let best: string | null = null;
  let bestN = 0;
  for (const x of xs) {
    if (x === undefined) continue;
    const n = (counts.get(x) ?? 0) + 1;
    counts.set(x, n);
    if (n > bestN) {
      best = x;
      bestN = n;
    }
  }
  return best;
}

/** An item of the release, with every record of it in the release's snapshot. */
export function itemOf(root: string, rel: SiteRelease, dataset: string, instance: string): Item {
  const records = datasetRecords(root, rel, dataset).get(instance) ?? [];
  const analyses = new Map((analysesByItem(rel).get(itemKey(dataset, instance)) ?? []).map((a) => [a.model, a]));
  return {
    release: rel,
    dataset,
    instance_id: instance,
    records,
    analyses,
    common: {
      input: mostCommon(records.map((r) => r.input)),
      reference: mostCommon(records.map((r) => r.reference)),
      reference_text: mostCommon(records.map((r) => r.reference_text)),
    },
  };
}

/** Where the whole of one text of a record is written when a page cuts it: beside the failure page's path. */
export const fullTextPath = (
  release: string,
  r: Pick<EvalRecord, "dataset" | "instance_id" | "model">,
  field: TextField,
): string => `${paths.failure(release, r.dataset, r.instance_id, r.model)}${field}.txt`;

/**
 * The most of a record's text that any page shows: each text of an analysed failure is shown up to
 * CUT_CHARS on its own page; a record without one is seen on its item's view only, its output (and
 * an input or reference it does not share with the item) cut shorter, its shared ones up to CUT_CHARS.
 */
function widestCut(item: Item, r: EvalRecord, field: TextField): number {
  if (item.analyses.has(r.model)) return CUT_CHARS;
  if (field !== "output" && r[field] === item.common[field]) return CUT_CHARS;
  return itemOutputCut(item.records.length);
}

/** The full-text file of a record's text, when some page cuts it and no page shows it whole; else null. */
export function fullTextOf(item: Item, r: EvalRecord, field: TextField): string | null {
  const text = r[field];
  return text !== undefined && text.length > widestCut(item, r, field) ? fullTextPath(item.release.id, r, field) : null;
}

/** Where a text a page cuts is whole: a site path and what it is. */
export interface Whole {
  href: string;
  label: string;
}

/** A full-text file as a link. */
export const fileWhole = (path: string | null): Whole | null =>
  path ? { href: path, label: path.slice(path.lastIndexOf("/") + 1) } : null;

/**
 * Where the whole of an analysed failure's text is, for a page that shows `cut` characters of it:
 * the failure's own page when that shows all of it, else the text's file; null when not cut.
 */
export function analysedWhole(
  release: string,
  r: Pick<EvalRecord, "dataset" | "instance_id" | "model">,
  field: TextField,
  text: string | null,
  cut: number,
): Whole | null {
  if (text === null || text.length <= cut) return null;
  if (text.length <= CUT_CHARS)
    return { href: paths.failure(release, r.dataset, r.instance_id, r.model), label: "this failure's own page" };
  return fileWhole(fullTextPath(release, r, field));
}

/**
 * Every full-text file of a release: site path and text, for each item with a page. Read the same
 * way as the pages read (dataset by dataset).
 */
export function* fullTexts(root: string, rel: SiteRelease): Generator<{ path: string; text: string }> {
  for (const { dataset, instance_id } of itemsOf(rel)) {
    const item = itemOf(root, rel, dataset, instance_id);
    for (const r of item.records)
      for (const field of TEXT_FIELDS) {
        const path = fullTextOf(item, r, field);
        if (path) yield { path, text: r[field]! };
      }
  }
}

/** The site path of a full-text file. */
export const FULL_TEXT_FILE = /\/(input|output|reference|reference_text)\.txt$/;

/** Every full-text file of the site, as downloads (src/integrations/write-downloads.ts writes them). */
export function* fullTextFiles(root: string, site: Site): Generator<{ path: string; body: string; type: string }> {
  for (const rel of site.releases)
    for (const f of fullTexts(root, rel)) yield { path: f.path, body: f.text, type: "text/plain; charset=utf-8" };
}
