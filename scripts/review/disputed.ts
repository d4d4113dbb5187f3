// `errormap review disputed`: a release's disputed items (most models agree on one answer against
// the reference) as a sheet a person fills (verdict: reference-wrong | reference-right | ambiguous,
// and a note). Items already reviewed are listed too, their verdict and note filled in.
import { groupByItem } from "../pipeline/select.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { loadAggregates, loadReleaseContext } from "./context.ts";
import { writeSheet } from "./sheet.ts";
import { itemId, referenceSha256 } from "./store.ts";

export const ITEM_SHEET_COLUMNS = [
  "dataset",
  "instance_id",
  "input",
  "reference",
  "consensus",
  "agreeing",
  "models",
  "failures",
  "reference_sha256",
  "verdict",
  "note",
] as const;

export function disputedSheet(root: string, releaseId: string): { text: string; rows: number; toReview: number } {
  const { release } = loadReleaseContext(root, releaseId);
  const aggregates = loadAggregates(root, releaseId);
  const items = Object.keys(aggregates.datasets)
    .sort()
    .flatMap((d) => aggregates.datasets[d]!.suspect_items);
  const records = groupByItem(loadRecords(root, loadManifest(root, release.snapshot)));
  const rows = items.map((s) => {
    // The item's first record (by model id) holds the reference an item review is tied to, as in finalise.
    const first = records.get(itemId(s))?.[0];
    if (!first)
      throw new Error(
        `release "${releaseId}": disputed item ${itemId(s)} has no record in snapshot "${release.snapshot}"`,
      );
    return {
      dataset: s.dataset,
      instance_id: s.instance_id,
      input: first.input,
      reference: s.reference,
      consensus: s.consensus,
      agreeing: s.agreeing.join(" | "),
      models: s.models,
      failures: s.failures ?? "",
      reference_sha256: s.reference_sha256 ?? referenceSha256(first.reference),
      verdict: s.review?.verdict ?? "",
      note: s.review?.note ?? "",
    };
  });
  return {
    text: writeSheet(ITEM_SHEET_COLUMNS, rows),
    rows: rows.length,
    toReview: items.filter((s) => !s.review).length,
  };
}
