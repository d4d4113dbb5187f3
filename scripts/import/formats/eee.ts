// Every Eval Ever (EEE) instance-level files: `<uuid>_samples.jsonl`, one JSON object per sample and
// aggregate result (schema 0.3.x; 0.2.x files differ a little: no evaluation_result_id, an
// evaluation_id of "None_samples"), beside the aggregate `<uuid>.json` where there is one.
//
// One record per line: dataset = evaluation_name; model = model_id; instance_id = sample_id;
// input = input.raw (input.formatted, the prompt as the model saw it, in `prompt`); reference =
// input.reference (one answer as text, several as a list); for multiple choice (input.choices) a
// reference given as a choice's index is resolved to its text; output = output.raw[0] (single
// turn) or the last assistant message (multi-turn, agentic); extracted = the terminal
// answer_attribution's extracted_value; score and correct = evaluation.score and is_correct. Every
// line is validated against the instance-level schema (required fields and types); the file is streamed.
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { fromZod } from "../errors.ts";
import { readJsonl, type RawItem } from "../sources.ts";
import type { DetectedInput } from "./types.ts";
import { hashFiles, readJsonFile } from "./util.ts";

const Str = z.string();
/** The instance-level record (EEE instance_level_eval.schema.json 0.3.0; 0.2.x is a subset of it). */
export const EeeInstanceSchema = z
  .object({
    schema_version: Str.regex(/^0\.[23]\.\d+$/, "schema_version must be 0.2.x or 0.3.x"),
    evaluation_id: Str,
    model_id: Str.min(1),
    evaluation_name: Str.min(1),
    evaluation_result_id: Str.nullish(),
    sample_id: z.union([Str.min(1), z.number()]).transform(String),
    sample_hash: Str.nullish(),
    interaction_type: z.enum(["single_turn", "multi_turn", "agentic"]),
    input: z
      .object({
        raw: Str,
        formatted: Str.nullish(),
        reference: z.array(Str),
        choices: z.array(Str).nullish(),
      })
      .passthrough(),
    output: z
      .object({ raw: z.array(Str), reasoning_trace: z.array(Str).nullish() })
      .passthrough()
      .nullish(),
    messages: z
      .array(z.object({ turn_idx: z.number().int().min(0), role: Str, content: Str.nullish() }).passthrough())
      .nullish(),
    answer_attribution: z.array(
      z
        .object({
          turn_idx: z.number().int().min(0),
          source: Str,
          extracted_value: Str,
          extraction_method: Str,
          is_terminal: z.boolean(),
        })
        .passthrough(),
    ),
    evaluation: z.object({ score: z.number().finite(), is_correct: z.boolean() }).passthrough(),
    token_usage: z
      .object({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() })
      .passthrough()
      .nullish(),
    performance: z.record(z.string(), z.unknown()).nullish(),
    error: Str.nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  })
  .passthrough()
  .superRefine((r, ctx) => {
    if (r.interaction_type === "single_turn" && !r.output)
      ctx.addIssue({ code: "custom", path: ["output"], message: "a single_turn record needs output" });
    if (r.interaction_type !== "single_turn" && !r.messages)
      ctx.addIssue({ code: "custom", path: ["messages"], message: `a ${r.interaction_type} record needs messages` });
  });
export type EeeInstance = z.infer<typeof EeeInstanceSchema>;

