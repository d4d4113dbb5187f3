// Builds FailureContexts through the production selection (scripts/pipeline/select.ts), from the
// generated demo records (scripts/demo) and from the real evaluation data of ../shared/evaldata.
// Also reads the HELM BBQ run directories into EvalRecords (the project's HELM importer is not this
// test's business).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateDemo } from "../../scripts/demo/generate.ts";
import type { DemoDataset } from "../../scripts/demo/kinds.ts";
import { DEMO_DATASETS } from "../../scripts/demo/registry.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { buildContexts as selectContexts } from "../../scripts/pipeline/select.ts";
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import { slugify } from "../../scripts/lib/slug.ts";
import { HELM_DIR, hasEvaldata, loadJsonl } from "../helpers/evaldata.ts";
import { demoRecords } from "../helpers/sources.ts";

export const JSONL_DATASETS = ["mmlu_pro", "gsm8k", "math_l5", "theoremqa", "alpaca_eval"] as const;
export const DEMO_SETS = ["demo_arith", "demo_quiz", "demo_instruct"] as const satisfies readonly DemoDataset[];
export type DatasetName = (typeof JSONL_DATASETS)[number] | "bbq" | (typeof DEMO_SETS)[number];
/** The real datasets of ../shared/evaldata. */
export const ALL_DATASETS: DatasetName[] = [...JSONL_DATASETS, "bbq"];
/** The datasets tests can run on here: the generated ones always, the real ones when they are there. */
export const DATASETS: DatasetName[] = [...DEMO_SETS, ...(hasEvaldata ? ALL_DATASETS : [])];
const isDemo = (id: DatasetName): id is (typeof DEMO_SETS)[number] => (DEMO_SETS as readonly string[]).includes(id);

const TASK: Record<Exclude<DatasetName, (typeof DEMO_SETS)[number]>, DatasetEntry["task_type"]> = {
  mmlu_pro: "multiple_choice",
  gsm8k: "math",
  math_l5: "math",
  theoremqa: "short_answer",
  alpaca_eval: "open_ended",
  bbq: "multiple_choice",
};

/** A minimal registry entry for a dataset of the shared data (the real registry is built elsewhere); the demo's own entries. */
export function datasetEntry(id: DatasetName): DatasetEntry {
  if (isDemo(id)) return DEMO_DATASETS.find((d) => d.id === id)!;
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

/** A record failed when the source says so, or (score only) when it scored below 1 (or below its dataset's threshold). */
export function isFailure(r: EvalRecord): boolean {
  const threshold = isDemo(r.dataset as DatasetName)
    ? (datasetEntry(r.dataset as DatasetName).success_threshold ?? 1)
    : 1;
  return r.correct === null ? (r.score ?? 0) < threshold : !r.correct;
}

/** The generated records of a demo dataset, with model ids as slugs of the source names (as the registry gives them). */
export const loadDemo = (name: (typeof DEMO_SETS)[number]): EvalRecord[] => demoRecords(name);

/** What the generator planted on each generated record: "dataset|model id|instance id" → kind. */
export function plantedKinds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const list of generateDemo().values())
    for (const { record: r, kind } of list) out.set(`${r.dataset}|${slugify(r.model)}|${r.instance_id}`, kind);
  return out;
}

/** BBQ records from the raw HELM run directories: letter reference, option text, exact_match score. */
export function loadHelmBbq(): EvalRecord[] {
  const out: EvalRecord[] = [];
  for (const dir of readdirSync(HELM_DIR).sort()) {
    const read = (f: string) => JSON.parse(readFileSync(join(HELM_DIR, dir, f), "utf8"));
    const source = /model=([^,]+)$/.exec(dir)?.[1] ?? dir;
    const preds = new Map<string, string>(
      read("display_predictions.json").map((p: any) => [p.instance_id, p.predicted_text]),
    );
    const em = new Map<string, number>();
    for (const s of read("per_instance_stats.json"))
      for (const st of s.stats)
        if (st.name.name === "exact_match" && !st.name.perturbation) em.set(s.instance_id, st.mean);
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
        // As the HELM importer keeps them (scripts/import/sources.ts): the BBQ plug-in reads the tags.
        metadata: { references: inst.references.map((r: any) => ({ text: r.output.text, tags: r.tags })) },
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
  return isDemo(name) ? loadDemo(name) : name === "bbq" ? loadHelmBbq() : loadJsonl(name);
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

/**
 * Every record of a dataset wrapped in a FailureContext by the production selection (select.ts
 * buildContexts: item records, accuracy, informative peers, published outputs); correct records
 * are wrapped the same way, to measure how often a rule fires where nothing failed.
 */
export function buildContexts(name: DatasetName, records: EvalRecord[] = loadDataset(name)): DatasetContexts {
  const accuracy = modelAccuracy(records);
  const items = groupByItem(records);
  const datasets = new Map([[records[0]?.dataset ?? name, datasetEntry(name)]]);
  const byItem = [...items.values()].flat();
  const select = (rs: EvalRecord[]) => selectContexts(rs, records, isFailure, datasets);
  const failures = select(byItem.filter((r) => isFailure(r)));
  const corrects = select(byItem.filter((r) => !isFailure(r)));
  return { name, records, failures, corrects, accuracy, items };
}

const cache = new Map<DatasetName, DatasetContexts>();
/** buildContexts, once per dataset per test file. */
export function contextsOf(name: DatasetName): DatasetContexts {
  let c = cache.get(name);
  if (!c) cache.set(name, (c = buildContexts(name)));
  return c;
}

/** A hand-written failed record of a toy dataset, for rule tests on text written in the test. */
export function toyRecord(p: Partial<EvalRecord> & { output: string; reference: string }): EvalRecord {
  return {
    dataset: "toy",
    model: "m1",
    instance_id: "toy/1",
    input: "Q?",
    score: 0,
    correct: false,
    source_model: "m1",
    ...p,
  };
}

/** The context the production selection gives a toy record alone on its item. */
export function toyContext(r: EvalRecord, task: DatasetEntry["task_type"] = "math"): FailureContext {
  const dataset: DatasetEntry = {
    id: r.dataset,
    name: r.dataset,
    aliases: [],
    task_type: task,
    metric: "exact_match",
    exact_match: true,
    success_threshold: null,
    skill: "test",
    description: "test",
    source: "test",
    licence: "test",
  };
  return selectContexts([r], [r], () => true, new Map([[r.dataset, dataset]]))[0]!;
}
