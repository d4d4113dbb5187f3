// Each importer on the real files of ../shared/evaldata: the five JSONL files one by one and the
// HELM run directories (one run, and the folder of them). Expected counts are those of
// evaldata/README.md; record fields are checked against the source lines read at test time.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { indexes, loadRegistry } from "../../scripts/lib/registry.ts";
import type { EvalRecord, SnapshotManifest } from "../../src/lib/schemas.ts";
import { HELM_DIR, JSONL_DIR, REPO } from "../helpers/evaldata.ts";
import { CANONICAL } from "../helpers/registry.ts";
import { readLines, removeRoot, tempRoot } from "./helpers.ts";

const EXPECTED: Record<string, { models: number; items: number; records: number; failures: number }> = {
  mmlu_pro: { models: 10, items: 210, records: 2100, failures: 1000 },
  gsm8k: { models: 10, items: 200, records: 2000, failures: 154 },
  math_l5: { models: 10, items: 200, records: 2000, failures: 1374 },
  theoremqa: { models: 10, items: 200, records: 2000, failures: 1696 },
  alpaca_eval: { models: 11, items: 200, records: 2200, failures: 2018 },
};

const asText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const registry = loadRegistry(join(REPO, "data"));
const idx = indexes(registry);

// The real-data layer (README "Set-up"): the same importers on generated files in every format are
// tests/import/formats.test.ts.
describe("JSONL importer on the real files", () => {
  const root = tempRoot();
  afterAll(() => removeRoot(root));

  for (const [name, exp] of Object.entries(EXPECTED)) {
    describe(`${name}.jsonl`, () => {
      const src = join(JSONL_DIR, `${name}.jsonl`);
      let manifest: SnapshotManifest;
      let records: EvalRecord[];
      const byKey = new Map<string, EvalRecord>();
      beforeAll(async () => {
        manifest = await importSnapshot({ root, snapshot: name.replace(/_/g, "-"), paths: [src] });
        records = loadRecords(root, manifest);
        for (const r of records) byKey.set(`${r.source_model}|${r.instance_id}`, r);
      });

      it("has the README's counts", () => {
        expect(Object.keys(manifest.datasets)).toEqual([name]);
        const d = manifest.datasets[name];
        expect({ models: d.models.length, items: d.items, records: d.records, failures: d.failures }).toEqual(exp);
        expect(manifest.records).toBe(exp.records);
        expect(manifest.failures).toBe(exp.failures);
        expect(manifest.inputs).toEqual([
          { name: `${name}.jsonl`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), records: exp.records },
        ]);
        // The records file is sorted by (model, instance_id).
        const keys = records.map((r) => [r.model, r.instance_id] as const);
        const sorted = [...keys].sort((a, b) =>
          a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
        );
        expect(keys).toEqual(sorted);
      });

      it("maps every field of every source line (model names to canonical ids)", () => {
        const lines = readLines(src);
        expect(lines).toHaveLength(exp.records);
        for (const line of lines) {
          const r = byKey.get(`${line.model}|${line.instance_id}`);
          expect(r, `${line.model} ${line.instance_id}`).toBeDefined();
          expect(r!.dataset).toBe(name);
          expect(r!.model).toBe(idx.models.resolve(String(line.model)).id);
          expect(r!.input).toBe(line.input);
          expect(r!.output).toBe(line.output ?? "");
          expect(r!.reference).toBe(asText(line.reference));
          expect(r!.correct).toBe(line.correct);
          expect(r!.score).toBe(typeof line.score === "number" ? line.score : null);
          expect(r!.extracted).toBe(
            line.extracted === null || line.extracted === undefined ? undefined : asText(line.extracted),
          );
          expect(r!.metadata).toEqual(line.metadata ?? undefined);
          expect(r!.source).toEqual({ ...(line.source as object), file: `${name}.jsonl` });
        }
      });

      it("gives the spot-checked source names their canonical ids", () => {
        const seen = new Map(records.map((r) => [r.source_model, r.model]));
        for (const [source, id] of CANONICAL) if (seen.has(source)) expect(seen.get(source)).toBe(id);
      });
    });
  }

  it("keeps TheoremQA's numbers, booleans and lists as their JSON text", async () => {
    const m = await importSnapshot({ root, snapshot: "tqa-types", paths: [join(JSONL_DIR, "theoremqa.jsonl")] });
    const recs = new Map(loadRecords(root, m).map((r) => [`${r.source_model}|${r.instance_id}`, r]));
    const seenTypes = new Set<string>();
    for (const line of readLines(join(JSONL_DIR, "theoremqa.jsonl"))) {
      const r = recs.get(`${line.model}|${line.instance_id}`)!;
      const t = Array.isArray(line.reference) ? "list" : typeof line.reference;
      seenTypes.add(t);
      if (t === "list") expect(JSON.parse(r.reference)).toEqual(line.reference);
      if (t === "boolean") expect(r.reference).toMatch(/^(true|false)$/);
      if (t === "number") expect(Number(r.reference)).toBe(line.reference);
    }
    expect([...seenTypes].sort()).toEqual(["boolean", "list", "number", "string"]);
  });
});

