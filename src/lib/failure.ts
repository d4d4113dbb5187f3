// When is a record a failure? `correct === false` decides when present; a record with only a
// score fails when score < the dataset's threshold. The default threshold (docs/design.md, Select): 1 for
// exact-match data, else 0.7 × the dataset's mean score.
import type { DatasetEntry, EvalRecord } from "./schemas.ts";

export function resolveThreshold(
  dataset: Pick<DatasetEntry, "success_threshold" | "exact_match">,
  meanScore: number | null,
): number | null {
  if (dataset.success_threshold !== null) return dataset.success_threshold;
  if (dataset.exact_match) return 1;
  return meanScore === null ? null : 0.7 * meanScore;
}

export function isFailure(r: Pick<EvalRecord, "correct" | "score">, threshold: number | null): boolean {
  if (r.correct !== null) return !r.correct;
  if (r.score === null) return false; // cannot happen for validated records
  return threshold === null ? false : r.score < threshold;
}
