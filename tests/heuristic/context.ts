// Builds FailureContexts from the real evaluation data, as the pipeline would: records grouped by
// item, model accuracy per dataset, up to 3 correct peers per failure. Also reads the HELM BBQ run
// directories into EvalRecords (the project's HELM importer is not this test's business).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FailureContext } from "../../scripts/judges/types.ts";
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import { slugify } from "../../src/lib/slug.ts";
import { HELM_DIR, loadJsonl } from "../helpers/evaldata.ts";

export const JSONL_DATASETS = ["mmlu_pro", "gsm8k", "math_l5", "theoremqa", "alpaca_eval"] as const;
export type DatasetName = (typeof JSONL_DATASETS)[number] | "bbq";
export const ALL_DATASETS: DatasetName[] = [...JSONL_DATASETS, "bbq"];

const TASK: Record<DatasetName, DatasetEntry["task_type"]> = {
  mmlu_pro: "multiple_choice",
  gsm8k: "math",
  math_l5: "math",
  theoremqa: "short_answer",
  alpaca_eval: "open_ended",
  bbq: "multiple_choice",
};

/** A minimal registry entry for a dataset of the shared data (the real registry is built elsewhere). */
export function datasetEntry(id: DatasetName): DatasetEntry {
  const open = TASK[id] === "open_ended";
  return {
    id,
    name: id,
    aliases: [],
    task_type: TASK[id],
    metric: open ? "judge_preference" : "exact_match",
    exact_match: !open,
    success_threshold: null,
    skill: "test",
    description: "test entry",
    source: "../shared/evaldata",
    licence: "see source",
  };
}

/** A record failed when the source says so, or (score only) when it scored below 1. */
export function isFailure(r: EvalRecord): boolean {
  return r.correct === null ? (r.score ?? 0) < 1 : !r.correct;
}

/** BBQ records from the raw HELM run directories: letter reference, option text, exact_match score. */
export function loadHelmBbq(): EvalRecord[] {
  const out: EvalRecord[] = [];
  for (const dir of readdirSync(HELM_DIR).sort()) {
    const read = (f: string) => JSON.parse(readFileSync(join(HELM_DIR, dir, f), "utf8"));
    const source = /model=([^,]+)$/.exec(dir)?.[1] ?? dir;
    const preds = new Map<string, string>(read("display_predictions.json").map((p: any) => [p.instance_id, p.predicted_text]));
    const em = new Map<string, number>();
    for (const s of read("per_instance_stats.json"))
      for (const st of s.stats) if (st.name.name === "exact_match" && !st.name.perturbation) em.set(s.instance_id, st.mean);
    for (const inst of read("instances.json")) {
      const letters = inst.references.map((_: unknown, i: number) => String.fromCharCode(65 + i));
      const gold = inst.references.findIndex((r: any) => r.tags.includes("correct"));
      const score = em.get(inst.id) ?? 0;
      out.push({
        dataset: "bbq",
        model: slugify(source),
        instance_id: inst.id,
        input: `${inst.input.text}\n${inst.references.map((r: any, i: number) => `${letters[i]}. ${r.output.text}`).join("\n")}`,
        reference: letters[gold],
        reference_text: inst.references[gold].output.text,
        output: preds.get(inst.id) ?? "",
        score,
        correct: score >= 1,
        source_model: source,
      });
    }
  }
  return out;
}

export function loadDataset(name: DatasetName): EvalRecord[] {
  return name === "bbq" ? loadHelmBbq() : loadJsonl(name);
}

/** Accuracy of every model on the records given (one dataset). */
export function modelAccuracy(records: readonly EvalRecord[]): Map<string, number> {
  const tally = new Map<string, [number, number]>();
  for (const r of records) {
    const t = tally.get(r.model) ?? [0, 0];
    t[0] += isFailure(r) ? 0 : 1;
    t[1] += 1;
    tally.set(r.model, t);
  }
  return new Map([...tally].map(([m, [ok, n]]) => [m, ok / n]));
}

/** Records grouped by instance id, each group sorted by model id. */
export function groupByItem(records: readonly EvalRecord[]): Map<string, EvalRecord[]> {
  const out = new Map<string, EvalRecord[]>();
  for (const r of records) {
    const g = out.get(r.instance_id);
    if (g) g.push(r);
    else out.set(r.instance_id, [r]);
  }
  for (const g of out.values()) g.sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return out;
}

export interface DatasetContexts {
  name: DatasetName;
  records: EvalRecord[];
  failures: FailureContext[];
  /** Correct records wrapped as contexts, to measure how often a rule fires where nothing failed. */
  corrects: FailureContext[];
  accuracy: Map<string, number>;
  items: Map<string, EvalRecord[]>;
}

/** Every record of a dataset wrapped in a FailureContext (the item array shared by its records). */
export function buildContexts(name: DatasetName, records: EvalRecord[] = loadDataset(name)): DatasetContexts {
  const accuracy = modelAccuracy(records);
  const items = groupByItem(records);
  const dataset = datasetEntry(name);
  const failures: FailureContext[] = [];
  const corrects: FailureContext[] = [];
  for (const itemRecords of items.values()) {
    for (const record of itemRecords) {
      const correctPeers = itemRecords.filter((r) => r !== record && !isFailure(r)).slice(0, 3);
      (isFailure(record) ? failures : corrects).push({ record, dataset, correctPeers, itemRecords, modelAccuracy: accuracy });
    }
  }
  return { name, records, failures, corrects, accuracy, items };
}

const cache = new Map<DatasetName, DatasetContexts>();
/** buildContexts, once per dataset per test file. */
export function contextsOf(name: DatasetName): DatasetContexts {
  let c = cache.get(name);
  if (!c) cache.set(name, (c = buildContexts(name)));
  return c;
}
