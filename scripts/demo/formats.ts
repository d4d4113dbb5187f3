// The demo records written as import inputs, in every input format `errormap import` reads: JSONL,
// generic CSV (columns = record fields), the reference ErrorMap CSV (`example_id, model,
// input_text, output_text, score, correct_answer`; dataset from the file name) and HELM run
// folders (one run per model). The tests run the importers, the judges and the pipeline on these
// when ../shared/evaldata is not there, so the inputs carry failures of every kind the heuristic
// rules explain (see generate.ts). Deterministic: the same options always give the same bytes.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stableJsonLine } from "../../src/lib/jsonio.ts";
import type { RawRecord } from "../../src/lib/schemas.ts";
import { generateDemo, type DemoRecord } from "./generate.ts";
import type { DemoDataset } from "./kinds.ts";

export type InputFormat = "jsonl" | "csv" | "errormap-csv" | "helm";

/** One file (or HELM run folder) written, with the records it holds. */
export interface DemoInputFile {
  format: InputFormat;
  path: string;
  dataset: DemoDataset;
  records: DemoRecord[];
}

export interface DemoInputs {
  dir: string;
  files: DemoInputFile[];
  /** What to pass to `errormap import`: every file, and the folder of HELM runs (once). */
  paths: string[];
  /** Every record written, as the generator made it (source names; `kind` says what was planted). */
  records: DemoRecord[];
}

export interface DemoInputOptions {
  /** Which records to write (default: all). */
  keep?: (dataset: DemoDataset, model: string) => boolean;
  /**
   * Each item written this many times, for tests that need more failures than the 40 items per
   * dataset give (default 1): copy k > 1 has the id suffixed "~k" and its input begins "(Copy k) ",
   * so copies are distinct items with the same answers and outcomes.
   */
  copies?: number;
  /**
   * The format of each dataset (and, for the quiz, of each model). Default: demo_arith as JSONL,
   * demo_instruct as generic CSV, demo_quiz as HELM runs for its first three models and as the
   * ErrorMap CSV for the other two, so one import reads every format.
   */
  formatOf?: (dataset: DemoDataset, model: string, modelIndex: number) => InputFormat;
}

export const DEFAULT_FORMAT = (dataset: DemoDataset, _model: string, modelIndex: number): InputFormat =>
  dataset === "demo_arith" ? "jsonl" : dataset === "demo_instruct" ? "csv" : modelIndex < 3 ? "helm" : "errormap-csv";

/** The generic CSV columns: the record fields. */
export const GENERIC_COLUMNS = [
  "dataset",
  "model",
  "instance_id",
  "input",
  "reference",
  "output",
  "score",
  "correct",
  "extracted",
  "prompt",
  "reference_text",
  "metadata",
  "source",
] as const;
export const ERRORMAP_COLUMNS = [
  "example_id",
  "model",
  "input_text",
  "output_text",
  "score",
  "correct_answer",
] as const;

