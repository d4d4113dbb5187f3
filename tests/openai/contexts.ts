// FailureContexts built from the real records of ../shared/evaldata (read at test time).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import { recordKey } from "../../src/lib/schemas.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { loadJsonl } from "../helpers/evaldata.ts";

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

/** Contexts of every failure of a dataset file, sorted by record key. */
export function failureContexts(file: string, task: DatasetEntry["task_type"]): FailureContext[] {
  const records = loadJsonl(file);
  const ds = entry(records[0]!.dataset, task);
  const byItem = new Map<string, EvalRecord[]>();
  for (const r of records) byItem.set(r.instance_id, [...(byItem.get(r.instance_id) ?? []), r]);
  const acc = new Map<string, number>();
  const models = [...new Set(records.map((r) => r.model))];
  for (const m of models) {
    const mine = records.filter((r) => r.model === m);
    acc.set(m, mine.filter((r) => r.correct).length / mine.length);
  }
  return records
    .filter((r) => r.correct === false)
    .sort((a, b) => (recordKey(a) < recordKey(b) ? -1 : 1))
    .map((record) => {
      const item = [...byItem.get(record.instance_id)!].sort((a, b) => (a.model < b.model ? -1 : 1));
      return {
        record,
        dataset: ds,
        correctPeers: item.filter((r) => r.correct && r.model !== record.model).slice(0, 3),
        itemRecords: item,
        modelAccuracy: acc,
      };
    });
}

/** n failures spread evenly over the list (deterministic). */
export function spreadPick<T>(xs: T[], n: number): T[] {
  return Array.from({ length: Math.min(n, xs.length) }, (_, i) => xs[Math.floor((i * xs.length) / Math.min(n, xs.length))]!);
}

/** ~n real failures from GSM8K and MMLU-Pro. */
export function sampleContexts(n: number): FailureContext[] {
  const half = Math.floor(n / 2);
  return [...spreadPick(failureContexts("gsm8k", "math"), half), ...spreadPick(failureContexts("mmlu_pro", "multiple_choice"), n - half)];
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ea-openai-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { join };
