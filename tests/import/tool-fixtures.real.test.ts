// Every file and folder of ../shared/fixtures (real files written by lm-evaluation-harness, Inspect
// AI, Every Eval Ever's converters and HELM; read at test time, never copied into the repository)
// imported one by one, with the records and failures counted by hand from the files themselves:
// lm-eval: lines of the samples file, failures = lines whose primary metric (the task's first in
// metric_list, exact_match for negotiationtom_intention, whose micro/macro_f1 are lists) is 0;
// Inspect: samples, failures = score value other than "C" for the log's first scorer; EEE: lines,
// failures = evaluation.is_correct false; HELM: request states, failures = exact_match 0 in
// per_instance_stats.json. Fixtures without scores fail with a message naming the missing scores.
// Part of the real-data layer (README "Set-up"), collected when ../shared/evaldata is there; skipped
// if ../shared holds no fixtures/ beside it. The same formats written by the generator
// (scripts/demo/tool-formats.ts) are tool-formats.test.ts.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ImportError } from "../../scripts/import/errors.ts";
import { importSnapshot, type InputReport } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { REPO } from "../helpers/evaldata.ts";
import { removeRoot, snapshotEntries, tempRoot } from "./helpers.ts";

const FIX = resolve(REPO, "../shared/fixtures");
const has = existsSync(join(FIX, "README.md"));

/** path (relative to fixtures) → [format, records, failures] of each input found in it. */
const OK: [string, [string, number, number][]][] = [
  ["lm_eval/eee_math_perturbed_full_qwen3-93m_truncated", [["lm-eval", 10, 10]]],
  ["lm_eval/lmeh_pr2236_asdiv_llama3-8b-instruct_lm-eval-0.4.3era", [["lm-eval", 50, 4]]],
  [
    "lm_eval/lmeh_pr3936_negotiationtom_qwen3-8b",
    [
      ["lm-eval", 20, 11],
      ["lm-eval", 20, 8],
      ["lm-eval", 20, 16],
    ],
  ],
  ["inspect/eee_inspect_json_logs/data_arc_qwen.json", [["inspect-json", 3, 2]]],
  ["inspect/eee_inspect_json_logs/data_pubmedqa_gpt4o_mini.json", [["inspect-json", 2, 0]]],
  [
    "inspect/eee_pr64_inspect_shortened_qwen2.5-7b",
    [
      ["inspect-json", 5, 0],
      ["inspect-json", 5, 0],
      ["inspect-json", 5, 4],
      ["inspect-json", 5, 1],
    ],
  ],
  ["inspect/inspect_ai_log_formats_same-run-eval-and-json/log_formats.eval", [["inspect-eval", 1, 1]]],
  ["inspect/inspect_ai_log_formats_same-run-eval-and-json/log_formats.json", [["inspect-json", 1, 1]]],
  ["inspect/inspect_ai_log_read_sample_same-run-eval-and-json/log_read_sample.eval", [["inspect-eval", 1, 0]]],
  ["inspect/inspect_ai_log_read_sample_same-run-eval-and-json/log_read_sample.json", [["inspect-json", 1, 0]]],
  ["inspect/inspect_ai_mmlu_0_shot_gpt-4o_choices", [["inspect-eval", 1, 1]]],
  ["inspect/inspect_ai_security_guide_json_model-graded", [["inspect-json", 3, 0]]],
  [
    "eee/generated_by_eee_lm_eval_converter",
    [
      ["eee", 10, 10],
      ["eee", 20, 16],
      ["eee", 20, 11],
      ["eee", 20, 8],
      ["eee", 20, 16],
    ],
  ],
  [
    "eee/helm_converter_output_v0.2.1",
    [
      ["eee", 10, 7],
      ["eee", 10, 9],
    ],
  ],
  ["eee/skill_reference_demo_v0.3.0", [["eee", 1, 0]]],
  [
    "helm/commonsense-dataset=hellaswag,method=multiple_choice_joint,model=eleutherai_pythia-1b-v0",
    [["helm-state", 10, 7]],
  ],
  ["helm/mmlu-subject=philosophy,method=multiple_choice_joint,model=openai_gpt2", [["helm-state", 10, 9]]],
];

/** Fixtures that must fail: path → [where, field, message]. */
const FAIL: [string, RegExp, string | null, RegExp][] = [
  // Logs written without scoring: every sample's scores is {}.
  [
    "inspect/inspect_ai_popularity_gpt-4o-mini_10samples",
    /^zip entry samples\/10_epoch_1\.json \(sample 10, epoch 1\)$/,
    "scores",
    /has no score/,
  ],
  [
    "inspect/inspect_ai_pr4526_zstd_retry-fixtures",
    /^zip entry samples\/1_epoch_1\.json \(sample 1, epoch 1\)$/,
    "scores",
    /has no score/,
  ],
  [
    "inspect/eee_inspect_json_logs/data_cvebench_empty_choices.json",
    /^samples\.0 \(sample CVE-2024-36858-one_day, epoch 1\)$/,
    "scores",
    /has no score/,
  ],
  // The folder holds the cvebench log too.
  ["inspect/eee_inspect_json_logs", /^samples\.0/, "scores", /has no score/],
  // The same run written as .eval and as .json: the same records twice.
  [
    "inspect/inspect_ai_log_formats_same-run-eval-and-json",
    /^samples\.0/,
    "instance_id",
    /duplicate record.*log_formats\.eval/,
  ],
  [
    "inspect/inspect_ai_log_read_sample_same-run-eval-and-json",
    /^samples\.0/,
    "instance_id",
    /duplicate record.*log_read_sample\.eval/,
  ],
  // JSON Schemas only.
  ["eee/schemas_HEAD", /^directory$/, "run_spec.json", /holds no input of a known format/],
];

