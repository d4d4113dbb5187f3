// The CSV importers (generic columns = record fields, and the reference ErrorMap CSV), on CSV files
// written at test time from records (generated ones, and a few real ones when ../shared is there):
// the same records through JSONL and through CSV must give the same snapshot records.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import type { EvalRecord } from "../../src/lib/schemas.ts";
import { ERRORMAP_COLUMNS, GENERIC_COLUMNS } from "../../scripts/demo/formats.ts";
import { generateDemo } from "../../scripts/demo/generate.ts";
import { indexes, loadRegistry } from "../../scripts/lib/registry.ts";
import { JSONL_DIR, REPO } from "../helpers/evaldata.ts";
import { sources } from "../helpers/sources.ts";
import { csvLine, readLines, removeRoot, tempRoot } from "./helpers.ts";

/** Every `step`-th line of a real file: varied models, references and outcomes. */
function sample(name: string, step: number): Record<string, unknown>[] {
  return readLines(join(JSONL_DIR, `${name}.jsonl`)).filter((_, i) => i % step === 0);
}

const withoutFile = (r: EvalRecord) => ({ ...r, source: { ...r.source, file: undefined } });

/** Source lines as JSON objects: all of them for the generic CSV, one dataset's for the ErrorMap CSV. */
interface Rows {
  rows: Record<string, unknown>[];
  errormap: { dataset: string; rows: Record<string, unknown>[] };
}

/** Every `step`-th generated record of a demo dataset, as a JSON line would hold it. */
const demo = (dataset: string, step: number) =>
  (generateDemo().get(dataset as never) ?? [])
    .filter((_, i) => i % step === 0)
    .map((r) => JSON.parse(JSON.stringify(r.record)) as Record<string, unknown>);

const SOURCES = sources<Rows>({
  // Multi-line inputs and outputs (quotes, commas, newlines, markup), score-only records
  // (demo_instruct), metadata objects and records with empty outputs.
  generated: () => ({
    rows: [...demo("demo_arith", 3), ...demo("demo_instruct", 3), ...demo("demo_quiz", 3)],
    errormap: { dataset: "demo_arith", rows: demo("demo_arith", 2) },
  }),
  // Number/bool/list references, score-only records (alpaca_eval) and empty outputs (mmlu_pro).
  shared: () => ({
    rows: [
      ...sample("gsm8k", 97),
      ...sample("theoremqa", 53),
      ...sample("alpaca_eval", 151),
      ...sample("mmlu_pro", 83),
    ],
    errormap: { dataset: "gsm8k", rows: sample("gsm8k", 7) },
  }),
});

const models = indexes(loadRegistry(join(REPO, "data"))).models;

describe.each(SOURCES)("CSV importers on files written from %s records", (_name, { rows, errormap }) => {
  const root = tempRoot();
  const dir = join(root, "inputs");
  mkdirSync(dir);
  afterAll(() => removeRoot(root));

  it("generic CSV gives the same records as the same lines in JSONL", async () => {
    expect(rows.length).toBeGreaterThan(80);
    expect(rows.some((r) => r.output === "")).toBe(true);
    writeFileSync(join(dir, "sample.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    writeFileSync(
      join(dir, "sample.csv"),
      csvLine(GENERIC_COLUMNS) + rows.map((r) => csvLine(GENERIC_COLUMNS.map((k) => r[k]))).join(""),
    );
    const a = await importSnapshot({ root, snapshot: "from-jsonl", paths: [join(dir, "sample.jsonl")] });
    const b = await importSnapshot({ root, snapshot: "from-csv", paths: [join(dir, "sample.csv")] });
    expect(b.records).toBe(rows.length);
    expect(b.failures).toBe(a.failures);
    // Same counts, models and thresholds; the hashes differ only by the source file name in each record.
    const noHash = (m: typeof a) =>
      Object.fromEntries(Object.entries(m.datasets).map(([k, d]) => [k, { ...d, sha256: undefined }]));
    expect(noHash(b)).toEqual(noHash(a));
    const ra = loadRecords(root, a);
    const rb = loadRecords(root, b);
    expect(rb.map(withoutFile)).toEqual(ra.map(withoutFile));
    expect(rb.every((r) => r.source?.file === "sample.csv")).toBe(true);
    // Optional fields left empty in the CSV are absent, not "".
    expect(rb.some((r) => r.extracted === undefined)).toBe(true);
    expect(rb.some((r) => r.extracted === "")).toBe(false);
  });

  it("reference ErrorMap CSV: example_id, model, input_text, output_text, score, correct_answer; dataset from the file name", async () => {
    const gsm = errormap.rows;
    const ds = errormap.dataset;
    const cols = ERRORMAP_COLUMNS;
    // Column order is free: the header names them.
    const order = [2, 0, 5, 1, 4, 3];
    const lines = [csvLine(order.map((i) => cols[i]))];
    for (const r of gsm) {
      const v = [r.instance_id, r.model, r.input, r.output, r.correct ? 1 : 0, r.reference];
      lines.push(csvLine(order.map((i) => v[i])));
    }
    writeFileSync(join(dir, `${ds}.csv`), lines.join(""));
    const m = await importSnapshot({ root, snapshot: "errormap-csv", paths: [join(dir, `${ds}.csv`)] });
    expect(Object.keys(m.datasets)).toEqual([ds]);
    expect(m.records).toBe(gsm.length);
    expect(m.failures).toBe(gsm.filter((r) => !r.correct).length);
    expect(m.failures).toBeGreaterThan(0);
    expect(m.datasets[ds]!.threshold).toBe(1);
    const byKey = new Map(loadRecords(root, m).map((r) => [`${r.source_model}|${r.instance_id}`, r]));
    for (const r of gsm) {
      const got = byKey.get(`${r.model}|${r.instance_id}`)!;
      expect(got).toMatchObject({
        dataset: ds,
        input: r.input,
        output: r.output,
        reference: r.reference,
        score: r.correct ? 1 : 0,
        correct: null,
      });
      expect(got.source).toEqual({ file: `${ds}.csv` });
      // Source names mapped to canonical ids through the registry.
      expect(got.model).toBe(models.resolve(String(r.model)).id);
    }
    expect(new Set([...byKey.values()].map((r) => r.model)).size).toBeGreaterThan(1);
  });
});
