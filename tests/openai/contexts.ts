// FailureContexts for the openai judge's tests, built by the production selection
// (scripts/pipeline/select.ts): from generated records (scripts/demo), and from the real records of
// ../shared/evaldata (read at test time) when they are there.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_DATASETS } from "../../scripts/demo/registry.ts";
import { isFailure } from "../../src/lib/failure.ts";
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import { recordKey } from "../../src/lib/schemas.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { buildContexts } from "../../scripts/pipeline/select.ts";
import { loadJsonl } from "../helpers/evaldata.ts";
import { demoRecords, sources } from "../helpers/sources.ts";

function entry(id: string, task_type: DatasetEntry["task_type"]): DatasetEntry {
  return {
    id,
    name: id.toUpperCase(),
    aliases: [],
    task_type,
    metric: "exact_match",
    exact_match: true,
    success_threshold: null,
    skill: task_type === "math" ? "grade-school arithmetic" : "broad knowledge",
    description: "Test registry entry.",
    source: "shared evaldata",
    licence: "see the source",
  };
}

/** A record failed by the dataset's threshold (1 for these exact-match sets), as a snapshot says. */
const failed = (r: EvalRecord) => isFailure(r, 1);

/** Contexts of every failure of some records (one dataset entry), through select.ts, sorted by record key. */
export function contextsOf(records: EvalRecord[], ds: DatasetEntry): FailureContext[] {
  const failures = records.filter(failed).sort((a, b) => (recordKey(a) < recordKey(b) ? -1 : 1));
  return buildContexts(failures, records, failed, new Map([[ds.id, ds]]));
}

/** Contexts of every failure of a dataset file of ../shared/evaldata, sorted by record key. */
export function failureContexts(file: string, task: DatasetEntry["task_type"]): FailureContext[] {
  const records = loadJsonl(file);
  return contextsOf(records, entry(records[0]!.dataset, task));
}

/** Contexts of every generated failure of a demo dataset with a right/wrong grade (arith, quiz). */
export function demoFailureContexts(dataset: "demo_arith" | "demo_quiz", copies = 1): FailureContext[] {
  return contextsOf(demoRecords(dataset, copies), DEMO_DATASETS.find((d) => d.id === dataset)!);
}

/**
 * Failures whose requests to the judge differ: one per (input, output, extracted answer). The
 * generated outputs are templated, so two models can fail one item with the same text.
 */
export function distinctRequests(ctxs: FailureContext[]): FailureContext[] {
  const seen = new Set<string>();
  return ctxs.filter((c) => {
    const k = JSON.stringify([c.record.input, c.record.output, c.record.extracted ?? null]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** n failures spread evenly over the list (deterministic). */
export function spreadPick<T>(xs: T[], n: number): T[] {
  return Array.from(
    { length: Math.min(n, xs.length) },
    (_, i) => xs[Math.floor((i * xs.length) / Math.min(n, xs.length))]!,
  );
}

/** ~n real failures from GSM8K and MMLU-Pro. */
export function sampleContexts(n: number): FailureContext[] {
  const half = Math.floor(n / 2);
  return [
    ...spreadPick(failureContexts("gsm8k", "math"), half),
    ...spreadPick(failureContexts("mmlu_pro", "multiple_choice"), n - half),
  ];
}

/** Failures for the judge's tests, from one source of records. */
export interface ContextSource {
  /** ~n failures of a math and a multiple-choice set, each a distinct request. */
  sample(n: number): FailureContext[];
  /** n failures for inducing a taxonomy (at least 100 of the math set). */
  many(n: number): FailureContext[];
  /** n failures of the multiple-choice set: another slice, for a second release's taxonomy. */
  another(n: number): FailureContext[];
}

/**
 * The sources: generated (demo arithmetic and quiz; the items written four times, copies marked
 * in their inputs, for enough distinct failures) always; GSM8K and MMLU-Pro when ../shared is there.
 */
export const CONTEXT_SOURCES = sources<ContextSource>({
  generated: () => {
    const arith = () => distinctRequests(demoFailureContexts("demo_arith", 4));
    const quiz = () => distinctRequests(demoFailureContexts("demo_quiz", 4));
    return {
      sample: (n) => [...spreadPick(arith(), Math.floor(n / 2)), ...spreadPick(quiz(), n - Math.floor(n / 2))],
      many: (n) => [...spreadPick(arith(), 100), ...spreadPick(quiz(), n - 100)],
      another: (n) => spreadPick(quiz().reverse(), n),
    };
  },
  shared: () => ({
    sample: sampleContexts,
    many: (n) => [
      ...spreadPick(failureContexts("gsm8k", "math"), 100),
      ...spreadPick(failureContexts("mmlu_pro", "multiple_choice"), n - 100),
    ],
    another: (n) => spreadPick(failureContexts("mmlu_pro", "multiple_choice"), n),
  }),
});

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ea-openai-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { join };
