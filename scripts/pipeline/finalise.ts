// The finalise stage: from the judge's analyses to a release's published figures. Shared by
// `errormap run` (after the judge) and `errormap review import` (without calling any judge), so a
// release reads the same whichever wrote it last.
//
// 1. Disputed items: where most models, strong ones included, agree on one answer against the
//    reference (scripts/lib/consensus.ts itemConsensus, with the snapshot's failure predicate and the
//    datasets' "never disputed" hook). Failures on an item no review has settled stay in the
//    judge's category and are marked `disputed: true`.
// 2. Item reviews (data/reviews/items.jsonl, while the item's reference text is unchanged):
//    "reference-wrong" moves the failures giving the consensus answer to the reserved category
//    REFERENCE_ERROR, keeping the judge's leaf in `judged_category`; "reference-right" and
//    "ambiguous" clear the dispute. Nothing counts as noise from consensus alone.
// 3. Failure reviews (data/reviews/failures.jsonl) apply to every analysis with the same hash
//    (scripts/review/store.ts analysisSha256): the judge's precision per category, with a Wilson
//    95% interval (scripts/lib/stats.ts).
// 4. Aggregates (scripts/pipeline/aggregate.ts), and the release's counts of reviews and noise.
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { itemConsensus, normaliseAnswer } from "../lib/consensus.ts";
import { removeStaleTemps, replaceDir, sha256, writeFileAtomic } from "../../src/lib/jsonio.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import {
  parseAggregates,
  parseAnalysis,
  ReleaseReviewsSchema,
  ReleaseSchema,
  type Aggregates,
  type Analysis,
  type DatasetEntry,
  type EvalRecord,
  type FailureReview,
  type ItemReview,
  type Release,
  type ReleaseReviews,
  type ReviewStats,
  type ReviewsAggregate,
  type SuspectItem,
  type Taxonomy,
} from "../../src/lib/schemas.ts";
import { round, wilsonInterval } from "../lib/stats.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { analysisSha256, itemId, readReviews, referenceSha256, type Reviews } from "../review/store.ts";
import { aggregate } from "./aggregate.ts";
import { aggregatesText } from "../../src/lib/data/aggregates.ts";
import { analysesText } from "../../src/lib/data/analyses.ts";
import { readReleaseRegistry } from "../../src/lib/data/registry.ts";
import { writeReleaseJson } from "../../src/lib/data/release.ts";
import { releaseReviewsText } from "../../src/lib/data/release-reviews.ts";
import { loadRelease, loadReleaseAnalyses, readTaxonomy } from "./releases.ts";
import { lockRelease, publishedOnDisk } from "./locks.ts";
import { accuracyByDataset, failurePredicate, groupByItem } from "./select.ts";

/** Items a dataset plug-in says are never disputed by consensus (asked with the item's first record). */
export type NeverDisputed = (first: EvalRecord) => boolean;

export interface FinaliseInput {
  /** Every record of the snapshot. */
  records: EvalRecord[];
  isFailure: (r: EvalRecord) => boolean;
  /** Registry entries of the snapshot's datasets (task types). */
  datasets: DatasetEntry[];
  taxonomy: Taxonomy;
  /** The judge's analyses, in the judge's own categories (no `disputed`, no `judged_category`). */
  analyses: Analysis[];
  seed: number;
  reviews: Reviews;
  neverDisputed?: NeverDisputed;
  /** Bootstrap resamples (tests). */
  bootstrap?: number;
}

/** The counts of release.json that the analyses decide. */
export interface AnalysisCounts {
  analysed: number;
  judge_errors: number;
  unexplained: number;
  categories: number;
  reviewed: number;
  agree: number;
  disagree: number;
  unsure: number;
  noise: number;
  disputed_items: number;
}

export interface Finalised {
  analyses: Analysis[];
  aggregates: Aggregates;
  reviews: ReleaseReviews;
  counts: AnalysisCounts;
  /** The files' texts, as written. */
  texts: { [RELEASE_FILE.analyses]: string; [RELEASE_FILE.aggregates]: string; [RELEASE_FILE.reviews]: string };
}

