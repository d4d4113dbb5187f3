// Two models compared item by item (README "The site", compare pages): on the items both attempted,
// per leaf category, a 2×2 table of "made this kind of error on the item" for each model, McNemar's
// exact test on its discordant cells and Benjamini–Hochberg across the pair's categories. An item
// counts for a category when the model's analysed failure on it is in that leaf (a failure has one
// leaf); failures not analysed (sampled out, judge errors) count in none.
//
// Built for 100 models (4,950 pairs): each model's failures are indexed once per release, as a list
// sorted by item, and a pair merges its two models' lists: its work is proportional to their failures.
import { benjaminiHochberg, mcnemarExact } from "../paired.ts";
import { attemptedItems, sharedItems } from "./attempted.ts";
import { once, type SiteRelease } from "./model.ts";

/** Adjusted p-values below this say that a category differs (a false discovery rate of 5%). */
export const ALPHA = 0.05;

export interface PairedRow {
  /** Leaf category id. */
  category: string;
  /** Shared items on which both models made this kind of error (a). */
  both: number;
  /** Only the first model made it (b). */
  a_only: number;
  /** Only the second model made it (c). */
  b_only: number;
  /** Neither made it (d); both + a_only + b_only + neither = the shared items. */
  neither: number;
  /** Each model's items with this error per 100 shared items. */
  a_per_100: number;
  b_per_100: number;
  /** McNemar's exact two-sided p-value on a_only against b_only. */
  p: number;
  /** Benjamini–Hochberg adjusted p-value across the pair's categories. */
  p_adjusted: number;
  /** p_adjusted < ALPHA. */
  differs: boolean;
  /** Which model makes the error more often when it differs ("a" or "b"), else null. */
  more: "a" | "b" | null;
}

export interface PairedTable {
  /** Items both models attempted, on the datasets they share. */
  items: number;
  /** Shared items each model failed with an analysed failure. */
  a_failures: number;
  b_failures: number;
  /** Leaf categories either model made on a shared item: the family the adjustment runs over. */
  rows: PairedRow[];
}

/**
 * Each model's analysed failures as two parallel arrays sorted by item number (items numbered once
 * per release), so a pair is a merge of two sorted lists: no hashing, no strings, per failure.
 */
const failureIndex = once((rel: SiteRelease) => {
  const datasets = new Map<string, number>();
  const categories = new Map<string, number>();
  const items = new Map<string, number>();
  const itemDataset: number[] = [];
  const itemId: string[] = [];
  const perModel = new Map<string, [number, number][]>();
  for (const a of rel.analyses) {
    if (a.status !== "ok") continue;
    let d = datasets.get(a.dataset);
    if (d === undefined) datasets.set(a.dataset, (d = datasets.size));
    let c = categories.get(a.category);
    if (c === undefined) categories.set(a.category, (c = categories.size));
    const key = `${a.dataset}|${a.instance_id}`;
    let i = items.get(key);
    if (i === undefined) {
      items.set(key, (i = itemId.length));
      itemId.push(a.instance_id);
      itemDataset.push(d);
    }
    let list = perModel.get(a.model);
    if (!list) perModel.set(a.model, (list = []));
    list.push([i, c]);
  }
  const failures = new Map<string, { items: Int32Array; cats: Int32Array }>();
  for (const [m, list] of perModel) {
    list.sort((x, y) => x[0] - y[0]);
    failures.set(m, { items: Int32Array.from(list, (x) => x[0]), cats: Int32Array.from(list, (x) => x[1]) });
  }
  return {
    datasets,
    categoryIds: [...categories.keys()],
    itemDataset: Int32Array.from(itemDataset),
    itemId,
    failures,
  };
});

const NO_FAILURES = { items: new Int32Array(0), cats: new Int32Array(0) };

/** Taxonomy position of each category id, for a stable order of rows. */
const taxonomyOrder = once((rel: SiteRelease) => new Map(rel.categories.map((c, i) => [c.id, i])));

const sig6 = (x: number) => (x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(6)));
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Datasets of the pair, from the aggregates' comparison (both models have records on them). */
const comparisonDatasets = once(
  (rel: SiteRelease) => new Map(rel.aggregates.comparisons.map((c) => [`${c.a}|${c.b}`, c.datasets])),
);

const tables = once((_rel: SiteRelease) => new Map<string, PairedTable | null>());

/**
 * The paired table of models a < b (a comparison of the release's aggregates), or null when the
 * pair is not compared or the items both attempted cannot be told (a snapshot not in the data root).
 * Computed once per pair and kept: the compare index, the model pages and the pair's page share it.
 */
