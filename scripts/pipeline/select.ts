// Select and contextualise: which records are failures, the optional deterministic sample, and the
// FailureContext each judge sees (the item's other records, informative correct predictions).
import { isFailure } from "../../src/lib/failure.ts";
import { sha256 } from "../../src/lib/jsonio.ts";
import { recordKey, type DatasetEntry, type EvalRecord, type SnapshotManifest } from "../../src/lib/schemas.ts";
import type { FailureContext, SourceOutputs } from "../judges/types.ts";

export function failurePredicate(manifest: SnapshotManifest): (r: EvalRecord) => boolean {
  return (r) => isFailure(r, manifest.datasets[r.dataset]?.threshold ?? null);
}

/**
 * The failures to analyse. With ratio < 1, each (model, dataset) pair keeps ceil(ratio × n) of its
 * failures, ranked by a hash of (seed, record key): the same seed always picks the same failures,
 * and adding records elsewhere never changes a pair's pick.
 */
export function selectFailures(
  records: EvalRecord[],
  failed: (r: EvalRecord) => boolean,
  ratio: number,
  seed: number,
): EvalRecord[] {
  const failures = records.filter(failed);
  if (ratio >= 1) return failures;
  const groups = new Map<string, EvalRecord[]>();
  for (const r of failures) {
    const k = `${r.model}|${r.dataset}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(r);
  }
  const keep = new Set<EvalRecord>();
  for (const g of groups.values()) {
    const ranked = g.map((r) => ({ r, h: sha256(`${seed}|${recordKey(r)}`) })).sort((a, b) => (a.h < b.h ? -1 : 1));
    for (const { r } of ranked.slice(0, Math.ceil(ratio * g.length))) keep.add(r);
  }
  return failures.filter((r) => keep.has(r));
}

/** Accuracy of every model on every dataset: dataset → model → share of records not failed. */
export function accuracyByDataset(
  records: EvalRecord[],
  failed: (r: EvalRecord) => boolean,
): Map<string, Map<string, number>> {
  const tally = new Map<string, Map<string, [number, number]>>();
  for (const r of records) {
    const d = tally.get(r.dataset) ?? tally.set(r.dataset, new Map()).get(r.dataset)!;
    const t = d.get(r.model) ?? d.set(r.model, [0, 0]).get(r.model)!;
    t[1]++;
    if (!failed(r)) t[0]++;
  }
  return new Map([...tally].map(([d, m]) => [d, new Map([...m].map(([k, [ok, n]]) => [k, ok / n]))]));
}

/** Records grouped by item (dataset + instance id), each group sorted by model id. */
export function groupByItem(records: EvalRecord[]): Map<string, EvalRecord[]> {
  const items = new Map<string, EvalRecord[]>();
  for (const r of records) {
    const k = `${r.dataset}|${r.instance_id}`;
    (items.get(k) ?? items.set(k, []).get(k)!).push(r);
  }
  for (const g of items.values()) g.sort((a, b) => (a.model < b.model ? -1 : 1));
  return items;
}

/**
 * One context per failure. Informative correct predictions: up to 3 correct outputs of other models
 * on the same item, the most accurate models on the dataset first (ties by model id), so the judge
 * sees the strongest evidence of what a right answer looks like, chosen the same way every run.
 */
export function buildContexts(
  failures: EvalRecord[],
  records: EvalRecord[],
  failed: (r: EvalRecord) => boolean,
  datasets: ReadonlyMap<string, DatasetEntry>,
): FailureContext[] {
  const items = groupByItem(records);
  const accuracy = accuracyByDataset(records, failed);
  const outputs = sourceOutputsByModel(records, failed);
  return failures.map((record) => {
    const itemRecords = items.get(`${record.dataset}|${record.instance_id}`) ?? [record];
    const modelAccuracy = accuracy.get(record.dataset) ?? new Map<string, number>();
    const correctPeers = itemRecords
      .filter((r) => r.model !== record.model && !failed(r))
      .sort(
        (a, b) => (modelAccuracy.get(b.model) ?? 0) - (modelAccuracy.get(a.model) ?? 0) || (a.model < b.model ? -1 : 1),
      )
      .slice(0, 3);
    const dataset = datasets.get(record.dataset);
    if (!dataset) throw new Error(`dataset "${record.dataset}" is not in the registry`);
    const sourceOutputs = outputs.get(`${record.dataset}|${record.model}`) ?? "unknown";
    return { record, dataset, correctPeers, itemRecords, modelAccuracy, sourceOutputs };
  });
}

/**
 * Whether the source published each model's output texts on each dataset ("dataset|model" →
 * SourceOutputs). Some sources keep only the scorer's extracted answer for some models: a record
 * scored correct with an empty output shows the output existed and was left out, so an empty
 * output of that model says nothing about what the model returned.
 */
export function sourceOutputsByModel(
  records: EvalRecord[],
  failed: (r: EvalRecord) => boolean,
): Map<string, SourceOutputs> {
  const out = new Map<string, SourceOutputs>();
  for (const r of records) {
    const k = `${r.dataset}|${r.model}`;
    const empty = r.output.trim() === "";
    if (empty && !failed(r)) out.set(k, "unpublished");
    else if (!empty && out.get(k) !== "unpublished") out.set(k, "published");
    else if (!out.has(k)) out.set(k, "unknown");
  }
  return out;
}
