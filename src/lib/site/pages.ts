// What each page shows, computed from the site model. Templates only render these objects, and the
// same objects are the pages' `data.json` downloads. Paths in them are site paths without the base.
import {
  recordKey,
  type Analysis,
  type Category,
  type Comparison,
  type EvalRecord,
  type Facet,
  type Group,
  type Release,
  type ReviewStats,
  type Share,
  type SuspectItem,
  type SuspectItemReview,
} from "../schemas.ts";
import { REFERENCE_ERROR } from "../reserved.ts";
import { leavesOf, type Site, type SiteRelease } from "./model.ts";
import { anchorHashes, exampleAnchor, paths } from "./urls.ts";

/** Examples shown on a page; the page's data.json lists them all. */
export const EXAMPLE_CAP = 30;
/** Noise examples shown on a dataset page. */
export const NOISE_EXAMPLE_CAP = 10;

export interface ReleaseRef {
  id: string;
  title: string;
  path: string;
  /** Published releases are frozen; an unpublished one's pages may still change. */
  published: boolean;
  /** Publication day (YYYY-MM-DD), for citations; null while unpublished. */
  date: string | null;
}

export interface CategoryRef {
  id: string;
  slug: string | null;
  name: string;
  facet: Facet | null;
  path: string | null;
}

export interface ShareRow {
  id: string;
  name: string;
  path: string | null;
  count: number;
  share: number;
  ci: [number, number];
}

export const releaseRef = (r: SiteRelease): ReleaseRef => ({
  id: r.id,
  title: r.release.title,
  path: paths.release(r.id),
  published: r.release.published !== null,
  date: r.release.published?.date ?? null,
});

/** Names as the release recorded them (an earlier release's for ids it no longer has). */
export const modelName = (rel: SiteRelease, id: string): string =>
  rel.models.get(id)?.name ?? (rel.previous ? modelName(rel.previous, id) : id);
export const datasetName = (rel: SiteRelease, id: string): string =>
  rel.datasets.get(id)?.name ?? (rel.previous ? datasetName(rel.previous, id) : id);

/** A category by id; one the taxonomy does not know (e.g. an unlisted "Other") keeps its id as name. */
export function categoryRef(rel: SiteRelease, id: string): CategoryRef {
  const c = rel.byId.get(id);
  return c
    ? { id, slug: c.slug, name: c.name, facet: c.facet, path: paths.category(rel.id, c.slug) }
    : { id, slug: null, name: id, facet: null, path: null };
}

const ZERO: Omit<Share, "category"> = { count: 0, share: 0, ci: [0, 0] };
export function shareOf(group: Pick<Group, "shares"> | undefined, category: string): Omit<Share, "category"> {
  const s = group?.shares.find((x) => x.category === category);
  return s ? { count: s.count, share: s.share, ci: s.ci } : ZERO;
}

const byShare = (a: ShareRow, b: ShareRow) => b.share - a.share || b.count - a.count || a.name.localeCompare(b.name);

// ---------------------------------------------------------------------------------------------
// Examples

export interface Example {
  anchor: string;
  key: string;
  dataset: string;
  dataset_name: string;
  model: string;
  model_name: string;
  instance_id: string;
  category: CategoryRef;
  status: Analysis["status"];
  judge: Analysis["judge"];
  judge_model: string;
  prompt_version: string;
  rule: string | null;
  title: string;
  summary: string;
  evidence: string[];
  confidence: number;
  criteria: NonNullable<Analysis["criteria"]>;
  /** From the snapshot's record; null when the record is missing from the data root. */
  input: string | null;
  output: string | null;
  reference: string | null;
  reference_text: string | null;
  extracted: string | null;
  /** true when the failure is on a disputed item no review has settled: it stays a model failure. Absent otherwise. */
  disputed?: true;
  /** For a failure a reviewed reference error moved: the category the judge gave it. Absent otherwise. */
  judged_category?: CategoryRef;
  /** For such a failure: the review of its item that found the reference wrong. */
  item_review?: SuspectItemReview;
}

/**
 * `fn` computed once per object: the site model's releases and lists never change once built, so
 * what pages derive from them is kept beside them (and goes when they go).
 */
function once<K extends object, V>(fn: (k: K) => V): (k: K) => V {
  const cache = new WeakMap<K, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) cache.set(k, (v = fn(k)));
    return v;
  };
}

/** exampleAnchor of an analysis, computed once. */
const anchorOf = once((a: Analysis) => exampleAnchor(a.key));

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
const orderedOnce = once(exampleOrder);
/** The first EXAMPLE_CAP of one of the site model's own lists in example order, computed once. */
const shownOf = once((list: Analysis[]) => firstInOrder(list, EXAMPLE_CAP));