/** A CSV field, quoted when needed (RFC 4180); objects as JSON, absent values empty. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(",") + "\n";
}

/** The 0/1 score of a record graded only right or wrong (the ErrorMap CSV and HELM carry a score). */
function scoreOf(r: RawRecord): number {
  if (typeof r.score === "number") return r.score;
  return r.correct ? 1 : 0;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A multiple-choice input ("question\nA. option\nB. ...") split into question and options. */
export function splitOptions(input: string): { question: string; options: string[] } {
  const lines = input.split("\n");
  const options: string[] = [];
  // Options are the trailing lines "A. ...", "B. ...", in order.
  let first = lines.length;
  for (let k = lines.length - 1; k >= 1; k--)
    if (/^[A-Z]\. /.test(lines[k]!)) first = k;
    else break;
  for (let k = first; k < lines.length; k++) {
    if (!lines[k]!.startsWith(`${LETTERS[k - first]}. `))
      throw new Error(`not a multiple-choice input: ${JSON.stringify(input.slice(0, 80))}`);
    options.push(lines[k]!.slice(3));
  }
  if (options.length < 2) throw new Error(`not a multiple-choice input: ${JSON.stringify(input.slice(0, 80))}`);
  return { question: lines.slice(0, first).join("\n"), options };
}

/** Item copies (see DemoInputOptions.copies), copy by copy, each in the records' order. */
export function demoCopies(records: DemoRecord[], copies: number): DemoRecord[] {
  if (copies <= 1) return records;
  const out: DemoRecord[] = [];
  for (let c = 1; c <= copies; c++) {
    for (const r of records)
      out.push(
        c === 1
          ? r
          : {
              ...r,
              record: {
                ...r.record,
                instance_id: `${r.record.instance_id}~${c}`,
                input: `(Copy ${c}) ${r.record.input}`,
              },
            },
      );
  }
  return out;
}

/** HELM's run name and folder name of a demo run. */
export function helmRunName(dataset: string, model: string): string {
  return `${dataset}:method=multiple_choice_joint,model=demo_${model.toLowerCase()}`;
}

/**
 * Writes one HELM run folder: run_spec.json, instances.json, display_predictions.json,
 * display_requests.json, per_instance_stats.json and stats.json, shaped as HELM writes them. The
 * item id is the demo id without its "<dataset>/" prefix (HELM ids are per scenario; the importer
 * puts the prefix back).
 */
function writeHelmRun(dir: string, dataset: string, model: string, records: RawRecord[]): void {
  mkdirSync(dir, { recursive: true });
  const name = helmRunName(dataset, model);
  const spec = {
    name,
    scenario_spec: { class_name: `errormap.demo.${dataset}.DemoScenario`, args: {} },
    adapter_spec: {
      method: "multiple_choice_joint",
      instructions: "The following are multiple choice questions (with answers).",
      input_prefix: "Question: ",
      output_prefix: "Answer: ",
      max_train_instances: 0,
      max_eval_instances: records.length,
      num_outputs: 1,
      num_train_trials: 1,
      model_deployment: `demo/${model}`,
      model,
      temperature: 0,
      max_tokens: 400,
      stop_sequences: [],
    },
    metric_specs: [
      {
        class_name: "helm.benchmark.metrics.basic_metrics.BasicGenerationMetric",
        args: { names: ["exact_match", "quasi_exact_match"] },
      },
    ],
    groups: [dataset],
  };
  const instances = [];
  const predictions = [];
  const requests = [];
  const perInstance = [];
  let sum = 0;
  for (const r of records) {
    const id = r.instance_id.startsWith(`${dataset}/`) ? r.instance_id.slice(dataset.length + 1) : r.instance_id;
    const { question, options } = splitOptions(r.input);
    const gold = LETTERS.indexOf(r.reference);
    if (gold < 0 || gold >= options.length)
      throw new Error(`${r.instance_id}: reference "${r.reference}" is not an option letter`);
    instances.push({
      input: { text: question },
      references: options.map((text, i) => ({ output: { text }, tags: i === gold ? ["correct"] : [] })),
      split: "test",
      id,
    });
    const score = scoreOf(r);
    sum += score;
    predictions.push({
      instance_id: id,
      train_trial_index: 0,
      predicted_text: r.output,
      base64_images: [],
      ...(r.extracted !== undefined ? { mapped_output: r.extracted } : {}),
      stats: {
        num_prompt_tokens: question.length / 4,
        num_output_tokens: r.output.length / 4,
        inference_runtime: 0.5,
        num_train_instances: 0,
        prompt_truncated: 0,
      },
    });
    requests.push({
      instance_id: id,
      train_trial_index: 0,
      request: {
        model_deployment: `demo/${model}`,
        model,
        embedding: false,
        prompt: `Question: ${r.input}\nAnswer:`,
        temperature: 0,
        num_completions: 1,
        max_tokens: 400,
        stop_sequences: [],
        echo_prompt: false,
      },
    });
    const stat = (n: string) => ({
      name: { name: n, split: "test" },
      count: 1,
      sum: score,
      sum_squared: score * score,
      min: score,
      max: score,
      mean: score,
      variance: 0,
      stddev: 0,
    });
    perInstance.push({
      instance_id: id,
      train_trial_index: 0,
      stats: [
        stat("exact_match"),
        stat("quasi_exact_match"),
        {
          name: { name: "num_output_tokens", split: "test" },
          count: 1,
          sum: 1,
          sum_squared: 1,
          min: 1,
          max: 1,
          mean: 1,
          variance: 0,
          stddev: 0,
        },
      ],
    });
  }
  const n = records.length;
  const mean = n ? sum / n : 0;
  const runStat = (s: string) => ({
    name: { name: s, split: "test" },
    count: n,
    sum,
    sum_squared: sum,
    min: 0,
    max: 1,
    mean,
    variance: mean - mean * mean,
    stddev: Math.sqrt(mean - mean * mean),
  });
  const write = (f: string, v: unknown) => writeFileSync(join(dir, f), JSON.stringify(v, null, 2) + "\n");
  write("run_spec.json", spec);
  write("instances.json", instances);
  write("display_predictions.json", predictions);
  write("display_requests.json", requests);
  write("per_instance_stats.json", perInstance);
  write("stats.json", [runStat("exact_match"), runStat("quasi_exact_match")]);
}

/**
 * Writes the demo records under `dir` in the formats `formatOf` chooses: `<dataset>.jsonl`,
 * `<dataset>.csv` (generic), `errormap/<dataset>.csv` (ErrorMap CSV) and `helm/<run>/` folders.
 */
export function writeDemoInputs(dir: string, opts: DemoInputOptions = {}): DemoInputs {
  const keep = opts.keep ?? (() => true);
  const formatOf = opts.formatOf ?? DEFAULT_FORMAT;
  mkdirSync(dir, { recursive: true });
  const files: DemoInputFile[] = [];
  const all: DemoRecord[] = [];
  for (const [dataset, generated] of generateDemo()) {
    const models = [...new Set(generated.map((r) => r.record.model))];
    const kept = demoCopies(
      generated.filter((r) => keep(dataset, r.record.model)),
      opts.copies ?? 1,
    );
    const byFormat = new Map<InputFormat, DemoRecord[]>();
    for (const r of kept) {
      const f = formatOf(dataset, r.record.model, models.indexOf(r.record.model));
      (byFormat.get(f) ?? byFormat.set(f, []).get(f)!).push(r);
    }
    for (const [format, recs] of byFormat) {
      all.push(...recs);
      const raw = recs.map((r) => r.record);
      if (format === "jsonl") {
        const path = join(dir, `${dataset}.jsonl`);
        writeFileSync(path, raw.map((r) => stableJsonLine(r) + "\n").join(""));
        files.push({ format, path, dataset, records: recs });
      } else if (format === "csv") {
        const path = join(dir, `${dataset}.csv`);
        writeFileSync(
          path,
          csvLine(GENERIC_COLUMNS) +
            raw.map((r) => csvLine(GENERIC_COLUMNS.map((k) => r[k as keyof RawRecord]))).join(""),
        );
        files.push({ format, path, dataset, records: recs });
      } else if (format === "errormap-csv") {
        mkdirSync(join(dir, "errormap"), { recursive: true });
        const path = join(dir, "errormap", `${dataset}.csv`);
        writeFileSync(
          path,
          csvLine(ERRORMAP_COLUMNS) +
            raw.map((r) => csvLine([r.instance_id, r.model, r.input, r.output, scoreOf(r), r.reference])).join(""),
        );
        files.push({ format, path, dataset, records: recs });
      } else {
        for (const model of models) {
          const mine = recs.filter((r) => r.record.model === model);
          if (mine.length === 0) continue;
          const path = join(dir, "helm", helmRunName(dataset, model));
          writeHelmRun(
            path,
            dataset,
            model,
            mine.map((r) => r.record),
          );
          files.push({ format, path, dataset, records: mine });
        }
      }
    }
  }
  const paths = [
    ...files.filter((f) => f.format !== "helm").map((f) => f.path),
    ...(files.some((f) => f.format === "helm") ? [join(dir, "helm")] : []),
  ];
  return { dir, files, paths, records: all };
}

/** Whether the generator meant a record to fail (anything planted but a correct answer). */
export const plantedFailure = (r: DemoRecord): boolean => r.kind !== "correct";
