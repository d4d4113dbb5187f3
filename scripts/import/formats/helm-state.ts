// HELM run folders without `display_*` files (as HELM writes them before `helm-summarize`, and as
// EEE's test data keeps them): run_spec.json, scenario_state.json (request_states: instance with
// input and tagged references, request, result.completions, output_mapping for joint multiple
// choice) and per_instance_stats.json (several entries per instance and trial in annotator runs:
// merged).
//
// The records are those the display-file reader (sources.ts readHelmRun) makes of the same run:
// dataset = the scenario (the run name before ":"), item id = <scenario>/<scenario args>/<instance
// id> (the args from run_spec's scenario_spec, else those of the run name that are not the adapter's,
// e.g. dataset=hellaswag), input = the instance text with its options ("A. ...") for multiple
// choice, reference = the correct option's letter (its text in reference_text), output = the first
// completion's text, score = the run's main stat (HELM_MAIN_STATS, else a stat named *score),
// recorded in metadata. Train trials after the first and perturbed instances are left out.
import { existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { ImportError, fromZod } from "../errors.ts";
import { HELM_MAIN_STATS, type RawItem } from "../sources.ts";
import type { DetectedInput } from "./types.ts";
import { hashFiles, readJsonFile } from "./util.ts";

export const HELM_STATE_FILES = ["run_spec.json", "scenario_state.json", "per_instance_stats.json"];
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** Run-name arguments that say how the model was run, not which items: left out of item ids. */
const ADAPTER_ARGS = new Set([
  "method",
  "model",
  "model_deployment",
  "data_augmentation",
  "max_train_instances",
  "num_train_trials",
  "eval_split",
  "groups",
  "num_outputs",
  "temperature",
  "stop",
  "instructions",
  "global_prefix",
  "chain_of_thought_prefix",
  "prompt",
  "follow_format_instructions",
]);

const Reference = z
  .object({ output: z.object({ text: z.string() }).passthrough(), tags: z.array(z.string()).default([]) })
  .passthrough();
const RequestState = z
  .object({
    instance: z
      .object({
        id: z.string().min(1),
        input: z.object({ text: z.string() }).passthrough(),
        references: z.array(Reference).default([]),
        split: z.string().nullish(),
        perturbation: z.unknown().optional(),
      })
      .passthrough(),
    train_trial_index: z.number().int().default(0),
    output_mapping: z.record(z.string(), z.string()).nullish(),
    reference_index: z.number().nullish(),
    request: z.object({ prompt: z.string().optional() }).passthrough(),
    result: z
      .object({
        success: z.boolean().optional(),
        completions: z.array(z.object({ text: z.string() }).passthrough()).default([]),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();
const ScenarioState = z.object({ request_states: z.array(z.unknown()) }).passthrough();
const Stat = z
  .object({
    name: z
      .object({ name: z.string(), split: z.string().nullish(), perturbation: z.unknown().optional() })
      .passthrough(),
    mean: z.number().nullish(),
  })
  .passthrough();
const PerInstance = z.array(
  z
    .object({
      instance_id: z.string(),
      train_trial_index: z.number().int().default(0),
      perturbation: z.unknown().optional(),
      stats: z.array(Stat),
    })
    .passthrough(),
);
const RunSpec = z
  .object({
    name: z.string().optional(),
    adapter_spec: z.object({ model: z.string().min(1), method: z.string().optional() }).passthrough(),
    scenario_spec: z
      .object({ args: z.record(z.string(), z.unknown()).nullish() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export function isHelmStateRun(dir: string): boolean {
  return HELM_STATE_FILES.every((f) => existsSync(join(dir, f)));
}

export function helmStateInput(dir: string): DetectedInput {
  for (const f of HELM_STATE_FILES) {
    if (!existsSync(join(dir, f)))
      throw new ImportError(
        dir,
        "run directory",
        f,
        `missing file (a HELM run directory without display files needs ${HELM_STATE_FILES.join(", ")})`,
      );
  }
  const files = HELM_STATE_FILES.map((f) => join(dir, f));
  return {
    format: "helm-state",
    path: dir,
    bytes: files.reduce((s, f) => s + statSync(f).size, 0),
    hash: () => hashFiles(files),
    read: (onBytes) => readHelmState(dir, onBytes),
  };
}

function* readHelmState(dir: string, onBytes: (n: number) => void): Generator<RawItem> {
  const specPath = join(dir, "run_spec.json");
  const statePath = join(dir, "scenario_state.json");
  const statsPath = join(dir, "per_instance_stats.json");
  const specParsed = RunSpec.safeParse(readJsonFile(specPath));
  if (!specParsed.success) throw fromZod(specPath, "run spec", specParsed.error);
  const spec = specParsed.data;
  const stateParsed = ScenarioState.safeParse(readJsonFile(statePath));
  if (!stateParsed.success) throw fromZod(statePath, "scenario state", stateParsed.error);
  const statsParsed = PerInstance.safeParse(readJsonFile(statsPath));
  if (!statsParsed.success) throw fromZod(statsPath, "per-instance stats", statsParsed.error);
  onBytes(statSync(specPath).size + statSync(statePath).size + statSync(statsPath).size);

  const runName = spec.name ?? basename(dir);
  const scenario = runName.split(":")[0];
  const method = spec.adapter_spec.method ?? "";
  const model = spec.adapter_spec.model;
  let args = Object.entries(spec.scenario_spec?.args ?? {}).filter(
    ([, v]) => v !== null && v !== undefined && typeof v !== "object",
  );
  if (args.length === 0 && runName.includes(":")) {
    args = runName
      .slice(runName.indexOf(":") + 1)
      .split(",")
      .map((kv) => kv.split("=") as [string, string])
      .filter(([k, v]) => v !== undefined && !ADAPTER_ARGS.has(k));
  }
  const itemScope = args.length
    ? `${args
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(",")}/`
    : "";

  // Stats per instance (first trial, unperturbed), entries of the same instance merged.
  const statsById = new Map<string, z.infer<typeof Stat>[]>();
  for (const s of statsParsed.data) {
    if (s.train_trial_index !== 0 || s.perturbation) continue;
    const had = statsById.get(s.instance_id);
    statsById.set(s.instance_id, had ? [...had, ...s.stats] : s.stats);
  }
  const reported = new Set(
    [...statsById.values()].flatMap((st) =>
      st.filter((x) => !x.name.perturbation && typeof x.mean === "number").map((x) => x.name.name),
    ),
  );
  const mainStat =
    HELM_MAIN_STATS.find((m) => reported.has(m)) ??
    [...reported].sort().find((m) => m === "score" || m.endsWith("_score"));
  if (!mainStat)
    throw new ImportError(
      statsPath,
      "file",
      "stats",
      `no main stat (one of ${HELM_MAIN_STATS.join(", ")}, or a stat named *score) in any instance`,
    );

  const multipleChoice = method.startsWith("multiple_choice");
  const seen = new Set<string>();
  for (const [i, v] of stateParsed.data.request_states.entries()) {
    const parsed = RequestState.safeParse(v);
    if (!parsed.success) throw fromZod(statePath, `request_states.${i}`, parsed.error);
    const st = parsed.data;
    const inst = st.instance;
    if (st.train_trial_index !== 0 || inst.perturbation) continue;
    // Separate-request multiple choice writes one request state per option: the instance once.
    if (seen.has(inst.id)) continue;
    seen.add(inst.id);
    const where = `request_states.${i} (instance ${inst.id})`;
    const stats = statsById.get(inst.id);
    if (!stats) throw new ImportError(statsPath, `instance ${inst.id}`, "instance_id", "no stats for this instance");
    // Merged entries may repeat a stat (an annotator run): the last one reported counts.
    const main = stats
      .filter((s) => s.name.name === mainStat && !s.name.perturbation && typeof s.mean === "number")
      .at(-1);
    if (!main) throw new ImportError(statsPath, `instance ${inst.id}`, mainStat, "missing stat (the score)");
    const refs = inst.references;
    const correctIdx = refs.findIndex((r) => r.tags.includes("correct"));
    if (correctIdx < 0) throw new ImportError(statePath, where, "instance.references", "no reference tagged correct");
    // Joint multiple choice: the letters as the prompt showed them (output_mapping), else in reference order.
    const mapping = st.output_mapping ?? null;
    const options: [string, string][] = mapping
      ? Object.entries(mapping)
      : refs.map((r, k) => [LETTERS[k], r.output.text]);
    const correctText = refs[correctIdx].output.text;
    const letter = options.find(([, t]) => t === correctText)?.[0] ?? LETTERS[correctIdx];
    const input = multipleChoice
      ? `${inst.input.text}\n${options.map(([l, t]) => `${l}. ${t}`).join("\n")}`
      : inst.input.text;
    const output = st.result?.completions[0]?.text ?? "";
    const mapped = mapping ? mapping[output.trim()] : undefined;
    yield {
      file: basename(dir),
      path: statePath,
      where,
      value: {
        dataset: scenario,
        model,
        instance_id: `${scenario}/${itemScope}${inst.id}`,
        input,
        reference: multipleChoice ? letter : correctText,
        reference_text: correctText,
        output,
        score: main.mean,
        ...(st.request.prompt !== undefined ? { prompt: st.request.prompt } : {}),
        metadata: {
          helm_run: runName,
          method,
          main_stat: mainStat,
          split: inst.split ?? null,
          ...(mapped !== undefined ? { mapped_output: mapped } : {}),
          references: refs.map((r) => ({ text: r.output.text, tags: r.tags })),
        },
        source: { path: `${runName}/scenario_state.json` },
      },
    };
  }
}