/** What is read of the aggregate file: the metric's direction and the evaluation library. */
const AggregateSchema = z
  .object({
    schema_version: Str,
    evaluation_id: Str,
    eval_library: z.object({ name: Str, version: Str.nullish() }).passthrough().nullish(),
    evaluation_results: z
      .array(
        z
          .object({
            evaluation_result_id: Str.nullish(),
            evaluation_name: Str,
            metric_config: z
              .object({ lower_is_better: z.boolean().nullish(), metric_id: Str.nullish(), metric_name: Str.nullish() })
              .passthrough()
              .nullish(),
          })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();
type Aggregate = z.infer<typeof AggregateSchema>;

/** The aggregate file of a samples file: `<uuid>.json` beside `<uuid>_samples.jsonl`. */
export function aggregateOf(samplesPath: string): string | null {
  const p = join(dirname(samplesPath), basename(samplesPath).replace(/_samples\.jsonl$/, ".json"));
  return p !== samplesPath && existsSync(p) ? p : null;
}

/** Whether a JSON value is an EEE aggregate (schema_version and evaluation_results). */
export function isEeeAggregate(v: unknown): boolean {
  return !!v && typeof v === "object" && "schema_version" in v && "evaluation_results" in v;
}

export function eeeInput(path: string): DetectedInput {
  const agg = aggregateOf(path);
  return {
    format: "eee",
    path,
    bytes: statSync(path).size,
    hash: () => hashFiles(agg ? [path, agg] : [path]),
    read: (onBytes) => readEee(path, agg, onBytes),
  };
}

async function* readEee(path: string, aggPath: string | null, onBytes: (n: number) => void): AsyncGenerator<RawItem> {
  let agg: Aggregate | null = null;
  if (aggPath) {
    const parsed = AggregateSchema.safeParse(readJsonFile(aggPath));
    if (!parsed.success) throw fromZod(aggPath, "aggregate file", parsed.error);
    agg = parsed.data;
  }
  for await (const item of readJsonl(path, onBytes)) {
    const parsed = EeeInstanceSchema.safeParse(item.value);
    if (!parsed.success) throw fromZod(path, item.where, parsed.error);
    const r = parsed.data;
    const result = agg?.evaluation_results.find((e) =>
      r.evaluation_result_id
        ? e.evaluation_result_id === r.evaluation_result_id
        : e.evaluation_name === r.evaluation_name,
    );
    const lowerIsBetter = result?.metric_config?.lower_is_better === true;
    const choices = r.input.choices ?? null;
    let reference: string | string[] = r.input.reference.length === 1 ? r.input.reference[0] : r.input.reference;
    const metadata: Record<string, unknown> = { eee_schema_version: r.schema_version, evaluation_id: r.evaluation_id };
    if (r.evaluation_result_id) metadata.evaluation_result_id = r.evaluation_result_id;
    if (r.sample_hash) metadata.sample_hash = r.sample_hash;
    if (r.interaction_type !== "single_turn") metadata.interaction_type = r.interaction_type;
    if (agg?.eval_library) metadata.eval_library = agg.eval_library.name;
    if (r.metadata) metadata.eee_metadata = r.metadata;
    if (r.error) metadata.error = r.error;
    let referenceText: string | undefined;
    if (choices?.length && typeof reference === "string") {
      const t = reference.trim();
      if (!choices.includes(reference) && /^\d+$/.test(t) && Number(t) < choices.length) {
        // A gold index as text (lm-eval's multiple choice, converted): the choice's text is the reference.
        referenceText = choices[Number(t)];
        metadata.gold_index = Number(t);
        reference = referenceText;
      } else if (
        /^[A-Z]$/.test(t) &&
        !choices.includes(reference) &&
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ".indexOf(t) < choices.length
      ) {
        referenceText = choices["ABCDEFGHIJKLMNOPQRSTUVWXYZ".indexOf(t)];
      }
      metadata.choices = choices;
    }
    const terminal = r.answer_attribution.filter((a) => a.is_terminal).at(-1) ?? r.answer_attribution.at(-1);
    if (
      choices?.length &&
      typeof reference === "string" &&
      referenceText === undefined &&
      choices.includes(reference) &&
      /^\s*[A-Z]\s*$/.test(terminal?.extracted_value ?? r.output?.raw[0] ?? "")
    ) {
      // HELM's joint multiple choice: the model answers a letter, the reference is the option's text.
      referenceText = reference;
      reference = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[choices.indexOf(reference)];
    }
    let output: string;
    if (r.output) {
      output = r.output.raw[0] ?? "";
      if (r.output.raw.length > 1) metadata.other_outputs = r.output.raw.slice(1);
    } else {
      const last = [...(r.messages ?? [])].reverse().find((m) => m.role === "assistant");
      output = last?.content ?? "";
    }
    yield {
      file: item.file,
      path,
      where: `${item.where} (sample_id ${r.sample_id})`,
      value: {
        dataset: r.evaluation_name,
        model: r.model_id,
        instance_id: r.sample_id,
        input: r.input.raw,
        ...(r.input.formatted ? { prompt: r.input.formatted } : {}),
        reference,
        ...(referenceText !== undefined ? { reference_text: referenceText } : {}),
        output,
        ...(terminal ? { extracted: terminal.extracted_value } : {}),
        // A score where lower is better cannot stand beside higher-is-better thresholds: is_correct decides.
        ...(lowerIsBetter
          ? { correct: r.evaluation.is_correct }
          : { score: r.evaluation.score, correct: r.evaluation.is_correct }),
        metadata: lowerIsBetter ? { ...metadata, score_lower_is_better: r.evaluation.score } : metadata,
      },
    };
  }
}
