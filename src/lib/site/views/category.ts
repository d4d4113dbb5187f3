// The category page: its definition, prevalence by model and dataset, example failures, and every
// failure in it as a data.json row.
import type { Category, ReviewStats } from "../../schemas.ts";
import type { SiteRelease } from "../model.ts";
import { orderedOnce, shownExamples, shownOf } from "../shown.ts";
import { paths } from "../urls.ts";
import {
  byShare,
  categoryRef,
  datasetName,
  failureRow,
  hasReviews,
  lowPrecision,
  modelName,
  releaseRef,
  reviewStatsOf,
  shareOf,
  toExample,
  type CategoryRef,
  type Example,
  type FailureRow,
  type ReleaseRef,
  type ShareRow,
} from "./shared.ts";

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

/** The category page; its HTML leaves out `failures` (`withFailures` false), its data.json has them. */
export function categoryPage(rel: SiteRelease, slug: string, withFailures = true): CategoryPage | null {
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
  const examples = shownOf(list).map((a) => toExample(rel, a));
  const shown = withFailures ? shownExamples(rel) : null;
  const failures = shown ? orderedOnce(list).map((a) => failureRow(rel.id, a, shown)) : [];
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
