// EleutherAI's lm-evaluation-harness, `--log_samples`: samples_<task>_<time>.jsonl (one line per
// document and filter) beside results_<time>.json (model name, task configs, metric directions).
//
// One record per document: dataset = the task; model = the results' model_name; input = the rendered
// prompt (arguments.gen_args_0.arg_0); for generation tasks output = the generated text (resps) and
// extracted = the filtered answer; for multiple choice output = the text of the choice with the
// highest log-likelihood (the pairs are strings: ["-10.0", "False"]) and reference = the gold
// choice's text (the indexes in metadata); for single-continuation log-likelihood tasks (no text
// generated) output is "" (the source published none). Score = the task's primary metric: the first
// of its metric_list (higher is better) with a number on the line; `correct` when it is a 0/1
// accuracy. With several filters the task's first filter is kept (see pickFilter), the others'
// answers and scores go to metadata.filters. The file is streamed (a second pass only when a task
// has several filters), so its size does not matter.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { ImportError, fromZod } from "../errors.ts";
import { readJsonl, type RawItem } from "../sources.ts";
import type { DetectedInput, FormatOptions, Note } from "./types.ts";
import { hashFiles, readJsonFile, utf8Text } from "./util.ts";

/** samples_<task>_<time>.jsonl|json: the task and the timestamp that links it to its results file. */
export const SAMPLES_NAME = /^samples_(.+)_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.(jsonl|json)$/;
export const RESULTS_NAME = /^results_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)\.json$/;

const MetricEntry = z
  .object({ metric: z.union([z.string(), z.unknown()]), higher_is_better: z.boolean().optional() })
  .passthrough();
const TaskConfig = z
  .object({
    metric_list: z.array(MetricEntry).nullish(),
    filter_list: z.array(z.object({ name: z.string() }).passthrough()).nullish(),
    output_type: z.string().nullish(),
  })
  .passthrough();
export const LmEvalResultsSchema = z
  .object({
    results: z.record(z.string(), z.record(z.string(), z.unknown())),
    configs: z.record(z.string(), TaskConfig).optional(),
    higher_is_better: z.record(z.string(), z.record(z.string(), z.boolean().nullable())).optional(),
    "n-samples": z
      .record(z.string(), z.object({ original: z.number().optional(), effective: z.number().optional() }).passthrough())
      .optional(),
    model_name: z.string().optional(),
    config: z.object({ model: z.string().nullish(), model_args: z.unknown() }).passthrough().optional(),
    lm_eval_version: z.string().optional(),
  })
  .passthrough();
export type LmEvalResults = z.infer<typeof LmEvalResultsSchema>;

/** One line of a samples file (only what is read; every writer since 0.4.0 has these). */
const SampleLine = z
  .object({
    doc_id: z.union([z.number(), z.string()]),
    target: z.unknown(),
    arguments: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
    resps: z.array(z.unknown()),
    filtered_resps: z.array(z.unknown()).optional(),
    filter: z.string().optional(),
    metrics: z.array(z.string()).optional(),
  })
  .passthrough();

/** Keys of a samples line that are not metrics (writers before ~0.4.7 have no `metrics` list). */
const NOT_METRICS = new Set([
  "doc_id",
  "doc",
  "target",
  "arguments",
  "resps",
  "filtered_resps",
  "filter",
  "metrics",
  "doc_hash",
  "prompt_hash",
  "target_hash",
  "task_name",
  "input",
  "gold",
]);
/** Metrics whose per-document value is 0/1 right or wrong: `correct` is set from them. */
const ACCURACY =
  /^(acc|acc_norm|acc_mutual_info|accuracy|exact_match|exact|em|quasi_exact_match|correct|is_correct|pass@1|strict_match)$/;

/** The results file that goes with a samples file: results_<same time>.json in the same folder. */
export function resultsFileOf(samplesPath: string): string | null {
  const m = SAMPLES_NAME.exec(basename(samplesPath));
  if (!m) return null;
  const p = join(dirname(samplesPath), `results_${m[2]}.json`);
  return existsSync(p) ? p : null;
}

/** The samples files written with a results file (same folder, same time). */
export function samplesFilesOf(resultsPath: string): string[] {
  const m = RESULTS_NAME.exec(basename(resultsPath));
  if (!m) return [];
  return readdirSync(dirname(resultsPath))
    .filter((f) => SAMPLES_NAME.exec(f)?.[2] === m[1])
    .sort()
    .map((f) => join(dirname(resultsPath), f));
}