/** Files finalise writes (besides release.json). */
export const FINALISED_FILES = [RELEASE_FILE.analyses, RELEASE_FILE.aggregates, RELEASE_FILE.reviews] as const;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An analysis as the judge left it: the judge's leaf, without the marks finalise adds. */
export function asJudged(a: Analysis): Analysis {
  if (a.disputed === undefined && a.judged_category === undefined) return a;
  const { disputed: _d, judged_category, ...rest } = a;
  return { ...rest, category: judged_category ?? a.category };
}

interface Disputed {
  item: SuspectItem;
  canonical: string;
}

/** The items of every dataset where most models agree against the reference, with their review (if one applies). */
function disputedItems(
  input: FinaliseInput,
  items: ReadonlyMap<string, EvalRecord[]>,
  itemReviews: ReadonlyMap<string, ItemReview>,
): Disputed[] {
  const { records, isFailure } = input;
  const accuracy = accuracyByDataset(records, isFailure);
  const taskType = new Map(input.datasets.map((d) => [d.id, d.task_type]));
  const out: Disputed[] = [];
  for (const key of [...items.keys()]) {
    const group = items.get(key)!;
    const first = group[0]!;
    const c = itemConsensus(group, accuracy.get(first.dataset) ?? new Map(), {
      taskType: taskType.get(first.dataset),
      isFailure,
      neverDisputed: input.neverDisputed,
    });
    if (!c) continue;
    const refSha = referenceSha256(first.reference);
    const review = itemReviews.get(itemId(first));
    const applies = review && review.reference_sha256 === refSha ? review : null;
    out.push({
      canonical: c.canonical,
      item: {
        dataset: c.dataset,
        instance_id: c.instance_id,
        reference: c.reference,
        consensus: c.consensus,
        agreeing: c.agreeing,
        models: c.models,
        reference_sha256: refSha,
        failures: group.filter(isFailure).length,
        review: applies
          ? { verdict: applies.verdict, note: applies.note, reviewer: applies.reviewer, date: applies.date }
          : null,
      },
    });
  }
  return out.sort((a, b) => cmp(a.item.dataset, b.item.dataset) || cmp(a.item.instance_id, b.item.instance_id));
}

const emptyStats = () => ({ n: 0, agree: 0, disagree: 0, unsure: 0 });

/** Precision = agree / (agree + disagree), with its Wilson 95% interval; null when nothing was decided. */
export function reviewStats(t: { n: number; agree: number; disagree: number; unsure: number }): ReviewStats {
  const decided = t.agree + t.disagree;
  const ci = wilsonInterval(t.agree, decided);
  return {
    ...t,
    precision: decided ? round(t.agree / decided) : null,
    ci_low: ci ? round(ci[0]) : null,
    ci_high: ci ? round(ci[1]) : null,
  };
}

/** Review figures per category (the judge's own leaf; parents sum their leaves) and overall. */
function reviewFigures(
  taxonomy: Taxonomy,
  reviewed: { analysis: Analysis; review: FailureReview }[],
): ReviewsAggregate {
  const parentOf = new Map(taxonomy.categories.map((c) => [c.id, c.parent]));
  const tallies = new Map(taxonomy.categories.map((c) => [c.id, emptyStats()]));
  const overall = emptyStats();
  for (const { analysis, review } of reviewed) {
    const leaf = analysis.judged_category ?? analysis.category;
    const seen = new Set<string>();
    for (const t of [overall, ...ancestry(leaf, parentOf, seen).map((id) => tallies.get(id)!)]) {
      t.n++;
      t[review.verdict]++;
    }
  }
  return {
    overall: reviewStats(overall),
    categories: Object.fromEntries(taxonomy.categories.map((c) => [c.id, reviewStats(tallies.get(c.id)!)])),
  };
}

/** A category and its ancestors that are in the taxonomy. */
function ancestry(id: string, parentOf: ReadonlyMap<string, string | null>, seen: Set<string>): string[] {
  const out: string[] = [];
  for (let c: string | null | undefined = id; c && parentOf.has(c) && !seen.has(c); c = parentOf.get(c)) {
    seen.add(c);
    out.push(c);
  }
  return out;
}