export function toExample(_site: Site, rel: SiteRelease, a: Analysis): Example {
  const r = rel.records.get(a.key);
  const ex: Example = {
    anchor: anchorOf(a),
    key: a.key,
    dataset: a.dataset,
    dataset_name: datasetName(rel, a.dataset),
    model: a.model,
    model_name: modelName(rel, a.model),
    instance_id: a.instance_id,
    category: categoryRef(rel, a.category),
    status: a.status,
    judge: a.judge,
    judge_model: a.judge_model,
    prompt_version: a.prompt_version,
    rule: a.rule,
    title: a.title,
    summary: a.summary,
    evidence: a.evidence,
    confidence: a.confidence,
    criteria: a.criteria ?? [],
    input: r?.input ?? null,
    output: r?.output ?? null,
    reference: r?.reference ?? null,
    reference_text: r?.reference_text ?? null,
    extracted: r?.extracted ?? null,
  };
  // Set only when the release has them, so pages of releases made before reviews stay as they were.
  if (a.disputed) ex.disputed = true;
  if (a.judged_category !== undefined) {
    ex.judged_category = categoryRef(rel, a.judged_category);
    const review = suspectItemOf(rel, a.dataset, a.instance_id)?.review;
    if (review) ex.item_review = review;
  }
  return ex;
}

/** Every dataset's disputed items (reviewed or not), by "dataset|instance_id". */
const suspectItemsOf = once((rel: SiteRelease) => {
  const out = new Map<string, SuspectItem>();
  for (const d of rel.datasetIds)
    for (const s of rel.aggregates.datasets[d]?.suspect_items ?? []) out.set(`${s.dataset}|${s.instance_id}`, s);
  return out;
});
const suspectItemOf = (rel: SiteRelease, dataset: string, instance: string) =>
  suspectItemsOf(rel).get(`${dataset}|${instance}`);

/**
 * Whether the release was made with disputed items and reviews (README "Reviews"): its aggregates
 * then carry the measured precision. In a release made before, failures on a suspect item were
 * counted as noise by consensus alone, and its pages keep saying so.
 */
export const hasReviews = (rel: SiteRelease): boolean => rel.aggregates.reviews !== undefined;

/** Measured precision of nothing reviewed. */
export const NO_REVIEWS: ReviewStats = {
  n: 0,
  agree: 0,
  disagree: 0,
  unsure: 0,
  precision: null,
  ci_low: null,
  ci_high: null,
};

/** Below this measured precision a category is flagged on its page. */
export const LOW_PRECISION = 0.8;
export const lowPrecision = (s: ReviewStats): boolean => s.precision !== null && s.precision < LOW_PRECISION;

/** The release's precision figures of one category (all zeros when none of its failures was reviewed). */
export const reviewStatsOf = (rel: SiteRelease, category: string): ReviewStats =>
  rel.aggregates.reviews?.categories[category] ?? NO_REVIEWS;

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

/** The analyses shown with an anchor, per model. */
const shownByModel = once((rel: SiteRelease) => {
  const shown = shownExamples(rel);
  return Map.groupBy(
    rel.analyses.filter((a) => shown.has(a.key)),
    (a) => a.model,
  );
});

/** A failure as a data.json row: ids and the judge's verdict, with where a page shows it in full. */
export function failureRow(a: Analysis, shown: Map<string, string>): FailureRow {
  return {
    key: a.key,
    model: a.model,
    dataset: a.dataset,
    instance_id: a.instance_id,
    category: a.category,
    status: a.status,
    rule: a.rule,
    title: a.title,
    summary: a.summary,
    confidence: a.confidence,
    example: shown.get(a.key) ?? null,
    ...(a.disputed ? { disputed: true as const } : {}),
    ...(a.judged_category !== undefined ? { judged_category: a.judged_category } : {}),
  };
}

/** Each dataset's failures in noise categories, in example order. */
const noiseByDataset = once((rel: SiteRelease) => {
  const byDataset = Map.groupBy(
    rel.analyses.filter((a) => rel.byId.get(a.category)?.facet === "noise"),
    (a) => a.dataset,
  );
  return new Map([...byDataset].map(([d, list]) => [d, exampleOrder(list)]));
});
const noiseOf = (rel: SiteRelease, dataset: string): Analysis[] => noiseByDataset(rel).get(dataset) ?? [];

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

