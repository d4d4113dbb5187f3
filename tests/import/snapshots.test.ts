// Snapshot semantics: existing ids are refused unless --force, --base starts from an earlier
// snapshot (new records with the same key replace the base's), alias mapping, and determinism
// (two imports of the same inputs in different data roots are byte-identical, file by file).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadManifest, loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { layout } from "../../src/lib/paths.ts";
import { indexes, loadRegistry } from "../../scripts/lib/registry.ts";
import { HELM_DIR, JSONL_DIR, REPO } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { filesOf, readLines, rec, removeRoot, snapshotEntries, tempRoot } from "./helpers.ts";

const roots: string[] = [];
const newRoot = () => {
  const r = tempRoot();
  roots.push(r);
  return r;
};
afterAll(() => roots.forEach(removeRoot));

function writeJsonl(root: string, name: string, recs: Record<string, unknown>[]): string {
  mkdirSync(join(root, "inputs"), { recursive: true });
  const p = join(root, "inputs", name);
  writeFileSync(p, recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return p;
}

describe("existing snapshot ids", () => {
  it("are refused unless --force; --force replaces the snapshot", async () => {
    const root = newRoot();
    const a = writeJsonl(root, "a.jsonl", [rec(1), rec(2)]);
    const b = writeJsonl(root, "b.jsonl", [rec(3, { correct: false })]);
    await importSnapshot({ root, snapshot: "s", paths: [a] });
    const before = filesOf(layout(root).snapshot("s"));
    await expect(importSnapshot({ root, snapshot: "s", paths: [b] })).rejects.toThrow(
      /snapshot "s" already exists.*--force/,
    );
    expect(filesOf(layout(root).snapshot("s"))).toEqual(before);
    const m = await importSnapshot({ root, snapshot: "s", paths: [b], force: true });
    expect(m).toMatchObject({ records: 1, failures: 1 });
    expect(loadManifest(root, "s")).toEqual(m);
    expect(snapshotEntries(root)).toEqual(["s"]);
  });

  it("refuses ids that are not canonical ids, and a base equal to the target", async () => {
    const root = newRoot();
    const a = writeJsonl(root, "a.jsonl", [rec(1)]);
    await expect(importSnapshot({ root, snapshot: "Bad Id", paths: [a] })).rejects.toThrow(/snapshot id "Bad Id"/);
    await expect(importSnapshot({ root, snapshot: "x", base: "x", paths: [a] })).rejects.toThrow(/--base/);
    await expect(importSnapshot({ root, snapshot: "y", base: "nope", paths: [a] })).rejects.toThrow(
      /no snapshot "nope"/,
    );
    expect(snapshotEntries(root)).toEqual([]);
  });
});

describe("--base", () => {
  it("gives the base's records plus the new ones; a record with the same key replaces the base's", async () => {
    const root = newRoot();
    const base = await importSnapshot({
      root,
      snapshot: "s1",
      paths: [writeJsonl(root, "a.jsonl", [rec(1), rec(2), rec(3, { correct: false })])],
    });
    expect(base).toMatchObject({ records: 3, failures: 1 });
    const logs: string[] = [];
    // New: one more item, another dataset, and t/3 again (now right) under another spelling of the model.
    const next = writeJsonl(root, "b.jsonl", [
      rec(4),
      rec(3, { model: "OpenAI_GPT-4o-2024-05-13", output: "It is 4, finally.", correct: true }),
      rec(1, { dataset: "mmlu_pro", reference: "A", output: "B", correct: false }),
    ]);
    const m = await importSnapshot({ root, snapshot: "s2", base: "s1", paths: [next], log: (l) => logs.push(l) });
    expect(m.base).toBe("s1");
    expect(m.records).toBe(5);
    expect(m.datasets.gsm8k.records).toBe(4);
    expect(m.datasets.gsm8k.failures).toBe(0);
    expect(m.datasets.mmlu_pro).toMatchObject({ records: 1, failures: 1 });
    expect(m.inputs.map((i) => i.name)).toEqual(["a.jsonl", "b.jsonl"]);
    expect(logs).toEqual(["replaced gsm8k|gpt-4o-2024-05-13|t/3 of the base snapshot"]);
    const t3 = loadRecords(root, m).filter((r) => r.instance_id === "t/3");
    expect(t3).toHaveLength(1);
    expect(t3[0]).toMatchObject({
      output: "It is 4, finally.",
      correct: true,
      source_model: "OpenAI_GPT-4o-2024-05-13",
    });
    // The base is untouched.
    expect(loadManifest(root, "s1")).toEqual(base);
  });

  it("a replaced record's score leaves the dataset's mean", async () => {
    const root = newRoot();
    const s = (i: number, score: number) => rec(i, { dataset: "alpaca_eval", correct: undefined, score });
    await importSnapshot({ root, snapshot: "s1", paths: [writeJsonl(root, "a.jsonl", [s(1, 1.0), s(2, 2.0)])] });
    const m = await importSnapshot({
      root,
      snapshot: "s2",
      base: "s1",
      paths: [writeJsonl(root, "b.jsonl", [s(2, 1.2)])],
    });
    expect(m.datasets.alpaca_eval.records).toBe(2);
    expect(m.datasets.alpaca_eval.mean_score).toBe(1.1);
  });

  type Pair = () => {
    first: readonly [string, string, { records: number; failures: number }];
    second: readonly [string, { records: number; failures: number }];
  };
  it.each(
    sources<Pair>({
      // Two generated datasets, each as its own JSONL file.
      generated: () => () => {
        const dir = join(newRoot(), "inputs");
        const g = generatedInputs(dir, { keep: (d) => d !== "demo_instruct", formatOf: () => "jsonl" });
        const file = (d: string) => g.files.find((f) => f.dataset === d)!;
        const count = (d: string) => ({
          records: file(d).records.length,
          failures: file(d).records.filter((r) => r.kind !== "correct").length,
        });
        return {
          first: ["demo_arith", file("demo_arith").path, count("demo_arith")] as const,
          second: [file("demo_quiz").path, count("demo_quiz")] as const,
        };
      },
      shared: () => () => ({
        first: ["gsm8k", join(JSONL_DIR, "gsm8k.jsonl"), { records: 2000, failures: 154 }] as const,
        second: [join(JSONL_DIR, "mmlu_pro.jsonl"), { records: 2100, failures: 1000 }] as const,
      }),
    }),
  )("on the %s data: s1 + another dataset keeps s1's records file byte-identical", async (_name, inputs) => {
    const root = newRoot();
    const {
      first: [dataset, firstPath, a],
      second: [secondPath, b],
    } = inputs();
    await importSnapshot({ root, snapshot: "s1", paths: [firstPath] });
    const m = await importSnapshot({ root, snapshot: "s2", base: "s1", paths: [secondPath] });
    expect(m.records).toBe(a.records + b.records);
    expect(m.failures).toBe(a.failures + b.failures);
    const read = (id: string) => readFileSync(join(layout(root).snapshot(id), `records/${dataset}.jsonl`));
    expect(read("s2").equals(read("s1"))).toBe(true);
  });
});

describe("alias mapping", () => {
  const idx = indexes(loadRegistry(join(REPO, "data")));

  it("is case-insensitive (and ignores surrounding spaces), keeping the source spelling", async () => {
    const root = newRoot();
    const spellings = [
      "GPT-4O-2024-05-13",
      "openai_gpt-4o-2024-05-13",
      "OpenAI/GPT-4o-2024-05-13",
      " gpt-4o-2024-05-13 ",
    ];
    const p = writeJsonl(
      root,
      "case.jsonl",
      spellings.map((model, i) => rec(i, { model, dataset: i % 2 ? "GSM8K" : "gsm" })),
    );
    const m = await importSnapshot({ root, snapshot: "case", paths: [p] });
    expect(m.models).toEqual(["gpt-4o-2024-05-13"]);
    expect(Object.keys(m.datasets)).toEqual(["gsm8k"]);
    expect(loadRecords(root, m).map((r) => r.source_model)).toEqual(spellings);
  });

  it.each([
    ["gemini-1.5-pro", "gemini-1.5-pro-002"],
    ["gemini-1.5-flash", "gemini-1.5-flash-002"],
    ["claude-2", "claude-2.1"],
    ["alpaca-7b", "alpaca (size unstated)"],
  ])("keeps %s and %s apart", (a, b) => {
    expect(idx.models.resolve(a).id).not.toBe(idx.models.resolve(b).id);
    expect(idx.models.resolve(a.toUpperCase()).id).toBe(idx.models.resolve(a).id);
  });

  it("imports two versions of a model, in two datasets, as two models, each source name as its registry id", async () => {
    const root = newRoot();
    const p = writeJsonl(root, "versions.jsonl", [
      rec(1, { model: "gemini-1.5-pro", dataset: "gsm8k" }),
      rec(2, { model: "gemini-1.5-pro-002", dataset: "mmlu_pro", instance_id: "m/2" }),
    ]);
    const m = await importSnapshot({ root, snapshot: "v", paths: [p] });
    expect(m.datasets.gsm8k.models).toEqual([idx.models.resolve("gemini-1.5-pro").id]);
    expect(m.datasets.mmlu_pro.models).toEqual([idx.models.resolve("gemini-1.5-pro-002").id]);
    expect(m.models).toHaveLength(2);
    for (const r of loadRecords(root, m)) expect(r.model).toBe(idx.models.resolve(r.source_model).id);
  });
});

/** Inputs of every kind: the files, the HELM folder, the datasets, a records file and its source. */
interface Inputs {
  files: string[];
  helm: string;
  datasets: string[];
  records: number;
  /** A dataset read from one JSONL file, that file and its line count. */
  jsonl: { dataset: string; path: string; lines: number };
}

const SOURCES = sources<Inputs>({
  generated: () => {
    const g = generatedInputs(join(newRoot(), "inputs"));
    const arith = g.files.find((f) => f.format === "jsonl")!;
    return {
      files: g.paths.filter((p) => !p.endsWith("helm")),
      helm: join(g.dir, "helm"),
      datasets: ["demo_arith", "demo_instruct", "demo_quiz"],
      records: g.records.length,
      jsonl: { dataset: arith.dataset, path: arith.path, lines: arith.records.length },
    };
  },
  shared: () => ({
    files: ["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((n) => join(JSONL_DIR, `${n}.jsonl`)),
    helm: HELM_DIR,
    datasets: ["alpaca_eval", "bbq", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"],
    records: 10900,
    jsonl: { dataset: "gsm8k", path: join(JSONL_DIR, "gsm8k.jsonl"), lines: 2000 },
  }),
});

describe.each(SOURCES)("determinism (%s inputs)", (_name, inputs) => {
  const jsonl = inputs.files;
  const HELM_DIR = inputs.helm;
  let a: Map<string, Buffer>;
  let b: Map<string, Buffer>;
  beforeAll(async () => {
    const [ra, rb] = [newRoot(), newRoot()];
    await importSnapshot({ root: ra, snapshot: "s1", paths: [...jsonl, HELM_DIR] });
    await importSnapshot({ root: rb, snapshot: "s1", paths: [...jsonl, HELM_DIR] });
    a = filesOf(layout(ra).snapshot("s1"));
    b = filesOf(layout(rb).snapshot("s1"));
  });

  it("two imports of the same inputs in different data roots are byte-identical, every file", () => {
    expect([...a.keys()]).toEqual(["manifest.json", ...inputs.datasets.map((d) => `records/${d}.jsonl`)]);
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
  });

  it("the manifest's hashes are those of the files", async () => {
    const { sha256 } = await import("../../src/lib/jsonio.ts");
    const m = JSON.parse(a.get("manifest.json")!.toString("utf8"));
    for (const [id, d] of Object.entries(m.datasets) as [string, { file: string; sha256: string }][]) {
      expect(d.sha256, id).toBe(sha256(a.get(d.file)!));
    }
    expect(m.records).toBe(inputs.records);
  });

  it("the order of the inputs does not change the records files", async () => {
    const root = newRoot();
    await importSnapshot({ root, snapshot: "rev", paths: [HELM_DIR, ...[...jsonl].reverse()] });
    const c = filesOf(layout(root).snapshot("rev"));
    for (const [k, v] of a) if (k.startsWith("records/")) expect(v.equals(c.get(k)!), k).toBe(true);
  });

  it("records carry no absolute path (only the source file's base name)", () => {
    const { dataset, path, lines } = inputs.jsonl;
    for (const [k, v] of a) expect(v.toString("utf8").includes(dirname(path)), k).toBe(false);
    const first = JSON.parse(a.get(`records/${dataset}.jsonl`)!.toString("utf8").split("\n")[0]);
    expect(first.source.file).toBe(basename(path));
    expect(readLines(path).length).toBe(lines);
  });
});
