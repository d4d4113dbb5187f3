// The model page: a model's failure signature against its peers, per dataset. Each category shows the
// share of the model's failures (the mix) and how often it happens: failures per 100 items attempted.
// A model with fewer failures can show a larger share of a category while making fewer such errors.
import type { Aggregates } from "../../schemas.ts";
import { leavesOf, once, type SiteRelease } from "../model.ts";
import { exampleOrder, shownExamples } from "../shown.ts";
import { paths } from "../urls.ts";
import {
  byShare,
  categoryRef,
  datasetName,
  modelName,
  releaseRef,
  shareOf,
  type CategoryRef,
  type ReleaseRef,
  type ShareRow,
} from "./shared.ts";
import { differingCategories, per100 } from "./compare.ts";

export interface ModelPage {
  kind: "model";
  release: ReleaseRef;
  path: string;
  model: {
    id: string;
    name: string;
    family: string | null;
    organisation: string | null;
    open_weights: boolean | null;
    parameters_b: number | null;
  };
  totals: { records: number; failures: number; analysed: number; accuracy: number };
  /**
   * Leaves: the share of the model's analysed failures (ShareRow) against its peers' mean share, and
   * per_100, its analysed failures in the category per 100 items attempted, against peers_per_100,
   * the other models' pooled rate on the same datasets (null when no other model has them).
   */
  signature: (ShareRow & {
    peer_share: number | null;
    diff: number | null;
    per_100: number;
    peers_per_100: number | null;
  })[];
  distinctive: (CategoryRef & { share: number; peer_share: number; diff: number })[];
  per_dataset: {
    id: string;
    name: string;
    path: string;
    records: number;
    failures: number;
    analysed: number;
    accuracy: number;
    /** Its commonest categories there: count, share of its failures, and per 100 items attempted there. */
    top: (CategoryRef & { count: number; share: number; per_100: number })[];
  }[];
  /** `path`: where a category page shows the failure; `url`: the failure's own page. */
  examples: { path: string; url: string; title: string; dataset_name: string; category: string }[];
  /** Its comparisons; differ: categories that differ by the paired test (null: cannot tell). */
  compare: { other: string; other_name: string; path: string; differ: number | null }[];
}

type Counts = Map<string, number>;
const countsOf = (g: { shares: { category: string; count: number }[] }): Counts =>
  new Map(g.shares.map((s) => [s.category, s.count]));

/** Per dataset and per (model, dataset): records and analysed failures per category, as maps. */
const rateIndex = once((rel: SiteRelease) => {
  const ds = new Map<string, { records: number; counts: Counts }>();
  for (const [id, g] of Object.entries(rel.aggregates.datasets))
    ds.set(id, { records: g.records, counts: countsOf(g) });
  const pairs = new Map<string, { records: number; counts: Counts }>();
  for (const p of rel.aggregates.pairs)
    pairs.set(`${p.model}|${p.dataset}`, { records: p.records, counts: countsOf(p) });
  return { ds, pairs };
});

/**
 * The other models' rate per 100 items of each category on the model's datasets, pooled: their
 * analysed failures in it over their records there (a dataset counts as much as they attempted of it).
 */
function peerRates(rel: SiteRelease, g: Aggregates["models"][string], id: string, leaves: string[]) {
  const { ds, pairs } = rateIndex(rel);
  let records = 0;
  const counts = new Map(leaves.map((c) => [c, 0]));
  for (const d of g.datasets) {
    const all = ds.get(d);
    const own = pairs.get(`${id}|${d}`);
    if (!all) continue;
    records += all.records - (own?.records ?? 0);
    for (const c of leaves) counts.set(c, counts.get(c)! + (all.counts.get(c) ?? 0) - (own?.counts.get(c) ?? 0));
  }
  return (c: string) => (records > 0 ? per100(counts.get(c) ?? 0, records) : null);
}

/** The analyses shown with an anchor, per model. */
const shownByModel = once((rel: SiteRelease) => {
  const shown = shownExamples(rel);
  return Map.groupBy(
    rel.analyses.filter((a) => shown.has(a.key)),
    (a) => a.model,
  );
});

export function modelPage(rel: SiteRelease, id: string): ModelPage | null {
  const g = rel.aggregates.models[id];
  if (!g) return null;
  const entry = rel.models.get(id);
  const sig = new Map((rel.aggregates.signatures[id] ?? []).map((s) => [s.category, s]));
  const leaves = leavesOf(rel.categories);
  const peersPer100 = peerRates(
    rel,
    g,
    id,
    leaves.map((c) => c.id),
  );
  const signature = leaves
    .map((c) => {
      const s = sig.get(c.id);
      const share = shareOf(g, c.id);
      return {
        id: c.id,
        name: c.name,
        path: paths.category(rel.id, c.slug),
        ...share,
        peer_share: s?.peer_share ?? null,
        diff: s?.diff ?? null,
        per_100: per100(share.count, g.records),
        peers_per_100: peersPer100(c.id),
      };
    })
    .filter((r) => r.count > 0 || (r.peer_share ?? 0) > 0)
    .sort(byShare);
  const distinctive = [...sig.values()]
    .filter((s) => s.diff !== 0)
    .sort((a, b) => Math.abs(b.diff) - Math.abs(a.diff) || a.category.localeCompare(b.category))
    .slice(0, 5)
    .map((s) => ({ ...categoryRef(rel, s.category), share: s.share, peer_share: s.peer_share, diff: s.diff }));
  const leafIds = new Set(leaves.map((c) => c.id));
  const per_dataset = rel.aggregates.pairs
    .filter((p) => p.model === id)
    .map((p) => ({
      id: p.dataset,
      name: datasetName(rel, p.dataset),
      path: paths.dataset(rel.id, p.dataset),
      records: p.records,
      failures: p.failures,
      analysed: p.analysed,
      accuracy: p.accuracy,
      top: p.shares
        .filter((s) => leafIds.has(s.category) && s.count > 0)
        .sort((a, b) => b.share - a.share || a.category.localeCompare(b.category))
        .slice(0, 3)
        .map((s) => ({
          ...categoryRef(rel, s.category),
          count: s.count,
          share: s.share,
          per_100: per100(s.count, p.records),
        })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const shown = shownExamples(rel);
  const examples = exampleOrder(shownByModel(rel).get(id) ?? [])
    .slice(0, 12)
    .map((a) => ({
      path: shown.get(a.key)!,
      url: paths.failure(rel.id, a.dataset, a.instance_id, a.model),
      title: a.title,
      dataset_name: datasetName(rel, a.dataset),
      category: categoryRef(rel, a.category).name,
    }));
  const compare = rel.aggregates.comparisons
    .filter((c) => c.a === id || c.b === id)
    .map((c) => {
      const other = c.a === id ? c.b : c.a;
      return {
        other,
        other_name: modelName(rel, other),
        path: paths.compare(rel.id, c.a, c.b),
        differ: differingCategories(rel, c.a, c.b),
      };
    })
    .sort((a, b) => a.other_name.localeCompare(b.other_name));
  return {
    kind: "model",
    release: releaseRef(rel),
    path: paths.model(rel.id, id),
    model: {
      id,
      name: entry?.name ?? id,
      family: entry?.family ?? null,
      organisation: entry?.organisation ?? null,
      open_weights: entry?.open_weights ?? null,
      parameters_b: entry?.parameters_b ?? null,
    },
    totals: { records: g.records, failures: g.failures, analysed: g.analysed, accuracy: g.accuracy },
    signature,
    distinctive,
    per_dataset,
    examples,
    compare,
  };
}
