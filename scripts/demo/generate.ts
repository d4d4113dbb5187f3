// Generates the demo records: every fictional model answers every item of every demo dataset.
// Outcomes are drawn from a seeded PRNG keyed by (dataset, item, model), from each model's accuracy
// and failure style; a few placements are fixed so that every heuristic rule has at least one
// failure to explain, whatever the draws.
import type { RawRecord } from "../../src/lib/schemas.ts";
import { arith } from "./arith.ts";
import { instruct } from "./instruct.ts";
import { ACCURACY, FAILURE_STYLE, type DemoDataset, type DemoModel, type Kind } from "./kinds.ts";
import { rng } from "./prng.ts";
import { quiz } from "./quiz.ts";
import { DEMO_MODELS } from "./registry.ts";
import type { DemoAnswer, DemoItem, DemoTask } from "./types.ts";

export const TASKS: DemoTask[] = [quiz, arith, instruct] as DemoTask[];

/** Fixed placements: dataset → item number (1-based) → model → kind. */
const FIXED: Record<DemoDataset, Record<number, Partial<Record<DemoModel, Kind>>>> = {
  demo_quiz: {
    5: { "cirrus-mini": "empty" },
    8: { "basalt-70b-instruct": "refusal" },
    11: { "cirrus-mini": "wrong", "aurora-7b": "correct" },
    12: { "dune-xl": "abandoned" },
    14: { "aurora-7b": "repetition" },
    20: { "ember-13b-chat": "language" },
    9: { "cirrus-mini": "echo" },
    17: { "ember-13b-chat": "several" },
    22: { "cirrus-mini": "no_answer" },
    25: { "aurora-7b": "truncated" },
    29: { "dune-xl": "several" },
    31: { "basalt-70b-instruct": "unanswerable" },
  },
  demo_arith: {
    3: { "aurora-7b": "arith_slip" },
    5: { "basalt-70b-instruct": "format" },
    6: { "dune-xl": "equivalent" },
    10: { "aurora-7b": "near_miss" },
    12: { "basalt-70b-instruct": "unpublished" },
    14: { "ember-13b-chat": "abandoned" },
    16: { "cirrus-mini": "truncated" },
    18: { "dune-xl": "near_miss" },
    21: { "aurora-7b": "repetition" },
    22: { "dune-xl": "equivalent", "basalt-70b-instruct": "format" },
    24: { "cirrus-mini": "no_answer" },
    27: { "ember-13b-chat": "arith_slip" },
    28: { "aurora-7b": "echo" },
    30: { "aurora-7b": "empty" },
    33: { "basalt-70b-instruct": "refusal" },
    37: { "cirrus-mini": "unanswerable" },
  },
  demo_instruct: {
    3: { "cirrus-mini": "too_short" },
    7: { "basalt-70b-instruct": "refusal" },
    11: { "cirrus-mini": "too_short" },
    13: { "ember-13b-chat": "language" },
    16: { "aurora-7b": "repetition" },
    19: { "aurora-7b": "truncated" },
    26: { "cirrus-mini": "empty" },
    32: { "cirrus-mini": "wrong", "basalt-70b-instruct": "correct", "dune-xl": "correct" },
  },
};

/** The outcome of one model on one item. */
function outcome(
  task: DemoTask,
  itemNo: number,
  suspect: boolean,
  model: DemoModel,
  supports: (k: Kind) => boolean,
): Kind {
  if (suspect) return "suspect";
  const fixed = FIXED[task.dataset][itemNo]?.[model];
  if (fixed) return fixed;
  const r = rng(`${task.dataset}|outcome|${itemNo}|${model}`);
  if (r.chance(ACCURACY[model][task.dataset])) return "correct";
  const kind = r.weighted(FAILURE_STYLE[model]);
  return supports(kind) ? kind : "wrong";
}

export interface DemoRecord {
  record: RawRecord;
  /** The outcome the generator meant (kept out of the record, which judges see). */
  kind: Kind;
}

/** A generated item and one model's answer to it, as a raw record. */
export function itemRecord(
  item: DemoItem,
  a: DemoAnswer,
  where: { dataset: string; model: string; instanceId: string; source: { repo: string; path: string } },
): RawRecord {
  return {
    dataset: where.dataset,
    model: where.model,
    instance_id: where.instanceId,
    input: item.input,
    reference: item.reference,
    output: a.output,
    score: a.score,
    correct: a.correct,
    extracted: a.extracted,
    prompt: item.prompt,
    reference_text: item.reference_text,
    metadata: item.metadata,
    source: where.source,
  };
}

/** Every demo record, as raw records (source names), in a stable order: dataset, item, model. */
export function generateDemo(): Map<DemoDataset, DemoRecord[]> {
  const out = new Map<DemoDataset, DemoRecord[]>();
  for (const task of TASKS) {
    const records: DemoRecord[] = [];
    task.items().forEach((item, i) => {
      for (const m of DEMO_MODELS) {
        const model = m.id as DemoModel;
        const kind = outcome(task, i + 1, item.suspect, model, (k) => task.supports(k, item));
        const a = task.answer(item, kind, rng(`${task.dataset}|answer|${i + 1}|${model}`));
        const record = itemRecord(item, a, {
          dataset: task.dataset,
          model: m.name,
          instanceId: item.id,
          source: { repo: "ErrorAtlas demo data (fictional)", path: "scripts/demo.ts" },
        });
        records.push({ record, kind });
      }
    });
    out.set(task.dataset, records);
  }
  return out;
}
