// Every importer on generated inputs (scripts/demo/formats.ts): the demo records written as JSONL,
// generic CSV, the reference ErrorMap CSV and HELM run folders, imported together and one by one.
// Each format must give back what the generator wrote (as far as the format carries it), and the
// failures must be exactly the ones the generator planted. Needs nothing outside the repository.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemoInputs, type DemoInputs, type InputFormat } from "../../scripts/demo/formats.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { indexes, loadRegistry } from "../../scripts/lib/registry.ts";
import type { EvalRecord, SnapshotManifest } from "../../src/lib/schemas.ts";
import { removeRoot, tempRoot } from "./helpers.ts";

const key = (dataset: string, model: string, id: string) => `${dataset}|${model}|${id}`;

describe("importers on generated inputs in every format", () => {
  let root: string;
  let inputs: DemoInputs;
  let manifest: SnapshotManifest;
  let records: EvalRecord[];
  beforeAll(async () => {
    root = tempRoot("errormap-formats-");
    inputs = writeDemoInputs(join(root, "inputs"));
    manifest = await importSnapshot({ root, snapshot: "all", paths: inputs.paths });
    records = loadRecords(root, manifest);
  });
  afterAll(() => removeRoot(root));

  it("writes every format, HELM runs with all six files", () => {
    const formats = new Set(inputs.files.map((f) => f.format));
    expect([...formats].sort()).toEqual(["csv", "errormap-csv", "helm", "jsonl"] satisfies InputFormat[]);
    for (const f of inputs.files.filter((x) => x.format === "helm")) {
      expect(readdirSync(f.path).sort()).toEqual([
        "display_predictions.json",
        "display_requests.json",
        "instances.json",
        "per_instance_stats.json",
        "run_spec.json",
        "stats.json",
      ]);
    }
  });

  it("imports every record once, and exactly the planted failures fail", () => {
    expect(manifest.records).toBe(inputs.records.length);
    expect(records).toHaveLength(inputs.records.length);
    const planted = inputs.records.filter((r) => r.kind !== "correct").length;
    expect(manifest.failures).toBe(planted);
    const models = indexes(loadRegistry(root)).models;
    const byKey = new Map(records.map((r) => [key(r.dataset, r.model, r.instance_id), r]));
    const threshold = (d: string) => manifest.datasets[d]!.threshold;
    for (const { record, kind } of inputs.records) {
      const got = byKey.get(key(record.dataset, models.resolve(record.model).id, record.instance_id));
      expect(got, `${record.model} ${record.instance_id}`).toBeDefined();
      const failed = got!.correct !== null ? !got!.correct : got!.score! < threshold(got!.dataset)!;
      expect(failed, `${record.instance_id} ${record.model} planted ${kind}`).toBe(kind !== "correct");
    }
  });

  it("keeps what each format carries: inputs, outputs, references, scores", () => {
    const models = indexes(loadRegistry(root)).models;
    const byKey = new Map(records.map((r) => [key(r.dataset, r.model, r.instance_id), r]));
    for (const file of inputs.files) {
      for (const { record } of file.records) {
        const got = byKey.get(key(record.dataset, models.resolve(record.model).id, record.instance_id))!;
        expect(got.source_model).toBe(record.model);
        expect(got.input).toBe(record.input);
        expect(got.output).toBe(record.output);
        expect(got.reference).toBe(record.reference);
        const score01 = typeof record.score === "number" ? record.score : record.correct ? 1 : 0;
        if (file.format === "jsonl" || file.format === "csv") {
          expect(got.score).toBe(record.score);
          expect(got.correct).toBe(record.correct);
          expect(got.extracted).toBe(record.extracted);
          expect(got.reference_text).toBe(record.reference_text);
          expect(got.metadata).toEqual(record.metadata);
        } else {
          // ErrorMap CSV and HELM carry a score only.
          expect(got.correct).toBeNull();
          expect(got.score).toBe(score01);
        }
        if (file.format === "helm") {
          expect(got.reference_text).toBe(record.reference_text);
          expect(got.metadata).toMatchObject({
            method: "multiple_choice_joint",
            main_stat: "exact_match",
            split: "test",
          });
        }
        if (file.format === "errormap-csv") expect(got.source).toEqual({ file: `${record.dataset}.csv` });
      }
    }
  });

  it("gives the same snapshot records from one dataset in any format (but for what a format cannot carry)", async () => {
    const dataset = "demo_quiz";
    const strip = (r: EvalRecord) => ({
      dataset: r.dataset,
      model: r.model,
      instance_id: r.instance_id,
      input: r.input,
      output: r.output,
      reference: r.reference,
      failed: r.correct === false || (r.correct === null && r.score! < 1),
    });
    const seen: ReturnType<typeof strip>[][] = [];
    for (const format of ["jsonl", "csv", "errormap-csv", "helm"] as const) {
      const dir = join(root, `one-${format}`);
      const one = writeDemoInputs(dir, { keep: (d) => d === dataset, formatOf: () => format });
      expect(one.files.every((f) => f.format === format)).toBe(true);
      const m = await importSnapshot({ root, snapshot: `one-${format}`, paths: one.paths });
      expect(Object.keys(m.datasets)).toEqual([dataset]);
      expect(m.datasets[dataset]).toMatchObject({ items: 40, records: 200 });
      seen.push(loadRecords(root, m).map(strip));
    }
    for (const s of seen.slice(1)) expect(s).toEqual(seen[0]);
    expect(seen[0]!.filter((r) => r.failed).length).toBe(manifest.datasets[dataset]!.failures);
  });

  it("is deterministic: the same options write the same bytes", () => {
    const again = writeDemoInputs(join(root, "again"));
    expect(again.files.map((f) => f.path.slice(again.dir.length))).toEqual(
      inputs.files.map((f) => f.path.slice(inputs.dir.length)),
    );
    for (const [i, f] of again.files.entries()) {
      const read = (p: string, format: InputFormat) =>
        format === "helm"
          ? readdirSync(p)
              .sort()
              .map((n) => readFileSync(join(p, n), "utf8"))
              .join("\n")
          : readFileSync(p, "utf8");
      expect(read(f.path, f.format)).toBe(read(inputs.files[i]!.path, f.format));
    }
  });

  it("repeats items under new ids with `copies`, leaving the first copy as it was", () => {
    const big = writeDemoInputs(join(root, "big"), { copies: 3, keep: (d) => d === "demo_arith" });
    expect(big.records).toHaveLength(3 * 200);
    const ids = new Set(big.records.map((r) => `${r.record.model}|${r.record.instance_id}`));
    expect(ids.size).toBe(600);
    expect(big.records.filter((r) => r.record.instance_id.endsWith("~3"))).toHaveLength(200);
    const first = big.records.filter((r) => !r.record.instance_id.includes("~"));
    expect(first.map((r) => r.record)).toEqual(
      inputs.records.filter((r) => r.record.dataset === "demo_arith").map((r) => r.record),
    );
  });
});