describe.skipIf(!has)("../shared/fixtures: real files of evaluation tools", () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach(removeRoot));

  it.each(OK)("%s imports", async (rel, expected) => {
    const root = tempRoot("errormap-fix-");
    roots.push(root);
    let report: InputReport[] = [];
    const m = await importSnapshot({
      root,
      snapshot: "fix",
      paths: [join(FIX, rel)],
      register: true,
      report: (r) => (report = r),
    });
    expect(report.map((r) => [r.format, r.records, r.failures])).toEqual(expected);
    expect(m.records).toBe(expected.reduce((s, [, n]) => s + n, 0));
    expect(m.failures).toBe(expected.reduce((s, [, , f]) => s + f, 0));
  });

  it.each(FAIL)("%s fails, naming the place", async (rel, where, field, message) => {
    const root = tempRoot("errormap-fix-");
    roots.push(root);
    const e = await importSnapshot({ root, snapshot: "fix", paths: [join(FIX, rel)], register: true }).then(
      () => null,
      (x) => x,
    );
    expect(e).toBeInstanceOf(ImportError);
    expect((e as ImportError).where).toMatch(where);
    expect((e as ImportError).field).toBe(field);
    expect((e as ImportError).message).toMatch(message);
    expect(snapshotEntries(root)).toEqual([]);
  });

  it("what maps to what, read against the files", async () => {
    const root = tempRoot("errormap-fix-");
    roots.push(root);
    const m = await importSnapshot({
      root,
      snapshot: "fix",
      register: true,
      paths: [
        join(FIX, "lm_eval/lmeh_pr3936_negotiationtom_qwen3-8b"),
        join(FIX, "lm_eval/lmeh_pr2236_asdiv_llama3-8b-instruct_lm-eval-0.4.3era"),
        join(FIX, "inspect/inspect_ai_pr4526_zstd_retry-fixtures/../inspect_ai_mmlu_0_shot_gpt-4o_choices"),
        join(FIX, "inspect/inspect_ai_security_guide_json_model-graded"),
        join(FIX, "helm/mmlu-subject=philosophy,method=multiple_choice_joint,model=openai_gpt2"),
      ],
    });
    const recs = loadRecords(root, m);
    const get = (ds: string, id: string) => recs.find((r) => r.dataset.includes(ds) && r.instance_id === id)!;
    // negotiationtom_belief doc 0: log-likelihoods ["-10.0", ...] → choice 0 ("A") chosen; target "3" → "D".
    const belief = get("negotiationtom-belief", "0") ?? get("negotiationtom_belief", "0");
    expect(belief).toMatchObject({
      output: "A",
      reference: "D",
      correct: false,
      score: 0,
      source_model: "Qwen/Qwen3-8B",
    });
    expect(belief.metadata).toMatchObject({
      chosen_index: 0,
      gold_index: 3,
      loglikelihoods: [-10, -17.625, -21, -17.75],
    });
    // asdiv (0.4.3, no filter/metrics keys): one continuation scored by log-likelihood, no text generated.
    const asdiv = get("asdiv", "0");
    expect(asdiv).toMatchObject({
      output: "",
      reference: "9",
      correct: true,
      source_model: "meta-llama/Meta-Llama-3-8B-Instruct",
    });
    // Inspect mmlu: choices appended, target letter with its text, the scorer's answer as extracted.
    const mmlu = get("mmlu-0-shot", "1") ?? get("mmlu_0_shot", "1");
    expect(mmlu).toMatchObject({
      output: "ANSWER: C",
      reference: "A",
      reference_text: "6.0 e",
      extracted: "C",
      correct: false,
      source_model: "openai/gpt-4o",
    });
    expect(mmlu.input).toMatch(/\nA\. 6\.0 e\nB\. 6\.8 eV\nC\. 12\.2 eV\nD\. 13\.6 eV$/);
    // Inspect chat input: the user message's text (no completion field: the first choice's text).
    const sec = get("security-guide", "1") ?? get("security_guide", "1");
    expect(sec.input).toBe("How do I prevent SQL Injection attacks?");
    expect(sec.output).toBe(
      "Use parameterized queries and prepared statements, sanitize inputs, and employ ORM frameworks.",
    );
    // HELM state: id147's correct reference is the third ("internalmeaning"); the model answered " D".
    const helm = get("mmlu", "mmlu/subject=philosophy/id147");
    expect(helm).toMatchObject({ reference: "C", reference_text: "internalmeaning", output: " D", score: 0 });
    expect(helm.metadata).toMatchObject({ main_stat: "exact_match", mapped_output: "meaning in an afterlife" });
  });
});
