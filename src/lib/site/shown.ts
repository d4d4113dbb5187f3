// Which failures the pages show, and in what order: a stable, well-mixed example order, the first
// EXAMPLE_CAP examples of every category and NOISE_EXAMPLE_CAP noise failures of every dataset, and
// where each is shown. The loading code reads the records of these failures (attachShownRecords in
// fsdata.ts) and the page builders (views/) show them; neither depends on the other.
import type { Analysis } from "../schemas.ts";
import { once, type SiteRelease } from "./model.ts";
import { anchorHashes, exampleAnchor, paths } from "./urls.ts";

/** Examples shown on a page; the page's data.json lists them all. */
export const EXAMPLE_CAP = 30;
/** Noise examples shown on a dataset page. */
export const NOISE_EXAMPLE_CAP = 10;

/** exampleAnchor of an analysis, computed once. */
export const anchorOf = once((a: Analysis) => exampleAnchor(a.key));

/** Example order: by anchor (compared through the hashes it spells), then by key. */
function orderCmp(hx: [number, number], kx: string, hy: [number, number], ky: string): number {
  if (hx[0] !== hy[0]) return hx[0] < hy[0] ? -1 : 1;
  if (hx[1] !== hy[1]) return hx[1] < hy[1] ? -1 : 1;
  return kx < ky ? -1 : kx > ky ? 1 : 0;
}

/** A stable, well-mixed order of analyses (by a hash of the key), so a capped list is a fair sample. */
export function exampleOrder(analyses: Analysis[]): Analysis[] {
  // Hashes in an array beside the list: a category holds up to hundreds of thousands of analyses,
  // and a memo lookup per comparison (a WeakMap) cost more than the sort itself.
  const h = analyses.map((a) => anchorHashes(a.key));
  const order = Array.from(analyses, (_, i) => i);
  order.sort((i, j) => orderCmp(h[i]!, analyses[i]!.key, h[j]!, analyses[j]!.key));
  return order.map((i) => analyses[i]!);
}

/** The first `n` of exampleOrder(list), without sorting all of it (a category may hold 100,000). */
export function firstInOrder(list: Analysis[], n: number): Analysis[] {
  const top: Analysis[] = [];
  const topHashes: [number, number][] = [];
  if (n <= 0) return top;
  for (const a of list) {
    // Hashed here rather than remembered: most of a long list is rejected at once, and a memo
    // lookup per analysis cost more than computing the hash.
    const h = anchorHashes(a.key);
    if (top.length === n && orderCmp(h, a.key, topHashes[n - 1]!, top[n - 1]!.key) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (orderCmp(topHashes[mid]!, top[mid]!.key, h, a.key) < 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, a);
    topHashes.splice(lo, 0, h);
    if (top.length > n) {
      top.pop();
      topHashes.pop();
    }
  }
  return top;
}

/** exampleOrder of one of the site model's own lists, computed once per list. */
export const orderedOnce = once(exampleOrder);
/** The first EXAMPLE_CAP of one of the site model's own lists in example order, computed once. */
export const shownOf = once((list: Analysis[]) => firstInOrder(list, EXAMPLE_CAP));

/**
 * Where each analysis is shown with an anchor: the page path of its leaf category, for the first
 * EXAMPLE_CAP examples of that category in example order.
 */
export const shownExamples = once((rel: SiteRelease): Map<string, string> => {
  const out = new Map<string, string>();
  for (const c of rel.categories) {
    const list = rel.analysesByCategory.get(c.id);
    if (!list) continue;
    for (const a of firstInOrder(
      list.filter((x) => x.category === c.id),
      EXAMPLE_CAP,
    )) {
      out.set(a.key, `${paths.category(rel.id, c.slug)}#${anchorOf(a)}`);
    }
  }
  return out;
});

/** Each dataset's failures in noise categories, in example order. */
const noiseByDataset = once((rel: SiteRelease) => {
  const byDataset = Map.groupBy(
    rel.analyses.filter((a) => rel.byId.get(a.category)?.facet === "noise"),
    (a) => a.dataset,
  );
  return new Map([...byDataset].map(([d, list]) => [d, exampleOrder(list)]));
});
export const noiseOf = (rel: SiteRelease, dataset: string): Analysis[] => noiseByDataset(rel).get(dataset) ?? [];

/**
 * Keys of the failures some page of the release shows in full (with input, output and reference):
 * the first EXAMPLE_CAP of every category, the first NOISE_EXAMPLE_CAP noise failures of every
 * dataset. Only these records are read from the snapshot (a few hundred per release, where a release
 * may have hundreds of thousands of failures).
 */
export function keysShownInFull(rel: SiteRelease): Set<string> {
  const keys = new Set<string>();
  for (const c of rel.categories) for (const a of shownOf(rel.analysesByCategory.get(c.id) ?? [])) keys.add(a.key);
  for (const d of rel.datasetIds) for (const a of noiseOf(rel, d).slice(0, NOISE_EXAMPLE_CAP)) keys.add(a.key);
  return keys;
}