/** Loads the records pages show in full into the site model: `read` gets the keys wanted per snapshot. */
export function attachShownRecords(site: Site, read: (wanted: Map<string, Set<string>>) => EvalRecord[]): void {
  const wanted = new Map<string, Set<string>>();
  const shownBy = new Map<SiteRelease, Set<string>>();
  for (const rel of site.releases) {
    const keys = keysShownInFull(rel);
    shownBy.set(rel, keys);
    const snapshot = rel.release.snapshot;
    const all = wanted.get(snapshot) ?? wanted.set(snapshot, new Set()).get(snapshot)!;
    for (const k of keys) all.add(k);
  }
  const byKey = new Map(read(wanted).map((r) => [recordKey(r), r]));
  for (const [rel, keys] of shownBy) for (const k of keys) if (byKey.has(k)) rel.records.set(k, byKey.get(k)!);
}

// ---------------------------------------------------------------------------------------------
// Category page

export interface CategoryPage {
  kind: "category";
  release: ReleaseRef;
  path: string;
  category: Category;
  parent: CategoryRef | null;
  children: (CategoryRef & { count: number; share: number })[];
  overall: { count: number; share: number; ci: [number, number]; analysed: number };
  by_model: ShareRow[];
  by_dataset: ShareRow[];
  examples_total: number;
  examples_shown: number;
  /** The examples the page shows, in full (the first EXAMPLE_CAP in example order). */
  examples: Example[];
  /** Every failure in the category, in example order, without the texts (see FailureRow). */
  failures: FailureRow[];
  /** Whether the release measures its judge's precision on reviewed failures (see hasReviews). */
  reviews_measured: boolean;
  /** Failures of the category people checked by hand, and the judge's measured precision on them (zeros and nulls when none). */
  review: ReviewStats;
  /** Measured precision below LOW_PRECISION: the page flags the category. */
  low_precision: boolean;
}

/**
 * One failure of a category in its data.json: who failed where, and the judge's verdict. The texts
 * are on the page for the examples it shows; listing every failure's texts made a category's
 * data.json tens of MB at atlas scale (README "Performance").
 */
export interface FailureRow {
  key: string;
  model: string;
  dataset: string;
  instance_id: string;
  category: string;
  status: Analysis["status"];
  rule: string | null;
  title: string;
  summary: string;
  confidence: number;
  /** Page and anchor where this failure is shown in full, or null when no page shows it. */
  example: string | null;
  /** true when the failure is on a disputed item no review has settled. Absent otherwise. */
  disputed?: true;
  /** The judge's own leaf, when a reviewed reference error moved the failure. Absent otherwise. */
  judged_category?: string;
}

/** The category page; its HTML leaves out `failures` (`withFailures` false), its data.json has them. */
export function categoryPage(site: Site, rel: SiteRelease, slug: string, withFailures = true): CategoryPage | null {
  const c = rel.bySlug.get(slug);
  if (!c) return null;
  const agg = rel.aggregates;
  const ov = shareOf(agg.overall, c.id);
  const by_model = rel.modelIds
    .map((m) => ({ id: m, name: modelName(rel, m), path: paths.model(rel.id, m), ...shareOf(agg.models[m], c.id) }))
    .sort(byShare);
  const by_dataset = rel.datasetIds
    .map((d) => ({
      id: d,
      name: datasetName(rel, d),
      path: paths.dataset(rel.id, d),
      ...shareOf(agg.datasets[d], c.id),
    }))
    .sort(byShare);
  const list = rel.analysesByCategory.get(c.id) ?? [];
  const examples = shownOf(list).map((a) => toExample(site, rel, a));
  const shown = withFailures ? shownExamples(rel) : null;
  const failures = shown ? orderedOnce(list).map((a) => failureRow(a, shown)) : [];
  return {
    kind: "category",
    release: releaseRef(rel),
    path: paths.category(rel.id, c.slug),
    category: c,
    parent: c.parent && rel.byId.has(c.parent) ? categoryRef(rel, c.parent) : null,
    children: (rel.children.get(c.id) ?? []).map((k) => ({
      ...categoryRef(rel, k.id),
      count: shareOf(agg.overall, k.id).count,
      share: shareOf(agg.overall, k.id).share,
    })),
    overall: { count: ov.count, share: ov.share, ci: ov.ci, analysed: agg.overall.analysed },
    by_model,
    by_dataset,
    examples_total: list.length,
    examples_shown: examples.length,
    examples,
    failures,
    reviews_measured: hasReviews(rel),
    review: reviewStatsOf(rel, c.id),
    low_precision: lowPrecision(reviewStatsOf(rel, c.id)),
  };
}

