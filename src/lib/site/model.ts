// The site's in-memory model of a data root: releases in order, each with its taxonomy, aggregates,
// analyses and the records they explain, indexed once so pages only look things up.
import type {
  Aggregates,
  Analysis,
  Category,
  DatasetEntry,
  EvalRecord,
  ModelEntry,
  Registry,
  Release,
  SnapshotManifest,
  Taxonomy,
} from "../schemas.ts";
import { orderReleases, pickLatest } from "../releases-order.ts";

export interface SiteInput {
  releases: Release[];
  taxonomies: Map<string, Taxonomy>;
  aggregates: Map<string, Aggregates>;
  analyses: Map<string, Analysis[]>;
  snapshots: Map<string, SnapshotManifest>;
  records: Map<string, Map<string, EvalRecord>>;
  models: ModelEntry[];
  datasets: DatasetEntry[];
  /** Each release's frozen registry (registry.json), by release id. */
  registries: Map<string, Registry>;
}

export interface SiteRelease {
  /** Registry entries as the release recorded them (else the data root's registry). */
  models: Map<string, ModelEntry>;
  datasets: Map<string, DatasetEntry>;
  id: string;
  release: Release;
  taxonomy: Taxonomy;
  aggregates: Aggregates;
  snapshot: SnapshotManifest | null;
  analyses: Analysis[];
  /** Every category, parents before children, in taxonomy order. */
  categories: Category[];
  byId: Map<string, Category>;
  bySlug: Map<string, Category>;
  /** Children of each category id (and of null: the top level), in taxonomy order. */
  children: Map<string | null, Category[]>;
  /** Analyses of each category id; a parent holds its descendants' analyses. */
  analysesByCategory: Map<string, Analysis[]>;
  /** Records of the release's snapshot that an analysis explains, by record key. */
  records: Map<string, EvalRecord>;
  /** Model and dataset ids of the release (from its aggregates), sorted. */
  modelIds: string[];
  datasetIds: string[];
  /** The release this one follows, when it is in the data root. */
  previous: SiteRelease | null;
}

export interface Site {
  /** Oldest first, following the `previous` chain. */
  releases: SiteRelease[];
  latest: SiteRelease | null;
  models: Map<string, ModelEntry>;
  datasets: Map<string, DatasetEntry>;
}

// One ordering for the site and the command line (src/lib/releases-order.ts).
export { orderReleases, pickLatest };

/** Leaf categories: those without children. */
export function leavesOf(categories: Category[]): Category[] {
  const parents = new Set(categories.map((c) => c.parent).filter(Boolean));
  return categories.filter((c) => !parents.has(c.id));
}

function indexRelease(input: SiteInput, release: Release): Omit<SiteRelease, "previous"> {
  const taxonomy = input.taxonomies.get(release.id);
  const aggregates = input.aggregates.get(release.id);
  if (!taxonomy) throw new Error(`release ${release.id}: taxonomy.json missing`);
  if (!aggregates) throw new Error(`release ${release.id}: aggregates.json missing`);
  const categories = taxonomy.categories;
  const byId = new Map(categories.map((c) => [c.id, c]));
  const bySlug = new Map(categories.map((c) => [c.slug, c]));
  const children = new Map<string | null, Category[]>();
  for (const c of categories) {
    const key = c.parent && byId.has(c.parent) ? c.parent : null;
    const list = children.get(key) ?? [];
    list.push(c);
    children.set(key, list);
  }
  const analyses = input.analyses.get(release.id) ?? [];
  const analysesByCategory = new Map<string, Analysis[]>();
  for (const a of analyses) {
    // Walk up the tree so a parent page can show its sub-categories' failures.
    const seen = new Set<string>();
    for (let id: string | null = a.category; id && !seen.has(id); id = byId.get(id)?.parent ?? null) {
      seen.add(id);
      const list = analysesByCategory.get(id) ?? [];
      list.push(a);
      analysesByCategory.set(id, list);
    }
  }
  const registry = input.registries.get(release.id);
  return {
    id: release.id,
    models: new Map((registry?.models ?? input.models).map((m) => [m.id, m])),
    datasets: new Map((registry?.datasets ?? input.datasets).map((d) => [d.id, d])),
    release,
    taxonomy,
    aggregates,
    snapshot: input.snapshots.get(release.snapshot) ?? null,
    analyses,
    categories,
    byId,
    bySlug,
    children,
    analysesByCategory,
    records: input.records.get(release.snapshot) ?? new Map(),
    modelIds: Object.keys(aggregates.models).sort(),
    datasetIds: Object.keys(aggregates.datasets).sort(),
  };
}

export function buildSite(input: SiteInput): Site {
  const ordered = orderReleases(input.releases);
  const releases: SiteRelease[] = [];
  const byId = new Map<string, SiteRelease>();
  for (const r of ordered) {
    const sr: SiteRelease = { ...indexRelease(input, r), previous: null };
    sr.previous = r.previous ? (byId.get(r.previous) ?? null) : null;
    releases.push(sr);
    byId.set(r.id, sr);
  }
  const latestRelease = pickLatest(ordered);
  return {
    releases,
    latest: latestRelease ? byId.get(latestRelease.id)! : null,
    models: new Map(input.models.map((m) => [m.id, m])),
    datasets: new Map(input.datasets.map((d) => [d.id, d])),
  };
}

/**
 * `fn` computed once per object: the site model's releases and lists never change once built, so
 * what pages derive from them is kept beside them (and goes when they go).
 */
export function once<K extends object, V>(fn: (k: K) => V): (k: K) => V {
  const cache = new WeakMap<K, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) cache.set(k, (v = fn(k)));
    return v;
  };
}
