// `errormap export --release R --format eee`: the release's records, with the judge's analysis of
// each failure, as Every Eval Ever files (schema 0.3.0), one pair per (dataset, model):
// <out>/<dataset>/<model>/<uuid>.json (aggregate: accuracy over the records) and
// <uuid>_samples.jsonl (one instance record per item, sorted by id). The analysis goes into each
// instance's `metadata` (EEE wants string values): errormap_failed, errormap_category (id),
// errormap_category_name, errormap_category_path, errormap_title, errormap_summary,
// errormap_evidence (a JSON list), errormap_judge, errormap_judge_model, errormap_rule,
// errormap_confidence, errormap_status, errormap_disputed. Deterministic: the uuid comes from a
// hash of (release, dataset, model); the timestamps are the release's snapshot-independent "0".
// Written into a temporary folder and renamed into place, like every other output.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isFailure } from "../../src/lib/failure.ts";
import { replaceDir, sha256, stableJsonLine } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import type { Analysis, EvalRecord } from "../../src/lib/schemas.ts";
import { EeeInstanceSchema } from "../import/formats/eee.ts";
import { loadManifest, recordsOf } from "../lib/snapshot-read.ts";
import { loadRelease, loadReleaseAnalyses, readTaxonomy } from "../pipeline/releases.ts";

export interface EeeExportResult {
  out: string;
  files: number;
  records: number;
  failures: number;
  analysed: number;
}