/** Per run directory: the model of its run spec and the exact_match of each instance. */
function helmTruth(dir: string) {
  const spec = JSON.parse(readFileSync(join(dir, "run_spec.json"), "utf8"));
  const stats = JSON.parse(readFileSync(join(dir, "per_instance_stats.json"), "utf8")) as {
    instance_id: string;
    train_trial_index?: number;
    stats: { name: { name: string; perturbation?: unknown }; mean: number }[];
  }[];
  const score = new Map<string, number>();
  for (const s of stats) {
    if ((s.train_trial_index ?? 0) !== 0) continue;
    score.set(s.instance_id, s.stats.find((x) => x.name.name === "exact_match" && !x.name.perturbation)!.mean);
  }
  const instances = JSON.parse(readFileSync(join(dir, "instances.json"), "utf8")) as {
    id: string;
    input: { text: string };
    references: { output: { text: string }; tags: string[] }[];
  }[];
  const preds = JSON.parse(readFileSync(join(dir, "display_predictions.json"), "utf8")) as {
    instance_id: string;
    predicted_text: string;
  }[];
  return {
    model: spec.adapter_spec.model as string,
    score,
    instances: new Map(instances.map((i) => [i.id, i])),
    preds: new Map(preds.map((p) => [p.instance_id, p])),
  };
}

describe("HELM importer on the real run directories", () => {
  const root = tempRoot();
  afterAll(() => removeRoot(root));
  const runs = readdirSync(HELM_DIR)
    .sort()
    .map((d) => join(HELM_DIR, d));
  const gpt4o = runs.find((d) => d.endsWith("model=openai_gpt-4o-2024-05-13"))!;

  it("imports one run directory: input with lettered options, reference = correct letter, score = exact_match", async () => {
    const truth = helmTruth(gpt4o);
    expect(truth.model).toBe("openai/gpt-4o-2024-05-13");
    const m = await importSnapshot({ root, snapshot: "helm-one", paths: [gpt4o] });
    const recs = loadRecords(root, m);
    expect(recs).toHaveLength(100);
    expect(m.datasets.bbq.failures).toBe([...truth.score.values()].filter((s) => s < 1).length);
    expect(m.datasets.bbq.threshold).toBe(1);
    for (const r of recs) {
      expect(r.dataset).toBe("bbq");
      // HELM's openai_gpt-4o-2024-05-13 (run spec: openai/gpt-4o-2024-05-13) is the jsonl's gpt-4o-2024-05-13.
      expect(r.model).toBe("gpt-4o-2024-05-13");
      expect(r.source_model).toBe(truth.model);
      // bbq/<scenario args>/<HELM instance id>
      expect(r.instance_id).toMatch(/^bbq\/subject=all\/id\d+$/);
      const instId = r.instance_id.split("/").pop()!;
      const inst = truth.instances.get(instId)!;
      expect(inst, r.instance_id).toBeDefined();
      const letters = inst.references.map((_, i) => "ABCDEFGHIJ"[i]);
      expect(r.input.startsWith(inst.input.text)).toBe(true);
      inst.references.forEach((ref, i) => {
        expect(r.input).toContain(`\n${letters[i]}. ${ref.output.text}`);
      });
      const correct = inst.references.findIndex((x) => x.tags.includes("correct"));
      expect(r.reference).toBe(letters[correct]);
      expect(r.reference_text).toBe(inst.references[correct].output.text);
      expect(r.score).toBe(truth.score.get(instId));
      expect(r.correct).toBeNull();
      expect(r.output).toBe(truth.preds.get(instId)!.predicted_text);
    }
  });

  it("imports the folder of runs: 600 records of 6 models, failures = exact_match < 1", async () => {
    const truths = runs.map(helmTruth);
    const m = await importSnapshot({ root, snapshot: "helm-all", paths: [HELM_DIR] });
    expect(m.records).toBe(600);
    expect(m.datasets.bbq.models).toHaveLength(6);
    expect(m.datasets.bbq.items).toBe(100);
    const expectedFailures = truths.reduce((n, t) => n + [...t.score.values()].filter((s) => s < 1).length, 0);
    expect(m.failures).toBe(expectedFailures);
    expect(m.failures).toBe(125);
    expect(m.inputs.map((i) => i.name)).toEqual(runs.map((d) => d.split("/").pop()));
    expect(m.datasets.bbq.models).toEqual(truths.map((t) => idx.models.resolve(t.model).id).sort());
    expect(m.datasets.bbq.models).toContain("gpt-4o-2024-05-13");
  });

  it("one model from two sources is one id: gpt-4o in gsm8k and in HELM", async () => {
    const m = await importSnapshot({ root, snapshot: "mixed", paths: [join(JSONL_DIR, "gsm8k.jsonl"), gpt4o] });
    expect(m.datasets.gsm8k.models).toContain("gpt-4o-2024-05-13");
    expect(m.datasets.bbq.models).toEqual(["gpt-4o-2024-05-13"]);
    const recs = loadRecords(root, m).filter((r) => r.model === "gpt-4o-2024-05-13");
    expect(new Set(recs.map((r) => r.source_model))).toEqual(
      new Set(["gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13"]),
    );
  });
});
