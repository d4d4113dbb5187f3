// The model page: a model's failure signature against its peers, per dataset.
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
  signature: (ShareRow & { peer_share: number | null; diff: number | null })[];
  distinctive: (CategoryRef & { share: number; peer_share: number; diff: number })[];
  per_dataset: {
    id: string;
    name: string;
    path: string;
    records: number;
    failures: number;
    analysed: number;
    accuracy: number;
    top: (CategoryRef & { count: number; share: number })[];
  }[];
  examples: { path: string; title: string; dataset_name: string; category: string }[];
  compare: { other: string; other_name: string; path: string }[];
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
  const signature = leaves
    .map((c) => {
      const s = sig.get(c.id);
      return {
        id: c.id,
        name: c.name,
        path: paths.category(rel.id, c.slug),
        ...shareOf(g, c.id),
        peer_share: s?.peer_share ?? null,
        diff: s?.diff ?? null,
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
        .map((s) => ({ ...categoryRef(rel, s.category), count: s.count, share: s.share })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const shown = shownExamples(rel);
  const examples = exampleOrder(shownByModel(rel).get(id) ?? [])
    .slice(0, 12)
    .map((a) => ({
      path: shown.get(a.key)!,
      title: a.title,
      dataset_name: datasetName(rel, a.dataset),
      category: categoryRef(rel, a.category).name,
    }));
  const compare = rel.aggregates.comparisons
    .filter((c) => c.a === id || c.b === id)
    .map((c) => {
      const other = c.a === id ? c.b : c.a;
      return { other, other_name: modelName(rel, other), path: paths.compare(rel.id, c.a, c.b) };
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
