// The inputs a test can run on: inputs the project generates itself (scripts/demo/formats.ts), always
// there, and the real results of ../shared/evaldata, an extra layer when that folder is there. Tests
// that need input data run once per source: `describe.each(sources({ generated, shared }))`. Without
// ../shared (or with ERRORMAP_TEST_NO_SHARED=1) only the generated source is listed, so the suite
// still runs every component instead of skipping it.
import { demoCopies, writeDemoInputs, type DemoInputOptions, type DemoInputs } from "../../scripts/demo/formats.ts";
import { generateDemo, type DemoRecord } from "../../scripts/demo/generate.ts";
import type { EvalRecord } from "../../src/lib/schemas.ts";
import { slugify } from "../../scripts/lib/slug.ts";
import { hasEvaldata } from "./evaldata.ts";

export type SourceName = "generated" | "shared";

/**
 * [name, value] pairs for describe.each / it.each: the generated one always, the shared one only
 * when ../shared/evaldata is there (its factory is not called otherwise).
 */
export function sources<T>(by: { generated: () => T; shared: () => T }): [SourceName, T][] {
  return [["generated", by.generated()], ...(hasEvaldata ? ([["shared", by.shared()]] as [SourceName, T][]) : [])];
}

/** Writes the generated inputs (every format) under `dir`; see scripts/demo/formats.ts. */
export function generatedInputs(dir: string, opts?: DemoInputOptions): DemoInputs {
  return writeDemoInputs(dir, opts);
}

/** Failures the generator planted, by item: "dataset|instance id" → count. */
export function plantedFailuresByItem(records: DemoRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records)
    if (r.kind !== "correct")
      out.set(
        `${r.record.dataset}|${r.record.instance_id}`,
        (out.get(`${r.record.dataset}|${r.record.instance_id}`) ?? 0) + 1,
      );
  return out;
}

/** The items whose reference the generator made wrong on purpose, by dataset (sorted ids). */
export function plantedSuspectItems(records: DemoRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of records)
    if (r.kind === "suspect")
      (out[r.record.dataset] ??= []).includes(r.record.instance_id) ||
        out[r.record.dataset]!.push(r.record.instance_id);
  for (const ids of Object.values(out)) ids.sort();
  return out;
}

/**
 * The generated records of a demo dataset as snapshot records, without an import (model ids as the
 * registry makes them: slugs of the source names); `copies` as in scripts/demo/formats.ts.
 */
export function demoRecords(dataset: string, copies = 1): EvalRecord[] {
  return demoCopies(generateDemo().get(dataset as never) ?? [], copies).map(({ record: r }) => ({
    ...r,
    model: slugify(r.model),
    score: r.score ?? null,
    correct: r.correct ?? null,
    source_model: r.model,
  })) as EvalRecord[];
}
