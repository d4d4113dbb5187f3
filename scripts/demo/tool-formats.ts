// The demo records written in the formats evaluation tools write (README "Importing what evaluation tools write"), so the importers of
// scripts/import/formats are tested on a fresh clone: lm-evaluation-harness run folders
// (generation with two filters, multiple choice with string log-likelihoods), Inspect AI logs
// (.eval with deflate entries, .eval with zstd entries, .eval with two epochs and attachment://
// texts, and a .json log), Every Eval Ever instance files with their aggregate, and HELM run
// folders without display files (scenario_state.json + per_instance_stats.json). Each (dataset,
// model) is written in one format only, so all of them import together. Deterministic bytes.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateRawSync, zstdCompressSync } from "node:zlib";
import { sha256 } from "../../src/lib/jsonio.ts";
import type { RawRecord } from "../../src/lib/schemas.ts";
import { splitOptions } from "./formats.ts";
import { generateDemo, type DemoRecord } from "./generate.ts";

export type ToolFormat = "lm-eval" | "inspect-eval" | "inspect-json" | "eee" | "helm-state";

export interface ToolDemoFile {
  format: ToolFormat;
  /** The file or folder to name on the command line. */
  path: string;
  dataset: string;
  model: string;
  /** The records written; `epochs` times each for the Inspect log with epochs. */
  records: DemoRecord[];
  epochs: number;
  /** Zip compression of an .eval: 8 deflate, 93 zstd. */
  method?: 8 | 93;
}

