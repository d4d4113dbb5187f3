// The release page: counts, the taxonomy, and everything needed to reproduce the release.
import type { Release, ReviewStats } from "../../schemas.ts";
import { leavesOf, type SiteRelease } from "../model.ts";
import { paths } from "../urls.ts";
import {
  categoryRef,
  datasetName,
  hasReviews,
  lowPrecision,
  modelName,
  releaseRef,
  reviewStatsOf,
  shareOf,
  type CategoryRef,
  type ReleaseRef,
} from "./shared.ts";

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

export function releasePage(rel: SiteRelease): ReleasePage {
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