export function readLmEvalResults(path: string): LmEvalResults {
  const parsed = LmEvalResultsSchema.safeParse(readJsonFile(path));
  if (!parsed.success) throw fromZod(path, "results file", parsed.error);
  return parsed.data;
}

/** The model of a run: model_name, else `pretrained=` of config.model_args (writers before model_name). */
function modelOf(r: LmEvalResults): string | null {
  if (r.model_name) return r.model_name;
  const args = r.config?.model_args;
  if (typeof args === "string") return /(?:^|,)\s*(?:pretrained|model|engine)=([^,]+)/.exec(args)?.[1]?.trim() ?? null;
  if (args && typeof args === "object") {
    const a = args as Record<string, unknown>;
    for (const k of ["pretrained", "model", "engine"]) if (typeof a[k] === "string" && a[k]) return a[k] as string;
  }
  return null;
}

/** The filters a task's results report, in order ("acc,none" → "none"). */
function filtersOf(r: LmEvalResults | null, task: string): string[] {
  const out: string[] = [];
  for (const k of Object.keys(r?.results[task] ?? {})) {
    const [metric, filter] = k.split(",");
    if (filter && !metric.endsWith("_stderr") && !out.includes(filter)) out.push(filter);
  }
  return out;
}

/**
 * The filter kept when a task has several: --filter when given, else the first of the task's
 * filter_list (the task author's own first choice, e.g. gsm8k's "strict-match"), else the first the
 * results report. The others' answers are kept in metadata.
 */
function pickFilter(
  r: LmEvalResults | null,
  task: string,
  wanted: string | undefined,
  filters: string[],
  path: string,
): string | null {
  if (filters.length <= 1) return filters[0] ?? null;
  if (wanted) {
    if (!filters.includes(wanted))
      throw new ImportError(
        path,
        "file",
        "filter",
        `--filter "${wanted}" is not one of this task's filters (${filters.join(", ")})`,
      );
    return wanted;
  }
  const first = r?.configs?.[task]?.filter_list?.[0]?.name;
  return first && filters.includes(first) ? first : filters[0];
}

/** The task's metrics in its own order, less those where lower is better. */
function metricOrder(r: LmEvalResults | null, task: string): string[] | null {
  const list = r?.configs?.[task]?.metric_list;
  if (!list?.length) return null;
  const hib = r?.higher_is_better?.[task] ?? {};
  return list
    .filter((m) => typeof m.metric === "string")
    .filter((m) => (hib[m.metric as string] ?? m.higher_is_better ?? true) !== false)
    .map((m) => m.metric as string);
}

const toNumber = (v: unknown): number | null => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
};

/** [loglikelihood, is_greedy] from a pair as written (strings since ~0.4.5: ["-10.0", "False"]). */
function llPair(v: unknown): { ll: number; greedy: boolean | null } | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const ll = typeof v[0] === "number" ? v[0] : typeof v[0] === "string" && v[0].trim() !== "" ? Number(v[0]) : NaN;
  if (!Number.isFinite(ll) && ll !== -Infinity) return null;
  const g = v[1];
  const greedy =
    typeof g === "boolean" ? g : g === "True" || g === "true" ? true : g === "False" || g === "false" ? false : null;
  return { ll, greedy };
}

/** The (context, continuation) of request i: gen_args_i.arg_0/arg_1, or [i][0]/[i][1] in old writers. */
function requestArgs(args: Record<string, unknown> | unknown[], i: number): [unknown, unknown] {
  if (Array.isArray(args)) {
    const a = args[i];
    return Array.isArray(a) ? [a[0], a[1]] : [a, undefined];
  }
  const g = args[`gen_args_${i}`] as Record<string, unknown> | undefined;
  return [g?.arg_0, g?.arg_1];
}
const requestCount = (args: Record<string, unknown> | unknown[]): number =>
  Array.isArray(args) ? args.length : Object.keys(args).filter((k) => /^gen_args_\d+$/.test(k)).length;

interface Kept {
  extracted?: string;
  score: number | null;
}

