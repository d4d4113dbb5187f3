// An item's view: one benchmark item with every model's output on it, correct ones too (README "The
// site"), each failure with the judge's reading and a link to its own page, and for a disputed item
// the dispute and its review. Failed outputs come first, then correct ones, each group in model order.
import { isFailure } from "../../failure.ts";
import type { EvalRecord, SuspectItemReview } from "../../schemas.ts";
import { analysedWhole, fileWhole, fullTextOf, itemOf, type Item, type Whole } from "../items.ts";
import type { SiteRelease } from "../model.ts";
import { itemOutputCut } from "../text.ts";
import { paths } from "../urls.ts";
import {
  categoryRef,
  datasetName,
  hasReviews,
  modelName,
  releaseRef,
  type CategoryRef,
  type ReleaseRef,
} from "./shared.ts";

export interface ItemFailure {
  path: string;
  title: string;
  summary: string;
  category: CategoryRef;
  status: "ok" | "judge_error";
  disputed?: true;
  judged_category?: CategoryRef;
}

export interface ItemEntry {
  model: string;
  model_name: string;
  model_path: string;
  /** Failed by the source's verdict (or its score under the dataset's threshold), or analysed as a failure. */
  failed: boolean;
  score: number | null;
  output: string;
  extracted: string | null;
  /** Where the whole output is when the page cuts it. */
  output_whole: Whole | null;
  /** This record's input or reference when it differs from the item's (theirs are shown once above). */
  input?: string;
  input_whole?: Whole | null;
  reference?: string;
  reference_whole?: Whole | null;
  /** The judge's reading, when the failure was analysed. */
  failure: ItemFailure | null;
}

export interface ItemDispute {
  reference: string;
  consensus: string;
  agreeing: { id: string; name: string }[];
  models: number;
  /** Whether the release was made with reviews: before, failures on a suspect item counted as noise. */
  reviews: boolean;
  review: SuspectItemReview | null;
}

export interface ItemPage {
  kind: "item";
  release: ReleaseRef;
  path: string;
  dataset: { id: string; name: string; path: string };
  instance_id: string;
  /** The input, reference and reference option text most records share; null when no record is in the data root. */
  input: string | null;
  reference: string | null;
  reference_text: string | null;
  input_whole: Whole | null;
  reference_whole: Whole | null;
  reference_text_whole: Whole | null;
  dispute: ItemDispute | null;
  counts: { models: number; failed: number; analysed: number };
  /** Characters shown of each output (src/lib/site/text.ts itemOutputCut). */
  output_cut: number;
  entries: ItemEntry[];
}

/** Where a text shown up to `cut` characters is whole: the failure's page when it shows all of it, else its file. */
function wholeOf(item: Item, r: EvalRecord, field: "input" | "output" | "reference", cut: number): Whole | null {
  if (item.analyses.has(r.model)) return analysedWhole(item.release.id, r, field, r[field], cut);
  return r[field].length > cut ? fileWhole(fullTextOf(item, r, field)) : null;
}

function entryOf(item: Item, r: EvalRecord, threshold: number | null, cut: number): ItemEntry {
  const rel = item.release;
  const a = item.analyses.get(r.model);
  const entry: ItemEntry = {
    model: r.model,
    model_name: modelName(rel, r.model),
    model_path: paths.model(rel.id, r.model),
    failed: a !== undefined || isFailure(r, threshold),
    score: r.score,
    output: r.output,
    extracted: r.extracted ?? null,
    output_whole: wholeOf(item, r, "output", cut),
    failure: a
      ? {
          path: paths.failure(rel.id, a.dataset, a.instance_id, a.model),
          title: a.title,
          summary: a.summary,
          category: categoryRef(rel, a.category),
          status: a.status,
          ...(a.disputed ? { disputed: true as const } : {}),
          ...(a.judged_category !== undefined ? { judged_category: categoryRef(rel, a.judged_category) } : {}),
        }
      : null,
  };
  if (r.input !== item.common.input) {
    entry.input = r.input;
    entry.input_whole = wholeOf(item, r, "input", cut);
  }
  if (r.reference !== item.common.reference) {
    entry.reference = r.reference;
    entry.reference_whole = wholeOf(item, r, "reference", cut);
  }
  return entry;
}

function disputeOf(rel: SiteRelease, dataset: string, instance: string): ItemDispute | null {
  const s = rel.aggregates.datasets[dataset]?.suspect_items.find((x) => x.instance_id === instance);
  if (!s) return null;
  return {
    reference: s.reference,
    consensus: s.consensus,
    agreeing: s.agreeing.map((m) => ({ id: m, name: modelName(rel, m) })),
    models: s.models,
    reviews: hasReviews(rel),
    review: s.review ?? null,
  };
}

/** The view of item `instance` of `dataset`, or null when the release analysed no failure on it. */
export function itemPage(root: string, rel: SiteRelease, dataset: string, instance: string): ItemPage | null {
  const item = itemOf(root, rel, dataset, instance);
  if (item.analyses.size === 0) return null;
  const threshold = rel.snapshot?.datasets[dataset]?.threshold ?? null;
  const cut = itemOutputCut(item.records.length);
  const entries = item.records.map((r) => entryOf(item, r, threshold, cut));
  const ordered = [...entries.filter((e) => e.failed), ...entries.filter((e) => !e.failed)];
  // The shared texts are shown once, whole up to CUT_CHARS; a record that has them holds their file.
  const holder = (field: "input" | "reference" | "reference_text") =>
    item.records.find((r) => r[field] !== undefined && r[field] === item.common[field]);
  const sharedWhole = (field: "input" | "reference" | "reference_text") => {
    const r = holder(field);
    return r ? fileWhole(fullTextOf(item, r, field)) : null;
  };
  return {
    kind: "item",
    release: releaseRef(rel),
    path: paths.item(rel.id, dataset, instance),
    dataset: { id: dataset, name: datasetName(rel, dataset), path: paths.dataset(rel.id, dataset) },
    instance_id: instance,
    input: item.common.input,
    reference: item.common.reference,
    reference_text: item.common.reference_text,
    input_whole: sharedWhole("input"),
    reference_whole: sharedWhole("reference"),
    reference_text_whole: sharedWhole("reference_text"),
    dispute: disputeOf(rel, dataset, instance),
    counts: {
      models: entries.length,
      failed: entries.filter((e) => e.failed).length,
      analysed: item.analyses.size,
    },
    output_cut: cut,
    entries: ordered,
  };
}