export interface ToolDemoInputs {
  dir: string;
  files: ToolDemoFile[];
  /** The folders that hold them all (import each, or `dir` itself). */
  paths: string[];
  /** Records expected after import, and failures among them. */
  records: number;
  failures: number;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const TS = "2026-01-02T03-04-05.678901";
const failed = (r: DemoRecord) => r.kind !== "correct";
const answerOf = (r: RawRecord): string => (typeof r.extracted === "string" ? r.extracted : "");

// ---------------------------------------------------------------------------------------------
// A minimal zip writer (stored names, no extra fields), enough for Inspect's .eval layout.

export function writeZip(path: string, entries: [string, string | Buffer][], method: 8 | 93): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const packed = method === 8 ? deflateRawSync(data) : zstdCompressSync(data);
    const crc = crc32(data) >>> 0;
    const nameBytes = Buffer.from(name);
    const version = method === 93 ? 63 : 20;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(version, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(version, 4);
    cd.writeUInt16LE(version, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(packed.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, nameBytes);
    parts.push(local, nameBytes, packed);
    offset += 30 + nameBytes.length + packed.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(path, Buffer.concat([...parts, cdBytes, end]));
}

// ---------------------------------------------------------------------------------------------
// lm-evaluation-harness

function lmEvalRun(
  dir: string,
  model: string,
  tasks: { task: string; recs: DemoRecord[]; kind: "generate" | "mc" }[],
): void {
  mkdirSync(dir, { recursive: true });
  const results: Record<string, Record<string, unknown>> = {};
  const configs: Record<string, unknown> = {};
  const hib: Record<string, Record<string, boolean>> = {};
  const nSamples: Record<string, unknown> = {};
  for (const { task, recs, kind } of tasks) {
    const lines: string[] = [];
    const acc = recs.filter((r) => !failed(r)).length / recs.length;
    if (kind === "generate") {
      // Two filters, as gsm8k: every document once per filter, filter by filter.
      for (const filter of ["strict-match", "flexible-extract"]) {
        recs.forEach(({ record: r }, i) => {
          const ok = !failed(recs[i]);
          const answer = answerOf(r);
          const filtered =
            filter === "strict-match" ? answer || "[invalid]" : answer || r.output.trim().split(/\s+/).at(-1) || "";
          lines.push(
            JSON.stringify({
              doc_id: i,
              doc: { question: r.input, answer: r.reference },
              target: r.reference,
              arguments: {
                gen_args_0: {
                  arg_0: `Question: ${r.input}\nAnswer:`,
                  arg_1: { until: ["Question:"], do_sample: false },
                },
              },
              resps: [[r.output]],
              filtered_resps: [filtered],
              filter,
              metrics: ["exact_match"],
              doc_hash: sha256(r.instance_id),
              prompt_hash: sha256(r.input),
              target_hash: sha256(r.reference),
              exact_match: ok ? 1.0 : 0.0,
            }),
          );
        });
      }
      results[task] = {
        alias: task,
        "exact_match,strict-match": acc,
        "exact_match_stderr,strict-match": 0,
        "exact_match,flexible-extract": acc,
        "exact_match_stderr,flexible-extract": 0,
      };
      configs[task] = {
        task,
        output_type: "generate_until",
        metric_list: [{ metric: "exact_match", aggregation: "mean", higher_is_better: true }],
        filter_list: [
          { name: "strict-match", filter: [] },
          { name: "flexible-extract", filter: [] },
        ],
      };
      hib[task] = { exact_match: true };
    } else {
      recs.forEach(({ record: r }, i) => {
        const { question, options } = splitOptions(r.input);
        const gold = LETTERS.indexOf(r.reference);
        const picked = LETTERS.indexOf(answerOf(r));
        const chosen = !failed(recs[i])
          ? gold
          : picked >= 0 && picked !== gold && picked < options.length
            ? picked
            : (gold + 1) % options.length;
        // Log-likelihoods as lm-eval writes them since ~0.4.5: strings.
        const lls = options.map((_, k) => (k === chosen ? "-0.25" : `-${(3 + k).toFixed(1)}`));
        lines.push(
          JSON.stringify({
            doc_id: i,
            doc: { question, choices: options, gold },
            target: String(gold),
            arguments: Object.fromEntries(
              options.map((o, k) => [`gen_args_${k}`, { arg_0: `Question: ${question}\nAnswer:`, arg_1: ` ${o}` }]),
            ),
            resps: lls.map((ll, k) => [[ll, k === chosen ? "True" : "False"]]),
            filtered_resps: lls.map((ll, k) => [ll, k === chosen ? "True" : "False"]),
            filter: "none",
            metrics: ["acc", "acc_norm"],
            doc_hash: sha256(r.instance_id),
            prompt_hash: sha256(question),
            target_hash: sha256(String(gold)),
            acc: chosen === gold ? 1.0 : 0.0,
            acc_norm: chosen === gold ? 1.0 : 0.0,
          }),
        );
      });
      results[task] = {
        alias: task,
        "acc,none": acc,
        "acc_stderr,none": 0,
        "acc_norm,none": acc,
        "acc_norm_stderr,none": 0,
      };
      configs[task] = {
        task,
        output_type: "multiple_choice",
        metric_list: [
          { metric: "acc", aggregation: "mean", higher_is_better: true },
          { metric: "acc_norm", aggregation: "mean", higher_is_better: true },
        ],
      };
      hib[task] = { acc: true, acc_norm: true };
    }
    nSamples[task] = { original: recs.length, effective: recs.length };
    writeFileSync(join(dir, `samples_${task}_${TS}.jsonl`), lines.join("\n") + "\n");
  }
  const res = {
    results,
    group_subtasks: Object.fromEntries(tasks.map((t) => [t.task, []])),
    configs,
    versions: Object.fromEntries(tasks.map((t) => [t.task, 1])),
    "n-shot": Object.fromEntries(tasks.map((t) => [t.task, 0])),
    higher_is_better: hib,
    "n-samples": nSamples,
    config: { model: "hf", model_args: `pretrained=${model}`, batch_size: 1 },
    lm_eval_version: "0.4.9",
    model_name: model,
    model_name_sanitized: model.replace(/\//g, "__"),
  };
  writeFileSync(join(dir, `results_${TS}.json`), JSON.stringify(res, null, 2) + "\n");
}

// ---------------------------------------------------------------------------------------------
// Inspect AI

function inspectHeader(task: string, model: string, n: number, epochs: number, scorer: string) {
  return {
    version: 2,
    status: "success",
    eval: {
      eval_id: sha256(`${task}|${model}`).slice(0, 22),
      run_id: sha256(`${model}|${task}`).slice(0, 22),
      created: "2026-01-02T03:04:05+00:00",
      task,
      task_version: 0,
      dataset: { name: task.split("/").at(-1), samples: n, shuffled: false },
      model,
      config: { epochs },
      scorers: [{ name: scorer, options: {}, metrics: [] }],
      packages: { inspect_ai: "0.3.210" },
    },
    plan: { name: "plan", steps: [] },
    results: {
      total_samples: n * epochs,
      completed_samples: n * epochs,
      scores: [{ name: scorer, scorer, params: {}, metrics: {} }],
    },
    stats: { started_at: "2026-01-02T03:04:05+00:00", completed_at: "2026-01-02T03:05:05+00:00", model_usage: {} },
  };
}

function inspectSample(rec: DemoRecord, epoch: number, mc: boolean, attach: boolean) {
  const r = rec.record;
  const ok = !failed(rec);
  const { question, options } = mc ? splitOptions(r.input) : { question: r.input, options: null };
  const inputHash = sha256(question).slice(0, 32);
  const input = attach ? `attachment://${inputHash}` : question;
  return {
    id: r.instance_id.split("/").at(-1),
    epoch,
    input: mc
      ? input
      : [
          { id: "m1", role: "system", content: "Answer the question." },
          { id: "m2", role: "user", content: input, source: "input" },
        ],
    ...(options ? { choices: options } : {}),
    target: r.reference,
    messages: [],
    // Before ~0.3.133 there is no output.completion: the text is in the first choice's message.
    output: {
      model: "demo",
      choices: [{ message: { role: "assistant", content: [{ type: "text", text: r.output }] }, stop_reason: "stop" }],
      usage: {},
    },
    scores: {
      [mc ? "choice" : "match"]: {
        value: ok ? "C" : "I",
        answer: answerOf(r) || undefined,
        explanation: r.output.slice(0, 80),
      },
    },
    metadata: {},
    store: {},
    events: [],
    ...(attach ? { attachments: { [inputHash]: question } } : {}),
  };
}

function inspectEval(
  path: string,
  task: string,
  model: string,
  recs: DemoRecord[],
  opts: { mc: boolean; epochs: number; method: 8 | 93; attach: boolean },
): void {
  const header = inspectHeader(task, model, recs.length, opts.epochs, opts.mc ? "choice" : "match");
  const entries: [string, string][] = [
    ["_journal/start.json", JSON.stringify({ version: 2, eval: header.eval, plan: header.plan })],
  ];
  for (let e = 1; e <= opts.epochs; e++) {
    for (const rec of recs)
      entries.push([
        `samples/${rec.record.instance_id.split("/").at(-1)}_epoch_${e}.json`,
        JSON.stringify(inspectSample(rec, e, opts.mc, opts.attach)),
      ]);
  }
  entries.push(["summaries.json", "[]"], ["header.json", JSON.stringify(header)]);
  writeZip(path, entries, opts.method);
}

// ---------------------------------------------------------------------------------------------
// Every Eval Ever

function eeeFiles(dir: string, dataset: string, model: string, recs: DemoRecord[]): string {
  mkdirSync(dir, { recursive: true });
  const evaluationId = `demo/${dataset}/${model}/1767323045`;
  const h = sha256(evaluationId);
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  const lines = recs.map(({ record: r, kind }) =>
    JSON.stringify({
      schema_version: "0.3.0",
      evaluation_id: evaluationId,
      model_id: model,
      evaluation_name: dataset,
      evaluation_result_id: `${dataset}.score`,
      sample_id: r.instance_id,
      sample_hash: sha256(r.input + r.reference),
      interaction_type: "single_turn",
      input: { raw: r.input, formatted: r.prompt ?? null, reference: [r.reference], choices: null },
      output: { raw: [r.output], reasoning_trace: null },
      messages: null,
      answer_attribution: [],
      evaluation: {
        score: typeof r.score === "number" ? r.score : kind === "correct" ? 1 : 0,
        is_correct: kind === "correct",
      },
      token_usage: null,
      performance: null,
      error: null,
      metadata: { planted: kind },
    }),
  );
  writeFileSync(join(dir, `${uuid}_samples.jsonl`), lines.join("\n") + "\n");
  const agg = {
    schema_version: "0.3.0",
    evaluation_id: evaluationId,
    retrieved_timestamp: "1767323045",
    source_metadata: {
      source_type: "evaluation_run",
      source_organization_name: "ErrorAtlas demo",
      evaluator_relationship: "third_party",
    },
    model_info: {
      name: model,
      id: model,
      additional_details: { deployment_type: "unknown", model_availability: "unknown" },
    },
    eval_library: { name: "demo", version: "unknown" },
    evaluation_results: [
      {
        evaluation_result_id: `${dataset}.score`,
        evaluation_name: dataset,
        source_data: { dataset_name: dataset, source_type: "other" },
        metric_config: {
          metric_id: "score",
          metric_kind: "score",
          lower_is_better: false,
          score_type: "continuous",
          min_score: 0,
          max_score: 1,
        },
        score_details: { score: recs.filter((r) => r.kind === "correct").length / recs.length },
      },
    ],
    detailed_evaluation_results: { format: "jsonl", file_path: `${uuid}_samples.jsonl`, total_rows: recs.length },
  };
  writeFileSync(join(dir, `${uuid}.json`), JSON.stringify(agg, null, 2) + "\n");
  return join(dir, `${uuid}_samples.jsonl`);
}

// ---------------------------------------------------------------------------------------------
// HELM without display files

function helmStateRun(dir: string, dataset: string, model: string, recs: DemoRecord[]): void {
  mkdirSync(dir, { recursive: true });
  const slug = `demo_${model.toLowerCase()}`;
  const name = `${dataset}:method=multiple_choice_joint,model=${slug}`;
  const adapter = {
    method: "multiple_choice_joint",
    model,
    model_deployment: `demo/${model}`,
    max_train_instances: 0,
    num_outputs: 1,
  };
  const states = [];
  const stats = [];
  for (const rec of recs) {
    const r = rec.record;
    const id = r.instance_id.startsWith(`${dataset}/`) ? r.instance_id.slice(dataset.length + 1) : r.instance_id;
    const { question, options } = splitOptions(r.input);
    const gold = LETTERS.indexOf(r.reference);
    const mapping = Object.fromEntries(options.map((o, k) => [LETTERS[k], o]));
    states.push({
      instance: {
        input: { text: question },
        references: options.map((text, k) => ({ output: { text }, tags: k === gold ? ["correct"] : [] })),
        split: "test",
        id,
      },
      train_trial_index: 0,
      output_mapping: mapping,
      request: {
        model,
        prompt: `${question}\n${options.map((o, k) => `${LETTERS[k]}. ${o}`).join("\n")}\nAnswer:`,
        temperature: 0,
      },
      result: { success: true, completions: [{ text: r.output, logprob: 0, tokens: [] }], cached: false },
      num_train_instances: 0,
      prompt_truncated: false,
    });
    const score = failed(rec) ? 0 : 1;
    const stat = (n: string, v: number) => ({
      name: { name: n, split: "test" },
      count: 1,
      sum: v,
      sum_squared: v,
      min: v,
      max: v,
      mean: v,
      variance: 0,
      stddev: 0,
    });
    // Two entries for the instance, as an annotator run writes them: merged by the importer.
    stats.push({ instance_id: id, train_trial_index: 0, stats: [stat("num_output_tokens", 1)] });
    stats.push({
      instance_id: id,
      train_trial_index: 0,
      stats: [stat("exact_match", score), stat("quasi_exact_match", score)],
    });
  }
  const write = (f: string, v: unknown) => writeFileSync(join(dir, f), JSON.stringify(v, null, 2) + "\n");
  write("run_spec.json", {
    name,
    scenario_spec: { class_name: `errormap.demo.${dataset}.DemoScenario`, args: {} },
    adapter_spec: adapter,
    metric_specs: [],
    groups: [dataset],
  });
  write("scenario.json", { name: dataset, description: "demo" });
  write("scenario_state.json", { adapter_spec: adapter, request_states: states });
  write("per_instance_stats.json", stats);
  write("stats.json", []);
}

// ---------------------------------------------------------------------------------------------

/** Writes every tool format under `dir` (see the file comment); `perModel` items per (dataset, model). */
export function writeToolDemoInputs(dir: string, perModel = 12): ToolDemoInputs {
  const demo = generateDemo();
  const pick = (dataset: string, model: string) =>
    (demo.get(dataset as never) ?? []).filter((r) => r.record.model === model).slice(0, perModel);
  const files: ToolDemoFile[] = [];
  const add = (f: ToolDemoFile) => files.push(f);

  const lm = (model: string) => join(dir, "lm_eval", model);
  for (const model of ["Aurora-7B", "Basalt-70B-Instruct"]) {
    const recs = pick("demo_arith", model);
    const tasks: { task: string; recs: DemoRecord[]; kind: "generate" | "mc" }[] = [
      { task: "demo_arith", recs, kind: "generate" },
    ];
    lmEvalRun(lm(model), model, tasks);
    add({
      format: "lm-eval",
      path: join(lm(model), `samples_demo_arith_${TS}.jsonl`),
      dataset: "demo_arith",
      model,
      records: recs,
      epochs: 1,
    });
  }
  const mcRecs = pick("demo_quiz", "Ember-13B-Chat");
  lmEvalRun(lm("Ember-13B-Chat"), "Ember-13B-Chat", [{ task: "demo_quiz", recs: mcRecs, kind: "mc" }]);
  add({
    format: "lm-eval",
    path: join(lm("Ember-13B-Chat"), `samples_demo_quiz_${TS}.jsonl`),
    dataset: "demo_quiz",
    model: "Ember-13B-Chat",
    records: mcRecs,
    epochs: 1,
  });

  const ins = join(dir, "inspect");
  mkdirSync(ins, { recursive: true });
  for (const [model, method] of [
    ["Cirrus-Mini", 8],
    ["Dune-XL", 93],
  ] as const) {
    const recs = pick("demo_quiz", model);
    const path = join(ins, `2026-01-02T03-04-05+00-00_demo-quiz_${model}.eval`);
    inspectEval(path, "demo_evals/demo_quiz", model, recs, { mc: true, epochs: 1, method, attach: false });
    add({ format: "inspect-eval", path, dataset: "demo_quiz", model, records: recs, epochs: 1, method });
  }
  {
    const recs = pick("demo_arith", "Cirrus-Mini");
    const path = join(ins, "2026-01-02T03-04-05+00-00_demo-arith-epochs_Cirrus-Mini.eval");
    inspectEval(path, "demo_arith", "Cirrus-Mini", recs, { mc: false, epochs: 2, method: 8, attach: true });
    add({
      format: "inspect-eval",
      path,
      dataset: "demo_arith",
      model: "Cirrus-Mini",
      records: recs,
      epochs: 2,
      method: 8,
    });
  }
  {
    const recs = pick("demo_arith", "Dune-XL");
    const path = join(ins, "2026-01-02T03-04-05+00-00_demo-arith_Dune-XL.json");
    const header = inspectHeader("demo_arith", "Dune-XL", recs.length, 1, "match");
    writeFileSync(
      path,
      JSON.stringify({ ...header, samples: recs.map((r) => inspectSample(r, 1, false, false)) }, null, 2) + "\n",
    );
    add({ format: "inspect-json", path, dataset: "demo_arith", model: "Dune-XL", records: recs, epochs: 1 });
  }

  for (const model of ["Aurora-7B", "Basalt-70B-Instruct", "Cirrus-Mini"]) {
    const recs = pick("demo_instruct", model);
    const path = eeeFiles(join(dir, "eee", "demo", model), "demo_instruct", model, recs);
    add({ format: "eee", path, dataset: "demo_instruct", model, records: recs, epochs: 1 });
  }

  for (const model of ["Aurora-7B", "Basalt-70B-Instruct"]) {
    const recs = pick("demo_quiz", model);
    const path = join(dir, "helm", `demo_quiz-method=multiple_choice_joint,model=demo_${model.toLowerCase()}`);
    helmStateRun(path, "demo_quiz", model, recs);
    add({ format: "helm-state", path, dataset: "demo_quiz", model, records: recs, epochs: 1 });
  }

  const records = files.reduce((s, f) => s + f.records.length * f.epochs, 0);
  const failures = files.reduce((s, f) => s + f.records.filter(failed).length * f.epochs, 0);
  return { dir, files, paths: ["lm_eval", "inspect", "eee", "helm"].map((d) => join(dir, d)), records, failures };
}
