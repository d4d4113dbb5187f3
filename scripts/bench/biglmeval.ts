// A large generated lm-evaluation-harness run for the streaming tests and the bench: one
// samples_<task>_<time>.jsonl of generation lines (~2 KB each, like chain-of-thought outputs) with
// its results_<time>.json, until the samples file reaches the requested size. Written in 1 MB
// chunks; every 3rd document is wrong (exact_match 0).
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

const WORDS =
  "the model reads the question then works out each step and checks the sum before it gives the final answer".split(
    " ",
  );
export const BIG_TS = "2026-02-03T04-05-06.000001";

/** Writes `dir`/samples_<task>_<time>.jsonl of about `bytes`, and its results file; returns the counts. */
export function writeBigLmEval(
  dir: string,
  bytes: number,
  task = "gsm8k",
  model = "acme/big-model-7b",
): { path: string; records: number; failures: number; bytes: number } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `samples_${task}_${BIG_TS}.jsonl`);
  const fd = openSync(path, "w");
  let written = 0;
  let n = 0;
  let failures = 0;
  let chunk: string[] = [];
  let size = 0;
  try {
    while (written + size < bytes) {
      const words = Array.from({ length: 300 + (n % 50) }, (_, k) => WORDS[(n * 7 + k) % WORDS.length]).join(" ");
      const wrong = n % 3 === 0;
      if (wrong) failures++;
      const answer = String(n % 1000);
      const line =
        JSON.stringify({
          doc_id: n,
          doc: { question: `What is ${n} + 0?`, answer },
          target: answer,
          arguments: { gen_args_0: { arg_0: `Question: What is ${n} + 0?\nAnswer:`, arg_1: { until: ["Question:"] } } },
          resps: [[`${words}. The answer is ${wrong ? n + 1 : answer}.`]],
          filtered_resps: [wrong ? String(n + 1) : answer],
          filter: "strict-match",
          metrics: ["exact_match"],
          doc_hash: String(n),
          prompt_hash: String(n),
          target_hash: String(n),
          exact_match: wrong ? 0.0 : 1.0,
        }) + "\n";
      chunk.push(line);
      size += Buffer.byteLength(line);
      n++;
      if (size > 1 << 20) {
        writeSync(fd, chunk.join(""));
        written += size;
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length) writeSync(fd, chunk.join(""));
    written += size;
  } finally {
    closeSync(fd);
  }
  const results = {
    results: { [task]: { alias: task, "exact_match,strict-match": 1 - failures / n } },
    configs: {
      [task]: {
        task,
        output_type: "generate_until",
        metric_list: [{ metric: "exact_match", aggregation: "mean", higher_is_better: true }],
        filter_list: [{ name: "strict-match", filter: [] }],
      },
    },
    higher_is_better: { [task]: { exact_match: true } },
    "n-samples": { [task]: { original: n, effective: n } },
    config: { model: "hf", model_args: `pretrained=${model}` },
    model_name: model,
  };
  writeFileSync(join(dir, `results_${BIG_TS}.json`), JSON.stringify(results, null, 2) + "\n");
  return { path, records: n, failures, bytes: written };
}