/** Old slugs that answer with a redirect in this release: never one a current category uses. */
export function categoryRedirects(rel: SiteRelease): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  const taken = new Set(rel.categories.map((c) => c.slug));
  for (const c of rel.categories) {
    for (const old of c.old_slugs) {
      if (!taken.has(old) && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(old)) {
        taken.add(old);
        out.push({ from: old, to: c.slug });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Model page

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

export function modelPage(_site: Site, rel: SiteRelease, id: string): ModelPage | null {
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

// ---------------------------------------------------------------------------------------------
// Dataset page

export interface DatasetPage {
  kind: "dataset";
  release: ReleaseRef;
  path: string;
  dataset: {
    id: string;
    name: string;
    task_type: string | null;
    metric: string | null;
    skill: string | null;
    description: string | null;
    source: string | null;
    licence: string | null;
  };
  totals: { records: number; failures: number; analysed: number; accuracy: number };
  off_skill_share: number;
  noise_share: number;
  facets: { facet: Facet; count: number; share: number }[];
  profile: ShareRow[];
  /** Disputed items: most models agree on an answer that is not the reference (see ItemRow). */
  suspect_items: ItemRow[];
  /** Counts of disputed and reviewed items; absent for a release made before reviews (see hasReviews). */
  items_review?: ItemsReview;
  noise_total: number;
  noise_shown: number;
  /** The noise failures the page shows, in full (the first NOISE_EXAMPLE_CAP). */
  noise_examples: Example[];
  /** Every failure of the dataset in a noise category, as rows (see FailureRow). */
  noise_failures: FailureRow[];
  models: {
    id: string;
    name: string;
    path: string;
    accuracy: number;
    records: number;
    failures: number;
    analysed: number;
  }[];
  ranking: (CategoryRef & { rows: { id: string; name: string; count: number; share: number }[] })[];
}

/**
 * A disputed item on its dataset's page. `failures`, `review` and `moved` are there when the
 * release has them: `review` null means disputed, to review; a review's verdict settles it.
 */
export interface ItemRow {
  instance_id: string;
  reference: string;
  consensus: string;
  agreeing: { id: string; name: string }[];
  models: number;
  failures?: number;
  review?: SuspectItemReview | null;
  /** Failures a review that found the reference wrong moved to "Reference error, reviewed". */
  moved?: number;
}

export interface ItemsReview {
  /** Items whose reference no review has settled: their failures stay model failures. */
  to_review: number;
  /** Items a person reviewed (any verdict). */
  reviewed: number;
  /** Failures moved to "Reference error, reviewed", and the items reviewed as reference errors. */
  reference_errors: { failures: number; items: number };
  /** The "Reference error, reviewed" category of the release, when its taxonomy has it. */
  category: CategoryRef | null;
}

/** Failures moved to the reviewed reference-error category, per "dataset|instance_id". */
const movedByItem = once((rel: SiteRelease) => {
  const out = new Map<string, number>();
  for (const a of rel.analysesByCategory.get(REFERENCE_ERROR.id) ?? []) {
    const k = `${a.dataset}|${a.instance_id}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
});

function itemRow(rel: SiteRelease, s: SuspectItem, reviews: boolean): ItemRow {
  const row: ItemRow = {
    instance_id: s.instance_id,
    reference: s.reference,
    consensus: s.consensus,
    agreeing: s.agreeing.map((m) => ({ id: m, name: modelName(rel, m) })),
    models: s.models,
  };
  if (!reviews) return row;
  return {
    ...row,
    failures: s.failures ?? 0,
    review: s.review ?? null,
    moved: movedByItem(rel).get(`${s.dataset}|${s.instance_id}`) ?? 0,
  };
}

function itemsReview(rel: SiteRelease, rows: ItemRow[]): ItemsReview {
  const wrong = rows.filter((r) => r.review?.verdict === "reference-wrong");
  return {
    to_review: rows.filter((r) => !r.review).length,
    reviewed: rows.filter((r) => r.review).length,
    reference_errors: { failures: wrong.reduce((n, r) => n + (r.moved ?? 0), 0), items: wrong.length },
    category: rel.byId.has(REFERENCE_ERROR.id) ? categoryRef(rel, REFERENCE_ERROR.id) : null,
  };
}

export function datasetPage(site: Site, rel: SiteRelease, id: string): DatasetPage | null {
  const g = rel.aggregates.datasets[id];
  if (!g) return null;
  const entry = rel.datasets.get(id);
  const leaves = leavesOf(rel.categories);
  const profile = leaves
    .map((c) => ({ id: c.id, name: c.name, path: paths.category(rel.id, c.slug), ...shareOf(g, c.id) }))
    .filter((r) => r.count > 0)
    .sort(byShare);
  const facetCounts = new Map<Facet, number>();
  for (const c of leaves) {
    const n = shareOf(g, c.id).count;
    if (n) facetCounts.set(c.facet, (facetCounts.get(c.facet) ?? 0) + n);
  }
  const facets = [...facetCounts]
    .map(([facet, count]) => ({ facet, count, share: g.analysed ? count / g.analysed : 0 }))
    .sort((a, b) => b.count - a.count || a.facet.localeCompare(b.facet));
  const noise = noiseOf(rel, id);
  const shown = shownExamples(rel);
  const reviews = hasReviews(rel);
  const items = g.suspect_items.map((s) => itemRow(rel, s, reviews));
  const pairs = rel.aggregates.pairs.filter((p) => p.dataset === id);
  const models = pairs
    .map((p) => ({
      id: p.model,
      name: modelName(rel, p.model),
      path: paths.model(rel.id, p.model),
      accuracy: p.accuracy,
      records: p.records,
      failures: p.failures,
      analysed: p.analysed,
    }))
    .sort((a, b) => b.accuracy - a.accuracy || a.name.localeCompare(b.name));
  const ranking = profile.map((row) => ({
    ...categoryRef(rel, row.id),
    rows: pairs
      .map((p) => ({ id: p.model, name: modelName(rel, p.model), ...shareOf(p, row.id) }))
      .filter((r) => r.count > 0)
      .sort((a, b) => b.count - a.count || b.share - a.share || a.name.localeCompare(b.name))
      .map(({ id: mid, name, count, share }) => ({ id: mid, name, count, share })),
  }));
  return {
    kind: "dataset",
    release: releaseRef(rel),
    path: paths.dataset(rel.id, id),
    dataset: {
      id,
      name: entry?.name ?? id,
      task_type: entry?.task_type ?? null,
      metric: entry?.metric ?? null,
      skill: entry?.skill ?? null,
      description: entry?.description ?? null,
      source: entry?.source ?? null,
      licence: entry?.licence ?? null,
    },
    totals: { records: g.records, failures: g.failures, analysed: g.analysed, accuracy: g.accuracy },
    off_skill_share: g.off_skill_share,
    noise_share: g.noise_share,
    facets,
    profile,
    suspect_items: items,
    ...(reviews ? { items_review: itemsReview(rel, items) } : {}),
    noise_total: noise.length,
    noise_shown: Math.min(NOISE_EXAMPLE_CAP, noise.length),
    noise_examples: noise.slice(0, NOISE_EXAMPLE_CAP).map((a) => toExample(site, rel, a)),
    noise_failures: noise.map((a) => failureRow(a, shown)),
    models,
    ranking,
  };
}

// ---------------------------------------------------------------------------------------------
// Compare pages

export const compareSlug = (c: Pick<Comparison, "a" | "b">) => `${c.a}--${c.b}`;

export interface ComparePage {
  kind: "compare";
  release: ReleaseRef;
  path: string;
  a: { id: string; name: string; path: string; failures: number };
  b: { id: string; name: string; path: string; failures: number };
  datasets: { id: string; name: string }[];
  categories: (CategoryRef & Omit<Comparison["categories"][number], "category">)[];
}

/** A release's comparisons by "a|b" (a release of 100 models has 4,950, and a page each). */
const comparisonsOf = once((rel: SiteRelease) => new Map(rel.aggregates.comparisons.map((c) => [`${c.a}|${c.b}`, c])));

export function comparePage(_site: Site, rel: SiteRelease, a: string, b: string): ComparePage | null {
  const c = comparisonsOf(rel).get(`${a}|${b}`);
  if (!c) return null;
  return {
    kind: "compare",
    release: releaseRef(rel),
    path: paths.compare(rel.id, a, b),
    a: { id: a, name: modelName(rel, a), path: paths.model(rel.id, a), failures: c.a_failures },
    b: { id: b, name: modelName(rel, b), path: paths.model(rel.id, b), failures: c.b_failures },
    datasets: c.datasets.map((d) => ({ id: d, name: datasetName(rel, d) })),
    categories: c.categories.map(({ category, ...rest }) => ({ ...categoryRef(rel, category), ...rest })),
  };
}

export interface CompareIndexPage {
  kind: "compare-index";
  release: ReleaseRef;
  path: string;
  models: { id: string; name: string }[];
  pairs: { a: string; b: string; a_name: string; b_name: string; path: string; significant: number }[];
}

export function compareIndexPage(_site: Site, rel: SiteRelease): CompareIndexPage {
  const pairs = rel.aggregates.comparisons
    .map((c) => ({
      a: c.a,
      b: c.b,
      a_name: modelName(rel, c.a),
      b_name: modelName(rel, c.b),
      path: paths.compare(rel.id, c.a, c.b),
      significant: c.categories.filter((k) => k.significant).length,
    }))
    .sort((x, y) => x.a_name.localeCompare(y.a_name) || x.b_name.localeCompare(y.b_name));
  const ids = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  return {
    kind: "compare-index",
    release: releaseRef(rel),
    path: paths.compareIndex(rel.id),
    models: ids.map((id) => ({ id, name: modelName(rel, id) })).sort((x, y) => x.name.localeCompare(y.name)),
    pairs,
  };
}

// ---------------------------------------------------------------------------------------------
// Release overview and changelog

export interface TreeNode extends CategoryRef {
  description: string;
  count: number;
  share: number;
  children: TreeNode[];
}

export function categoryTree(rel: SiteRelease, parent: string | null = null): TreeNode[] {
  return (rel.children.get(parent) ?? []).map((c) => ({
    ...categoryRef(rel, c.id),
    description: c.description,
    count: shareOf(rel.aggregates.overall, c.id).count,
    share: shareOf(rel.aggregates.overall, c.id).share,
    children: categoryTree(rel, c.id),
  }));
}

export interface ReleasePage {
  kind: "release";
  release: ReleaseRef;
  path: string;
  meta: Release;
  previous: ReleaseRef | null;
  snapshot: {
    id: string;
    sha256: string;
    records: number | null;
    failures: number | null;
    base: string | null;
    inputs: { name: string; sha256: string; records: number }[];
  };
  taxonomy: { version: string; judge: string; tree: TreeNode[]; retired: { id: string; slug: string; name: string }[] };
  models: { id: string; name: string; path: string; accuracy: number; failures: number; analysed: number }[];
  datasets: {
    id: string;
    name: string;
    path: string;
    accuracy: number;
    failures: number;
    analysed: number;
    noise_share: number;
    off_skill_share: number;
  }[];
  comparisons: number;
  /** Failures the judge gave no valid answer for: counted and shown, never dropped. */
  judge_errors: {
    key: string;
    model: string;
    model_name: string;
    dataset: string;
    dataset_name: string;
    instance_id: string;
    error: string;
  }[];
  /** The judge's measured precision and the disputed items; absent for a release made before reviews (see hasReviews). */
  reviews?: ReleaseReviewsView;
}

export interface ReleaseReviewsView {
  /** Every reviewed failure of the release: the judge's overall measured precision. */
  overall: ReviewStats;
  /** Items whose reference most models contradict and no review has settled yet. */
  disputed_items: number;
  /** Disputed items a person reviewed, and those of them found to have a wrong reference. */
  reviewed_items: number;
  reference_wrong_items: number;
  /** Analysed failures in a noise category (grader noise and reviewed reference errors). */
  noise: number;
  /** Categories whose measured precision is below LOW_PRECISION. */
  low_precision: CategoryRef[];
}

function releaseReviews(rel: SiteRelease): ReleaseReviewsView | undefined {
  const reviews = rel.aggregates.reviews;
  if (!reviews) return undefined;
  const items = rel.datasetIds.flatMap((d) => rel.aggregates.datasets[d]?.suspect_items ?? []);
  return {
    overall: reviews.overall,
    disputed_items: items.filter((s) => !s.review).length,
    reviewed_items: items.filter((s) => s.review).length,
    reference_wrong_items: items.filter((s) => s.review?.verdict === "reference-wrong").length,
    noise: leavesOf(rel.categories)
      .filter((c) => c.facet === "noise")
      .reduce((n, c) => n + shareOf(rel.aggregates.overall, c.id).count, 0),
    low_precision: rel.categories
      .filter((c) => lowPrecision(reviewStatsOf(rel, c.id)))
      .map((c) => categoryRef(rel, c.id)),
  };
}

/** How many judge errors the release page lists; data.json has them all. */
export const JUDGE_ERRORS_SHOWN = 50;

export function releasePage(_site: Site, rel: SiteRelease): ReleasePage {
  const agg = rel.aggregates;
  return {
    kind: "release",
    release: releaseRef(rel),
    path: paths.release(rel.id),
    meta: rel.release,
    previous: rel.previous ? releaseRef(rel.previous) : null,
    snapshot: {
      id: rel.release.snapshot,
      sha256: rel.release.snapshot_sha256,
      records: rel.snapshot?.records ?? null,
      failures: rel.snapshot?.failures ?? null,
      base: rel.snapshot?.base ?? null,
      inputs: rel.snapshot?.inputs ?? [],
    },
    taxonomy: {
      version: rel.taxonomy.version,
      judge: rel.taxonomy.judge,
      tree: categoryTree(rel),
      retired: rel.taxonomy.retired.map((c) => ({ id: c.id, slug: c.slug, name: c.name })),
    },
    models: rel.modelIds
      .map((m) => ({
        id: m,
        name: modelName(rel, m),
        path: paths.model(rel.id, m),
        accuracy: agg.models[m].accuracy,
        failures: agg.models[m].failures,
        analysed: agg.models[m].analysed,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    datasets: rel.datasetIds
      .map((d) => ({
        id: d,
        name: datasetName(rel, d),
        path: paths.dataset(rel.id, d),
        accuracy: agg.datasets[d].accuracy,
        failures: agg.datasets[d].failures,
        analysed: agg.datasets[d].analysed,
        noise_share: agg.datasets[d].noise_share,
        off_skill_share: agg.datasets[d].off_skill_share,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    comparisons: agg.comparisons.length,
    judge_errors: rel.analyses
      .filter((a) => a.status === "judge_error")
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((a) => ({
        key: a.key,
        model: a.model,
        model_name: modelName(rel, a.model),
        dataset: a.dataset,
        dataset_name: datasetName(rel, a.dataset),
        instance_id: a.instance_id,
        error: a.error ?? a.summary,
      })),
    ...(hasReviews(rel) ? { reviews: releaseReviews(rel) } : {}),
  };
}

/** Whether two 95% intervals are apart: only then is a shift reported, so noise is not news. */
export const intervalsApart = (a: [number, number], b: [number, number]) => a[1] < b[0] || b[1] < a[0];

export interface Shift {
  category: CategoryRef;
  model: { id: string; name: string } | null;
  before: { share: number; ci: [number, number]; count: number };
  after: { share: number; ci: [number, number]; count: number };
  diff: number;
}

export interface ChangelogPage {
  kind: "changelog";
  release: ReleaseRef;
  path: string;
  previous: ReleaseRef | null;
  datasets: { added: { id: string; name: string }[]; removed: { id: string; name: string }[] };
  models: { added: { id: string; name: string }[]; removed: { id: string; name: string }[] };
  categories: {
    added: CategoryRef[];
    renamed: (CategoryRef & { from_slug: string; from_name: string })[];
    merged: (CategoryRef & { from: string[] })[];
    split: (CategoryRef & { from: string })[];
    retired: { id: string; slug: string; name: string; path: string | null }[];
  };
  category_shifts: Shift[];
  signature_shifts: Shift[];
}

/** Largest shifts reported per list. */
export const SHIFT_CAP = 15;

function shifts(
  rel: SiteRelease,
  prev: SiteRelease,
  before: Pick<Group, "shares"> | undefined,
  after: Pick<Group, "shares"> | undefined,
  model: { id: string; name: string } | null,
  leavesOnly: boolean,
): Shift[] {
  if (!before || !after) return [];
  const leafIds = new Set(leavesOf(rel.categories).map((c) => c.id));
  const ids = new Set([...before.shares, ...after.shares].map((s) => s.category));
  const out: Shift[] = [];
  for (const id of ids) {
    if (!rel.byId.has(id) || !prev.byId.has(id)) continue; // new or retired: listed elsewhere
    if (leavesOnly && !leafIds.has(id)) continue;
    const b = shareOf(before, id);
    const a = shareOf(after, id);
    if (!intervalsApart(b.ci, a.ci)) continue;
    out.push({ category: categoryRef(rel, id), model, before: { ...b }, after: { ...a }, diff: a.share - b.share });
  }
  return out;
}

export function changelogPage(_site: Site, rel: SiteRelease): ChangelogPage {
  const prev = rel.previous;
  const named = (ids: string[], name: (id: string) => string) => ids.map((id) => ({ id, name: name(id) }));
  const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  const empty: ChangelogPage = {
    kind: "changelog",
    release: releaseRef(rel),
    path: paths.changelog(rel.id),
    previous: prev ? releaseRef(prev) : null,
    datasets: {
      added: named(prev ? minus(rel.datasetIds, prev.datasetIds) : rel.datasetIds, (d) => datasetName(rel, d)),
      removed: named(prev ? minus(prev.datasetIds, rel.datasetIds) : [], (d) => datasetName(rel, d)),
    },
    models: {
      added: named(prev ? minus(rel.modelIds, prev.modelIds) : rel.modelIds, (m) => modelName(rel, m)),
      removed: named(prev ? minus(prev.modelIds, rel.modelIds) : [], (m) => modelName(rel, m)),
    },
    categories: { added: [], renamed: [], merged: [], split: [], retired: [] },
    category_shifts: [],
    signature_shifts: [],
  };
  if (!prev) {
    empty.categories.added = rel.categories.map((c) => categoryRef(rel, c.id));
    return empty;
  }
  const cats = empty.categories;
  for (const c of rel.categories) {
    const old = prev.byId.get(c.id);
    const ref = categoryRef(rel, c.id);
    const here = c.lineage.filter((l) => l.release === rel.id);
    const mergedFrom = here.filter((l) => l.kind === "merged_from").map((l) => l.id);
    const splitFrom = here.find((l) => l.kind === "split_from");
    if (mergedFrom.length) cats.merged.push({ ...ref, from: mergedFrom.map((id) => prev.byId.get(id)?.name ?? id) });
    if (splitFrom) cats.split.push({ ...ref, from: prev.byId.get(splitFrom.id)?.name ?? splitFrom.id });
    if (!old) {
      if (!mergedFrom.length && !splitFrom) cats.added.push(ref);
    } else if (old.slug !== c.slug || old.name !== c.name) {
      cats.renamed.push({ ...ref, from_slug: old.slug, from_name: old.name });
    }
  }
  const retired = new Map(rel.taxonomy.retired.map((c) => [c.id, c]));
  // A category of the previous release that is simply gone counts as retired too.
  for (const c of prev.categories) if (!rel.byId.has(c.id) && !retired.has(c.id)) retired.set(c.id, c);
  cats.retired = [...retired.values()].map((c) => ({
    id: c.id,
    slug: c.slug,
    name: c.name,
    path: prev.byId.has(c.id) ? paths.category(prev.id, prev.byId.get(c.id)!.slug) : null,
  }));
  const order = (a: Shift, b: Shift) =>
    Math.abs(b.diff) - Math.abs(a.diff) ||
    a.category.id.localeCompare(b.category.id) ||
    (a.model?.id ?? "").localeCompare(b.model?.id ?? "");
  empty.category_shifts = shifts(rel, prev, prev.aggregates.overall, rel.aggregates.overall, null, false)
    .sort(order)
    .slice(0, SHIFT_CAP);
  empty.signature_shifts = rel.modelIds
    .filter((m) => prev.aggregates.models[m])
    .flatMap((m) =>
      shifts(rel, prev, prev.aggregates.models[m], rel.aggregates.models[m], { id: m, name: modelName(rel, m) }, true),
    )
    .sort(order)
    .slice(0, SHIFT_CAP);
  return empty;
}

// ---------------------------------------------------------------------------------------------
// Home

export interface HomePage {
  kind: "home";
  path: string;
  latest: ReleaseRef | null;
  counts: Release["counts"] | null;
  top_categories: (ShareRow & { facet: Facet })[];
  heatmap: {
    rows: { id: string; name: string; path: string }[];
    cols: { id: string; name: string; path: string }[];
    values: (number | null)[][];
  };
  datasets: {
    id: string;
    name: string;
    path: string;
    skill: string | null;
    accuracy: number;
    failures: number;
    noise_share: number;
    off_skill_share: number;
  }[];
  whats_new: ChangelogPage | null;
}

export function homePage(site: Site): HomePage {
  const rel = site.latest;
  if (!rel)
    return {
      kind: "home",
      path: paths.home(),
      latest: null,
      counts: null,
      top_categories: [],
      heatmap: { rows: [], cols: [], values: [] },
      datasets: [],
      whats_new: null,
    };
  const agg = rel.aggregates;
  const top = (rel.children.get(null) ?? [])
    .map((c) => ({
      id: c.id,
      name: c.name,
      path: paths.category(rel.id, c.slug),
      facet: c.facet,
      ...shareOf(agg.overall, c.id),
    }))
    .sort(byShare);
  const cols = top.filter((c) => c.count > 0).map(({ id, name, path }) => ({ id, name, path }));
  const rows = rel.modelIds
    .map((m) => ({ id: m, name: modelName(rel, m), path: paths.model(rel.id, m) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const values = rows.map((r) =>
    cols.map((c) => (agg.models[r.id].analysed ? shareOf(agg.models[r.id], c.id).share : null)),
  );
  return {
    kind: "home",
    path: paths.home(),
    latest: releaseRef(rel),
    counts: rel.release.counts,
    top_categories: top,
    heatmap: { rows, cols, values },
    datasets: rel.datasetIds
      .map((d) => ({
        id: d,
        name: datasetName(rel, d),
        path: paths.dataset(rel.id, d),
        skill: rel.datasets.get(d)?.skill ?? null,
        accuracy: agg.datasets[d].accuracy,
        failures: agg.datasets[d].failures,
        noise_share: agg.datasets[d].noise_share,
        off_skill_share: agg.datasets[d].off_skill_share,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    whats_new: changelogPage(site, rel),
  };
}
