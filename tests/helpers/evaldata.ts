// Reads the real evaluation results of ../shared/evaldata for tests, at test time. Nothing of
// them is ever copied into the repository.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EvalRecord } from "../../src/lib/schemas.ts";
import { slugify } from "../../scripts/lib/slug.ts";

export const REPO = resolve(import.meta.dirname, "../..");
export const EVALDATA = resolve(REPO, "../shared/evaldata");
export const JSONL_DIR = join(EVALDATA, "jsonl");
export const HELM_DIR = join(EVALDATA, "helm/runs/v4");
/**
 * Whether ../shared/evaldata is there. ERRORMAP_TEST_NO_SHARED=1 simulates a clone without it, so
 * the suite can be checked to stand on its own (tests then run on generated inputs).
 */
export const hasEvaldata = process.env.ERRORMAP_TEST_NO_SHARED !== "1" && existsSync(JSONL_DIR);

/**
 * The records of one jsonl file as EvalRecords, with model ids as plain slugs of the source names
 * (no registry mapping: for unit tests of code that does not care about canonical ids).
 */
export function loadJsonl(name: string): EvalRecord[] {
  const text = readFileSync(join(JSONL_DIR, name.endsWith(".jsonl") ? name : `${name}.jsonl`), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((line) => {
      const r = JSON.parse(line);
      return {
        dataset: r.dataset,
        model: slugify(r.model),
        instance_id: String(r.instance_id),
        input: r.input,
        reference: String(r.reference),
        output: r.output ?? "",
        score: typeof r.score === "number" ? r.score : null,
        correct: typeof r.correct === "boolean" ? r.correct : null,
        extracted: r.extracted === null || r.extracted === undefined ? undefined : String(r.extracted),
        prompt: r.prompt ?? undefined,
        reference_text: r.reference_text ?? undefined,
        metadata: r.metadata ?? undefined,
        source_model: r.model,
      } satisfies EvalRecord;
    });
}