export function pairedTable(rel: SiteRelease, a: string, b: string): PairedTable | null {
  const key = `${a}|${b}`;
  const cache = tables(rel);
  if (cache.has(key)) return cache.get(key)!;
  const datasets = comparisonDatasets(rel).get(key);
  const table = datasets ? computeTable(rel, a, b, datasets) : null;
  cache.set(key, table);
  return table;
}

function computeTable(rel: SiteRelease, a: string, b: string, datasets: string[]): PairedTable | null {
  const index = failureIndex(rel);
  const nd = index.datasets.size;
  // Per dataset number: whether the pair compares on it, and the items each attempted there (null: all).
  const shared = new Uint8Array(nd);
  const onlyA: (ReadonlySet<string> | null)[] = new Array(nd).fill(null);
  const onlyB: (ReadonlySet<string> | null)[] = new Array(nd).fill(null);
  let items = 0;
  for (const d of datasets) {
    const n = sharedItems(rel, a, b, d);
    if (n === null) return null;
    items += n;
    const k = index.datasets.get(d);
    if (k === undefined) continue; // no analysed failure on it
    shared[k] = 1;
    const sa = attemptedItems(rel, a, d);
    const sb = attemptedItems(rel, b, d);
    if (sa === null || sb === null) return null;
    onlyA[k] = sa === "all" ? null : sa;
    onlyB[k] = sb === "all" ? null : sb;
  }
  const { itemDataset, itemId } = index;
  const did = (set: ReadonlySet<string> | null, item: number) => set === null || set.has(itemId[item]);
  const A = index.failures.get(a) ?? NO_FAILURES;
  const B = index.failures.get(b) ?? NO_FAILURES;
  const k = index.categoryIds.length;
  // Per category number: both, only a, only b.
  const cells = new Int32Array(3 * k);
  let aFailures = 0;
  let bFailures = 0;
  let i = 0;
  let j = 0;
  while (i < A.items.length || j < B.items.length) {
    const ia = i < A.items.length ? A.items[i] : Infinity;
    const ib = j < B.items.length ? B.items[j] : Infinity;
    if (ia < ib) {
      // Only a failed here: counts when b attempted the item too.
      const ds = itemDataset[ia];
      if (shared[ds] && did(onlyB[ds], ia)) {
        aFailures++;
        cells[3 * A.cats[i] + 1]++;
      }
      i++;
    } else if (ib < ia) {
      const ds = itemDataset[ib];
      if (shared[ds] && did(onlyA[ds], ib)) {
        bFailures++;
        cells[3 * B.cats[j] + 2]++;
      }
      j++;
    } else {
      // Both failed (so both attempted it).
      if (shared[itemDataset[ia]]) {
        aFailures++;
        bFailures++;
        if (A.cats[i] === B.cats[j]) cells[3 * A.cats[i]]++;
        else {
          cells[3 * A.cats[i] + 1]++;
          cells[3 * B.cats[j] + 2]++;
        }
      }
      i++;
      j++;
    }
  }
  const used: number[] = [];
  for (let c = 0; c < k; c++) if (cells[3 * c] + cells[3 * c + 1] + cells[3 * c + 2] > 0) used.push(c);
  const ps = used.map((c) => mcnemarExact(cells[3 * c + 1], cells[3 * c + 2]));
  const qs = benjaminiHochberg(ps);
  const order = taxonomyOrder(rel);
  const rows = used.map((c, n): PairedRow => {
    const [both, a_only, b_only] = [cells[3 * c], cells[3 * c + 1], cells[3 * c + 2]];
    const p_adjusted = sig6(qs[n]);
    const differs = p_adjusted < ALPHA; // decided on the published value, so the two agree
    return {
      category: index.categoryIds[c],
      both,
      a_only,
      b_only,
      neither: items - both - a_only - b_only,
      a_per_100: items ? round4(((both + a_only) / items) * 100) : 0,
      b_per_100: items ? round4(((both + b_only) / items) * 100) : 0,
      p: sig6(ps[n]),
      p_adjusted,
      differs,
      more: differs ? (a_only > b_only ? "a" : "b") : null,
    };
  });
  const at = (c: string) => order.get(c) ?? Number.MAX_SAFE_INTEGER;
  rows.sort(
    (x, y) =>
      x.p_adjusted - y.p_adjusted ||
      Math.abs(y.a_per_100 - y.b_per_100) - Math.abs(x.a_per_100 - x.b_per_100) ||
      at(x.category) - at(y.category) ||
      (x.category < y.category ? -1 : x.category > y.category ? 1 : 0),
  );
  return { items, a_failures: aFailures, b_failures: bFailures, rows };
}
