// What the readers of evaluation tools' own files share: the options `errormap import` passes them,
// and one detected input (a file, or a folder such as a HELM run) with its reader.
import type { RawItem } from "../sources.ts";

/** The formats `errormap import` reads, as it names them in its report. */
export const FORMATS = {
  jsonl: "JSONL of records (.jsonl, .ndjson)",
  csv: "CSV of records, or the ErrorMap CSV (.csv)",
  helm: "HELM run folder with display_predictions.json",
  "helm-state": "HELM run folder with scenario_state.json (no display_* files)",
  "lm-eval": "lm-evaluation-harness --log_samples (samples_<task>_<time>.jsonl beside results_<time>.json)",
  "inspect-eval": "Inspect AI log (.eval zip)",
  "inspect-json": "Inspect AI log (.json)",
  eee: "Every Eval Ever instance-level file (*_samples.jsonl, schema 0.2.x/0.3.x)",
} as const;
export type Format = keyof typeof FORMATS;

export interface FormatOptions {
  /** lm-eval: the model name when a samples file has no results file beside it (or to override it). */
  model?: string;
  /** Inspect: the scorer whose value is the score (default: the first of eval.scorers). */
  scorer?: string;
  /** lm-eval: the filter whose answers are kept when a task has several (default: the task's first). */
  filter?: string;
}

/** A note about an input (a truncated samples file, a task without samples, ...), printed by the import. */
export type Note = (line: string) => void;

export interface DetectedInput {
  format: Format;
  /** The file or folder read (the path named in errors and in the report). */
  path: string;
  /** Size in bytes for the progress bar (0 when unknown). */
  bytes: number;
  /** The records, streamed. */
  read(onBytes: (n: number) => void, note: Note): AsyncIterable<RawItem> | Iterable<RawItem>;
  /** SHA-256 of what was read (every file of it), for the snapshot manifest. */
  hash(): string;
}