/** A samples file (.jsonl streamed, or the .json list of the oldest writers) as records. */
export function lmEvalInput(samplesPath: string, opts: FormatOptions): DetectedInput {
  const m = SAMPLES_NAME.exec(basename(samplesPath));
  if (!m)
    throw new ImportError(
      samplesPath,
      "path",
      null,
      "not an lm-evaluation-harness samples file (expected samples_<task>_<time>.jsonl)",
    );
  const task = m[1];
  const resultsPath = resultsFileOf(samplesPath);
  return {
    format: "lm-eval",
    path: samplesPath,
    bytes: statSync(samplesPath).size,
    hash: () => hashFiles(resultsPath ? [samplesPath, resultsPath] : [samplesPath]),
    read: (onBytes, note) => readLmEval(samplesPath, task, resultsPath, opts, onBytes, note),
  };
}

async function* lines(path: string, onBytes: (n: number) => void): AsyncGenerator<RawItem> {
  if (path.endsWith(".jsonl")) {
    yield* readJsonl(path, onBytes);
    return;
  }
  const bytes = readFileSync(path);
  onBytes(bytes.length);
  const text = utf8Text(bytes, path);
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (e) {
    throw new ImportError(path, "file", null, `malformed JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(list)) throw new ImportError(path, "file", null, "expected a JSON list of samples");
  for (const [i, v] of list.entries()) {
    if (!v || typeof v !== "object" || Array.isArray(v))
      throw new ImportError(path, `sample ${i}`, null, "expected a JSON object");
    yield { file: basename(path), path, where: `sample ${i}`, value: v as Record<string, unknown> };
  }
}

async function* readLmEval(
  path: string,
  task: string,
  resultsPath: string | null,
  opts: FormatOptions,
  onBytes: (n: number) => void,
  note: Note,
): AsyncGenerator<RawItem> {
  const results = resultsPath ? readLmEvalResults(resultsPath) : null;
  const model = opts.model ?? (results ? modelOf(results) : null);
  if (!model) {
    throw new ImportError(
      path,
      "file",
      "model",
      resultsPath
        ? `the results file ${basename(resultsPath)} names no model (no model_name, no pretrained= in config.model_args); pass --model NAME`
        : `no results file beside it (results_${SAMPLES_NAME.exec(basename(path))![2]}.json), so the model is unknown; pass --model NAME, or import the folder with its results file`,
    );
  }
  let filters = filtersOf(results, task);
  if (!results) {
    // No results file to say which filters the task has: the file itself says (one pass more).
    const seen = new Set<string>();
    for await (const item of lines(path, () => {}))
      if (typeof item.value.filter === "string") seen.add(item.value.filter);
    filters = [...seen];
  }
  const kept = pickFilter(results, task, opts.filter, filters, path);
  let order = metricOrder(results, task);
  const version = results?.lm_eval_version;

  // A task with several filters writes all documents of one filter, then of the next: the other
  // filters' answers are gathered in a first pass (a few short strings per document).
  const others = new Map<string, Record<string, Kept>>();
  const several = filters.length > 1;
  if (several) {
    for await (const item of lines(path, () => {})) {
      const v = item.value;
      if (typeof v.filter !== "string" || v.filter === kept) continue;
      const id = String(v.doc_id);
      const fr = Array.isArray(v.filtered_resps) ? v.filtered_resps[0] : undefined;
      const metric = (order ?? (v.metrics as string[] | undefined) ?? []).find((k) => toNumber(v[k]) !== null);
      (others.get(id) ?? others.set(id, {}).get(id)!)[v.filter] = {
        ...(typeof fr === "string" ? { extracted: fr.slice(0, 2000) } : {}),
        score: metric ? toNumber(v[metric]) : null,
      };
    }
  }

  let metric: string | null = null;
  let n = 0;
  for await (const item of lines(path, onBytes)) {
    const parsed = SampleLine.safeParse(item.value);
    if (!parsed.success) throw fromZod(path, item.where, parsed.error);
    const v = parsed.data;
    if (several && v.filter !== kept) continue;
    if (!order) {
      // No task config: the line's own metric list, else its metric keys in order.
      order = v.metrics ?? Object.keys(v).filter((k) => !NOT_METRICS.has(k));
    }
    if (metric === null) {
      metric = order.find((k) => toNumber(v[k]) !== null) ?? null;
      if (metric === null) {
        throw new ImportError(
          path,
          item.where,
          order[0] ?? "metrics",
          `no numeric metric on the line (metrics: ${order.join(", ") || "none"}); the score cannot be read`,
        );
      }
    }
    const score = toNumber(v[metric]);
    if (score === null)
      throw new ImportError(path, item.where, metric, `not a number: ${JSON.stringify(v[metric])?.slice(0, 60)}`);
    const args = v.arguments;
    const count = requestCount(args);
    const [ctx] = requestArgs(args, 0);
    if (typeof ctx !== "string")
      throw new ImportError(path, item.where, "arguments.gen_args_0.arg_0", "missing the rendered prompt");
    const resps = (v.filtered_resps ?? v.resps) as unknown[];
    const pairs = resps.map((r) => llPair(r) ?? (Array.isArray(r) && r.length === 1 ? llPair(r[0]) : null));
    const metadata: Record<string, unknown> = { lm_eval_task: task, metric };
    if (version) metadata.lm_eval_version = version;
    if (v.filter !== undefined) metadata.filter = v.filter;
    for (const k of ["doc_hash", "prompt_hash", "target_hash"]) if (typeof v[k] === "string") metadata[k] = v[k];
    const otherMetrics = Object.fromEntries(
      order.filter((k) => k !== metric && toNumber(v[k]) !== null).map((k) => [k, toNumber(v[k])]),
    );
    if (Object.keys(otherMetrics).length) metadata.metrics = otherMetrics;
    const other = others.get(String(v.doc_id));
    if (other) metadata.filters = other;

    let output: string;
    let extracted: string | undefined;
    let reference: unknown = v.target;
    let referenceText: string | undefined;
    if (pairs.length > 0 && pairs.every((p) => p !== null) && count === pairs.length) {
      const choices = Array.from({ length: count }, (_, i) => requestArgs(args, i)[1]);
      if (count === 1) {
        // One continuation scored by log-likelihood (asdiv, lambada): no text was generated.
        output = "";
        metadata.loglikelihood = pairs[0]!.ll;
        metadata.is_greedy = pairs[0]!.greedy;
        if (typeof choices[0] === "string") metadata.continuation = choices[0];
      } else {
        const texts = choices.map((c, i) => {
          if (typeof c !== "string")
            throw new ImportError(path, item.where, `arguments.gen_args_${i}.arg_1`, "missing the text of choice " + i);
          return c.trim();
        });
        let best = 0;
        pairs.forEach((p, i) => {
          if (p!.ll > pairs[best]!.ll) best = i;
        });
        output = texts[best];
        const t = typeof v.target === "number" ? String(v.target) : v.target;
        let gold = typeof t === "string" && /^\d+$/.test(t.trim()) && Number(t) < count ? Number(t) : -1;
        if (gold < 0 && typeof t === "string") gold = texts.indexOf(t.trim());
        if (gold >= 0) {
          reference = texts[gold];
          metadata.gold_index = gold;
        }
        metadata.chosen_index = best;
        metadata.choices = texts;
        metadata.loglikelihoods = pairs.map((p) => p!.ll);
      }
    } else {
      const raw = (v.resps as unknown[])[0];
      const text = Array.isArray(raw) ? raw[0] : raw;
      if (typeof text !== "string")
        throw new ImportError(
          path,
          item.where,
          "resps",
          "no generated text (expected [[text]] or [[loglikelihood, is_greedy], ...])",
        );
      output = text;
      const fr = v.filtered_resps?.[0];
      if (typeof fr === "string" && fr !== text) extracted = fr;
    }
    if (reference !== null && typeof reference === "object" && !Array.isArray(reference))
      reference = JSON.stringify(reference);
    n++;
    yield {
      file: basename(path),
      path,
      where: `${item.where} (doc_id ${v.doc_id})`,
      value: {
        dataset: task,
        model,
        instance_id: String(v.doc_id),
        input: ctx,
        reference: reference ?? "",
        ...(referenceText !== undefined ? { reference_text: referenceText } : {}),
        output,
        ...(extracted !== undefined ? { extracted } : {}),
        score,
        ...(ACCURACY.test(metric) && (score === 0 || score === 1) ? { correct: score === 1 } : {}),
        metadata,
      },
    };
  }
  const expected = results?.["n-samples"]?.[task]?.effective;
  if (typeof expected === "number" && n < expected)
    note(
      `${basename(path)}: ${n} of the ${expected} documents the results file counts (n-samples.effective): the samples file is truncated or was cut`,
    );
}

/** The tasks of a results file that have no samples file beside it (groups, or samples not logged). */
export function tasksWithoutSamples(resultsPath: string): string[] {
  const r = readLmEvalResults(resultsPath);
  const have = new Set(samplesFilesOf(resultsPath).map((f) => SAMPLES_NAME.exec(basename(f))![1]));
  return Object.keys(r.results).filter((t) => !have.has(t));
}