/** A uuid-shaped id from a hash (deterministic: the same release always gives the same names). */
function uuidOf(text: string): string {
  const h = sha256(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");

export async function exportEee(root: string, releaseId: string, out: string): Promise<EeeExportResult> {
  const release = loadRelease(root, releaseId);
  if (!release) throw new Error(`no release "${releaseId}" in ${layout(root).releases}`);
  const taxonomy = readTaxonomy(root, releaseId);
  const cats = new Map(taxonomy.categories.map((c) => [c.id, c]));
  const pathOf = (id: string): string => {
    const names: string[] = [];
    for (let c = cats.get(id); c; c = c.parent ? cats.get(c.parent) : undefined) names.unshift(c.name);
    return names.join(" > ");
  };
  const analyses = new Map<string, Analysis>(loadReleaseAnalyses(root, releaseId).map((a) => [a.key, a]));
  const manifest = loadManifest(root, release.snapshot);
  const snapDir = layout(root).snapshot(manifest.id);
  const tmp = `${out.replace(/\/+$/, "")}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const result: EeeExportResult = { out, files: 0, records: 0, failures: 0, analysed: 0 };
  try {
    for (const dataset of Object.keys(manifest.datasets).sort()) {
      const ds = manifest.datasets[dataset];
      // Records come sorted by model, then id: one group per model.
      let group: EvalRecord[] = [];
      const flush = () => {
        if (!group.length) return;
        writeGroup(tmp, releaseId, dataset, group, ds.threshold, analyses, cats, pathOf, result);
        group = [];
      };
      for await (const rec of recordsOf(snapDir, ds.file)) {
        if (group.length && group[0].model !== rec.model) flush();
        group.push(rec);
      }
      flush();
    }
    replaceDir(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return result;
}

function writeGroup(
  tmp: string,
  releaseId: string,
  dataset: string,
  recs: EvalRecord[],
  threshold: number | null,
  analyses: Map<string, Analysis>,
  cats: Map<string, { name: string }>,
  pathOf: (id: string) => string,
  result: EeeExportResult,
): void {
  const model = recs[0].model;
  const modelId = recs[0].source_model;
  const evaluationId = `errormap/${releaseId}/${dataset}/${model}`;
  const uuid = uuidOf(evaluationId);
  const resultId = `errormap.${dataset}`;
  const dir = join(tmp, safe(dataset), safe(model));
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  let correct = 0;
  for (const r of recs) {
    const failed = isFailure({ correct: r.correct, score: r.score }, threshold);
    if (!failed) correct++;
    const a = failed ? analyses.get(`${r.dataset}|${r.model}|${r.instance_id}`) : undefined;
    const metadata: Record<string, string> = { errormap_release: releaseId, errormap_failed: String(failed) };
    if (a) {
      Object.assign(metadata, {
        errormap_category: a.category,
        errormap_category_name: cats.get(a.category)?.name ?? a.category,
        errormap_category_path: pathOf(a.category),
        errormap_title: a.title,
        errormap_summary: a.summary,
        errormap_evidence: JSON.stringify(a.evidence),
        errormap_judge: a.judge,
        errormap_judge_model: a.judge_model,
        errormap_rule: a.rule ?? "",
        errormap_confidence: String(a.confidence),
        errormap_status: a.status,
        errormap_disputed: String(Boolean(a.disputed)),
      });
      result.analysed++;
    }
    const instance = {
      schema_version: "0.3.0",
      evaluation_id: evaluationId,
      model_id: modelId,
      evaluation_name: dataset,
      evaluation_result_id: resultId,
      sample_id: r.instance_id,
      sample_hash: sha256(`${r.input}${r.reference}`),
      interaction_type: "single_turn",
      input: { raw: r.input, formatted: r.prompt ?? null, reference: [r.reference], choices: null },
      output: { raw: [r.output], reasoning_trace: null },
      messages: null,
      answer_attribution:
        r.extracted !== undefined
          ? [
              {
                turn_idx: 0,
                source: "output.raw",
                extracted_value: r.extracted,
                extraction_method: "source_scorer",
                is_terminal: true,
              },
            ]
          : [],
      evaluation: { score: r.score ?? (r.correct ? 1 : 0), is_correct: !failed, num_turns: 1, tool_calls_count: null },
      token_usage: null,
      performance: null,
      error: null,
      metadata,
    };
    // The export is an EEE data boundary too: every record must pass the instance schema.
    const checked = EeeInstanceSchema.safeParse(instance);
    if (!checked.success)
      throw new Error(
        `export of ${r.dataset}|${r.model}|${r.instance_id}: field ${checked.error.issues[0].path.join(".")}: ${checked.error.issues[0].message}`,
      );
    lines.push(stableJsonLine(instance));
    result.records++;
    if (failed) result.failures++;
  }
  const aggregate = {
    schema_version: "0.3.0",
    evaluation_id: evaluationId,
    evaluation_timestamp: "0",
    retrieved_timestamp: "0",
    source_metadata: {
      source_name: `ErrorAtlas release ${releaseId}`,
      source_type: "evaluation_run",
      source_organization_name: "ErrorAtlas",
      evaluator_relationship: "third_party",
    },
    eval_library: { name: "errormap", version: "unknown", additional_details: { release: releaseId } },
    model_info: {
      name: modelId,
      id: modelId,
      additional_details: { deployment_type: "unknown", model_availability: "unknown" },
    },
    evaluation_results: [
      {
        evaluation_result_id: resultId,
        evaluation_name: dataset,
        source_data: { dataset_name: dataset, source_type: "other", additional_details: { errormap_dataset: dataset } },
        metric_config: {
          metric_id: "accuracy",
          metric_name: "accuracy",
          metric_kind: "accuracy",
          metric_unit: "proportion",
          lower_is_better: false,
          score_type: "continuous",
          min_score: 0,
          max_score: 1,
        },
        score_details: { score: recs.length ? correct / recs.length : 0 },
      },
    ],
    detailed_evaluation_results: {
      format: "jsonl",
      file_path: `${safe(dataset)}/${safe(model)}/${uuid}_samples.jsonl`,
      hash_algorithm: "sha256",
      checksum: sha256(lines.join("\n") + "\n"),
      total_rows: lines.length,
    },
  };
  writeFileSync(join(dir, `${uuid}_samples.jsonl`), lines.join("\n") + "\n");
  writeFileSync(join(dir, `${uuid}.json`), JSON.stringify(aggregate, null, 2) + "\n");
  result.files += 2;
}
