// What the page view models share. Each page kind has its module here (category.ts, model.ts,
// dataset.ts, compare.ts, release.ts, changelog.ts, home.ts): what the page shows, computed from the
// site model. Templates only render these objects, and the same objects are the pages' `data.json`
// downloads. Paths in them are site paths without the base. Which failures a page shows, and in what
// order, is ../shown.ts (the loading code uses it too).
import type { Analysis, Facet, Group, ReviewStats, Share, SuspectItem, SuspectItemReview } from "../../schemas.ts";
import { once, type SiteRelease } from "../model.ts";
import { anchorOf } from "../shown.ts";
import { paths } from "../urls.ts";

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

export const byShare = (a: ShareRow, b: ShareRow) =>
  b.share - a.share || b.count - a.count || a.name.localeCompare(b.name);

export interface Example {
  anchor: string;
  key: string;
  /** The failure's own page (paths.failure), without the base path. */
  url: string;
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

export function toExample(rel: SiteRelease, a: Analysis): Example {
  const r = rel.records.get(a.key);
  const ex: Example = {
    anchor: anchorOf(a),
    key: a.key,
    url: paths.failure(rel.id, a.dataset, a.instance_id, a.model),
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
  /** The failure's own page (paths.failure), without the base path. */
  url: string;
  /** true when the failure is on a disputed item no review has settled. Absent otherwise. */
  disputed?: true;
  /** The judge's own leaf, when a reviewed reference error moved the failure. Absent otherwise. */
  judged_category?: string;
}

/** A failure as a data.json row: ids and the judge's verdict, with where a page shows it in full. */
export function failureRow(release: string, a: Analysis, shown: Map<string, string>): FailureRow {
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
    url: paths.failure(release, a.dataset, a.instance_id, a.model),
    ...(a.disputed ? { disputed: true as const } : {}),
    ...(a.judged_category !== undefined ? { judged_category: a.judged_category } : {}),
  };
}