export function finalise(input: FinaliseInput): Finalised {
  const { taxonomy } = input;
  const leaves = new Set(
    taxonomy.categories.filter((c) => !taxonomy.categories.some((k) => k.parent === c.id)).map((c) => c.id),
  );
  const facetOf = new Map(taxonomy.categories.map((c) => [c.id, c.facet]));
  const itemReviews = new Map(input.reviews.items.map((r) => [itemId(r), r]));
  const recordsByItem = groupByItem(input.records);
  const disputed = disputedItems(input, recordsByItem, itemReviews);

  // Item reviews: marks and moves, by record key.
  const byKey = new Map<string, Analysis>(input.analyses.map((a) => [a.key, asJudged(a)]));
  const appliedItems: ItemReview[] = [];
  for (const d of disputed) {
    const onItem = recordsByItem.get(itemId(d.item))!.filter(input.isFailure);
    const review = d.item.review;
    if (review) appliedItems.push(itemReviews.get(itemId(d.item))!);
    for (const r of onItem) {
      const key = `${r.dataset}|${r.model}|${r.instance_id}`;
      const a = byKey.get(key);
      if (!a) continue; // not selected for analysis (sampling)
      if (!review) byKey.set(key, { ...a, disputed: true });
      else if (review.verdict === "reference-wrong" && a.status === "ok" && normaliseAnswer(r) === d.canonical) {
        if (!leaves.has(REFERENCE_ERROR.id))
          throw new Error(
            `the taxonomy (${taxonomy.version}) has no "${REFERENCE_ERROR.id}" category for reviewed reference errors; re-run the release with this version of errormap`,
          );
        byKey.set(key, { ...a, category: REFERENCE_ERROR.id, judged_category: a.category });
      }
    }
  }
  const analyses = [...byKey.values()]
    .sort((a, b) => cmp(a.key, b.key))
    .map((a) => {
      const r = parseAnalysis(a);
      if (!r.success)
        throw new Error(`analysis ${a.key}: ${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
      return r.data;
    });

  // Failure reviews that apply: same record key and same analysis hash.
  const failureReviews = new Map<string, FailureReview[]>();
  for (const r of input.reviews.failures)
    (failureReviews.get(r.key) ?? failureReviews.set(r.key, []).get(r.key)!).push(r);
  const reviewed: { analysis: Analysis; review: FailureReview }[] = [];
  for (const a of analyses) {
    const candidates = a.status === "ok" ? failureReviews.get(a.key) : undefined;
    if (!candidates) continue;
    const h = analysisSha256(a);
    const review = candidates.find((r) => r.analysis_sha256 === h);
    if (review) reviewed.push({ analysis: a, review });
  }

  const reviews: ReleaseReviews = ReleaseReviewsSchema.parse({
    items: appliedItems,
    failures: reviewed.map((x) => x.review),
  });
  const figures = reviewFigures(taxonomy, reviewed);
  const agg = aggregate({
    records: input.records,
    isFailure: input.isFailure,
    analyses,
    taxonomy,
    datasets: input.datasets,
    suspectItems: disputed.map((d) => d.item),
    seed: input.seed,
    bootstrap: input.bootstrap,
  });
  const checked = parseAggregates({ ...agg, reviews: figures });
  if (!checked.success) throw checked.error;

  const ok = analyses.filter((a) => a.status === "ok");
  const counts: AnalysisCounts = {
    analysed: ok.length,
    judge_errors: analyses.length - ok.length,
    unexplained: ok.filter((a) => facetOf.get(a.category) === "unexplained").length,
    categories: new Set(ok.map((a) => a.category).filter((c) => leaves.has(c))).size,
    reviewed: reviewed.length,
    agree: figures.overall.agree,
    disagree: figures.overall.disagree,
    unsure: figures.overall.unsure,
    noise: ok.filter((a) => facetOf.get(a.category) === "noise").length,
    disputed_items: disputed.filter((d) => d.item.review === null).length,
  };
  return {
    analyses,
    aggregates: checked.data,
    reviews,
    counts,
    texts: {
      [RELEASE_FILE.analyses]: analysesText(analyses),
      [RELEASE_FILE.aggregates]: aggregatesText(checked.data),
      [RELEASE_FILE.reviews]: releaseReviewsText(reviews),
    },
  };
}

/** release.json for finalised files: counts and file hashes brought up to date. */
export function withFinalised(release: Release, f: Finalised): Release {
  return ReleaseSchema.parse({
    ...release,
    counts: { ...release.counts, ...f.counts },
    files: {
      ...release.files,
      [RELEASE_FILE.aggregates]: sha256(f.texts[RELEASE_FILE.aggregates]),
      [RELEASE_FILE.analyses]: sha256(f.texts[RELEASE_FILE.analyses]),
      [RELEASE_FILE.reviews]: sha256(f.texts[RELEASE_FILE.reviews]),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Re-finalising an existing release (after `errormap review import`), without any judge.

/**
 * Re-applies the given reviews (default: the data root's) to an unpublished release and rewrites
 * its analyses, aggregates, reviews and release.json: the release folder is copied to a
 * temporary one, the files written there, and the copy renamed into place, so the release is at
 * every moment either the old one or the new one.
 */
export function refinaliseRelease(
  root: string,
  id: string,
  opts: { reviews?: Reviews; neverDisputed?: NeverDisputed; log?: (line: string) => void } = {},
): { release: Release; finalised: Finalised } {
  // The release's lock (scripts/pipeline/locks.ts), from the first read to the write.
  const lock = lockRelease(root, id, `errormap (re-finalise release ${id})`, "re-finalise");
  try {
    const prepared = prepareRefinalise(root, id, opts);
    prepared.commit();
    return { release: prepared.release, finalised: prepared.finalised };
  } finally {
    lock.release();
  }
}

/** The work of refinaliseRelease, with the write left to `commit()` (so a caller can store its inputs first). */
export function prepareRefinalise(
  root: string,
  id: string,
  opts: { reviews?: Reviews; neverDisputed?: NeverDisputed; log?: (line: string) => void } = {},
): { release: Release; finalised: Finalised; commit: () => void } {
  const L = layout(root);
  const existing = loadRelease(root, id);
  if (!existing) throw new Error(`no release "${id}" in ${L.releases}`);
  if (existing.published)
    throw new Error(
      `release "${id}" is published and immutable: reviews change a release, so import them into a new (unpublished) release`,
    );
  const manifest = loadManifest(root, existing.snapshot);
  if (manifest.sha256 !== existing.snapshot_sha256)
    throw new Error(
      `snapshot "${existing.snapshot}" changed since release "${id}" was built from it; re-run it with \`errormap run --snapshot ${existing.snapshot} --release ${id} --force\``,
    );
  const dir = L.release(id);
  const registry = readReleaseRegistry(root, id);
  const finalised = finalise({
    records: loadRecords(root, manifest),
    isFailure: failurePredicate(manifest),
    datasets: registry.datasets,
    taxonomy: readTaxonomy(root, id),
    analyses: loadReleaseAnalyses(root, id),
    seed: existing.seed,
    reviews: opts.reviews ?? readReviews(root),
    neverDisputed: opts.neverDisputed,
  });
  const release = withFinalised(existing, finalised);
  const commit = () => {
    for (const t of removeStaleTemps(L.releases, id)) opts.log?.(`removed ${t}, left by a run that was killed`);
    const tmp = join(L.releases, `.tmp-${id}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    try {
      cpSync(dir, tmp, { recursive: true });
      for (const f of FINALISED_FILES) writeFileAtomic(join(tmp, f), finalised.texts[f]);
      writeReleaseJson(tmp, release);
      // The caller holds the release's lock; this is the last check that nothing published it.
      if (publishedOnDisk(root, id))
        throw new Error(
          `release "${id}" was published meanwhile; it was not replaced (a published release is immutable)`,
        );
      replaceDir(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  };
  return { release, finalised, commit };
}
