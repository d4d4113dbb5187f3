// The dataset page: its error profile, grader and data noise, disputed items and reviewed ones.
import type { Facet, SuspectItem, SuspectItemReview } from "../../schemas.ts";
import { REFERENCE_ERROR } from "../../reserved.ts";
import { leavesOf, once, type SiteRelease } from "../model.ts";
import { NOISE_EXAMPLE_CAP, noiseOf, shownExamples } from "../shown.ts";
import { paths } from "../urls.ts";
import {
  byShare,
  categoryRef,
  failureRow,
  hasReviews,
  modelName,
  releaseRef,
  shareOf,
  toExample,
  type CategoryRef,
  type Example,
  type FailureRow,
  type ReleaseRef,
  type ShareRow,
} from "./shared.ts";

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

export function datasetPage(rel: SiteRelease, id: string): DatasetPage | null {
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
    noise_examples: noise.slice(0, NOISE_EXAMPLE_CAP).map((a) => toExample(rel, a)),
    noise_failures: noise.map((a) => failureRow(rel.id, a, shown)),
    models,
    ranking,
  };
}
