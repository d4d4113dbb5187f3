// The importers of evaluation tools' own files (scripts/import/formats) on generated inputs
// (scripts/demo/tool-formats.ts): lm-evaluation-harness runs, Inspect .eval (deflate, zstd, epochs,
// attachments) and .json logs, Every Eval Ever instance files and HELM runs without display files.
// Counts are the generator's: every record once (twice for two epochs), exactly the planted failures.
// Then bad inputs of each format, each stopping the import with file, place and field, nothing written.
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeToolDemoInputs, writeZip, type ToolDemoInputs } from "../../scripts/demo/tool-formats.ts";
import { ImportError } from "../../scripts/import/errors.ts";
import { importSnapshot, type InputReport } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import type { EvalRecord } from "../../src/lib/schemas.ts";
import { removeRoot, runCli, snapshotEntries, tempRoot } from "./helpers.ts";

describe("importers of evaluation tools' files, on generated inputs", () => {
  let root: string;
  let inputs: ToolDemoInputs;
  let report: InputReport[] = [];
  let records: EvalRecord[];
  let manifest: Awaited<ReturnType<typeof importSnapshot>>;
  beforeAll(async () => {
    root = tempRoot("errormap-tools-");
    inputs = writeToolDemoInputs(join(root, "inputs"));
    manifest = await importSnapshot({ root, snapshot: "tools", paths: [inputs.dir], report: (r) => (report = r) });
    records = loadRecords(root, manifest);
  });
  afterAll(() => removeRoot(root));

  it("detects every format and takes every record once, exactly the planted failures", () => {
    expect(new Set(report.map((r) => r.format))).toEqual(
      new Set(["lm-eval", "inspect-eval", "inspect-json", "eee", "helm-state"]),
    );
    expect(manifest.records).toBe(inputs.records);
    expect(manifest.failures).toBe(inputs.failures);
    for (const f of inputs.files) {
      const row = report.find((r) => r.path === f.path)!;
      expect(row, f.path).toBeDefined();
      expect(row.format).toBe(f.format);
      expect(row.records, f.path).toBe(f.records.length * f.epochs);
      expect(row.failures, f.path).toBe(f.records.filter((r) => r.kind !== "correct").length * f.epochs);
    }
  });

  it("lm-eval: the task's first filter kept, the other's answer in metadata; multiple choice by the highest string log-likelihood", () => {
    const gen = records.filter((r) => r.source?.file?.startsWith("samples_demo_arith"));
    expect(gen.length).toBe(24);
    for (const r of gen) {
      expect(r.metadata?.filter).toBe("strict-match");
      expect(Object.keys(r.metadata?.filters as object)).toEqual(["flexible-extract"]);
    }
    const mc = records.filter((r) => r.source?.file?.startsWith("samples_demo_quiz"));
    expect(mc.length).toBe(12);
    for (const r of mc) {
      const choices = r.metadata!.choices as string[];
      expect(r.output).toBe(choices[r.metadata!.chosen_index as number]);
      expect(r.reference).toBe(choices[r.metadata!.gold_index as number]);
      expect(r.correct).toBe(r.metadata!.chosen_index === r.metadata!.gold_index);
      expect((r.metadata!.loglikelihoods as number[]).every((x) => typeof x === "number")).toBe(true);
    }
  });

  it("Inspect: zstd and deflate .eval read alike; two epochs give two records per sample; attachments resolved", () => {
    const epochs = records.filter((r) => r.source?.file?.includes("epochs"));
    expect(epochs.length).toBe(24);
    expect(epochs.filter((r) => r.instance_id.endsWith("/epoch-2"))).toHaveLength(12);
    expect(epochs.every((r) => !r.input.startsWith("attachment://") && r.input.length > 10)).toBe(true);
    expect(epochs.every((r) => r.metadata?.epoch === (r.instance_id.endsWith("/epoch-2") ? 2 : 1))).toBe(true);
    const zstd = records.filter((r) => r.source?.file?.includes("demo-quiz_Dune-XL"));
    expect(zstd).toHaveLength(12);
    expect(zstd.every((r) => /\nA\. /.test(r.input) && r.reference_text)).toBe(true);
  });

  it("HELM without display files: two stats entries per instance merged, letter references", () => {
    const helm = records.filter((r) => r.metadata?.helm_run);
    expect(helm).toHaveLength(24);
    expect(helm.every((r) => /^[A-D]$/.test(r.reference) && r.metadata!.main_stat === "exact_match")).toBe(true);
  });

  it("--dry-run reports per input and writes nothing", async () => {
    const r = await runCli(["import", "--data", root, "--snapshot", "dry", "--dry-run", inputs.dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/: inspect-eval, 24 records, 14 failures/);
    expect(r.stderr).toMatch(/: helm-state, 12 records, \d+ failures/);
    expect(r.stderr).toMatch(
      new RegExp(`dry run, nothing written: snapshot dry: ${inputs.records} records, ${inputs.failures} failures`),
    );
    expect(snapshotEntries(root)).toEqual(["tools"]);
  });
});

describe("bad input of the tools' formats", () => {
  const root = tempRoot("errormap-tools-bad-");
  const inputs = writeToolDemoInputs(join(root, "inputs"), 4);
  const bad = join(root, "bad");
  mkdirSync(bad, { recursive: true });
  afterAll(() => removeRoot(root));
  const byFormat = (f: string, dataset?: string) =>
    inputs.files.find((x) => x.format === f && (!dataset || x.dataset === dataset))!;

  async function failing(paths: string[], opts: { model?: string } = {}): Promise<ImportError> {
    try {
      await importSnapshot({ root, snapshot: "bad", paths, ...opts });
    } catch (e) {
      expect(e).toBeInstanceOf(ImportError);
      expect(existsSync(join(root, "snapshots", "bad"))).toBe(false);
      expect(snapshotEntries(root)).toEqual([]);
      return e as ImportError;
    }
    throw new Error("import did not fail");
  }

  it("a truncated .eval zip", async () => {
    const src = byFormat("inspect-eval").path;
    const p = join(bad, "truncated.eval");
    writeFileSync(p, readFileSync(src).subarray(0, Math.floor(statSync(src).size / 2)));
    const e = await failing([p]);
    expect(e.file).toBe(p);
    expect(e.where).toBe("zip");
    expect(e.message).toMatch(/truncated/);
  });

  it("a .eval zip whose entry is damaged names the entry", async () => {
    const src = readFileSync(byFormat("inspect-eval").path);
    const p = join(bad, "damaged.eval");
    const copy = Buffer.from(src);
    // Flip bytes inside the first sample entry's compressed data (after its 30-byte header and name).
    const at = copy.indexOf(Buffer.from("samples/"));
    for (let k = at + 30; k < at + 40; k++) copy[k] ^= 0xff;
    writeFileSync(p, copy);
    const e = await failing([p]);
    expect(e.where).toMatch(/^zip entry samples\//);
  });

  it("a log still running (no header.json)", async () => {
    const p = join(bad, "running.eval");
    writeZip(
      p,
      [
        ["_journal/start.json", "{}"],
        ["samples/1_epoch_1.json", "{}"],
      ],
      8,
    );
    const e = await failing([p]);
    expect(e.where).toBe("zip entry header.json");
    expect(e.message).toMatch(/still running/);
  });

  it("a sample with no score names the file and the sample", async () => {
    const src = byFormat("inspect-json").path;
    const log = JSON.parse(readFileSync(src, "utf8"));
    log.samples[2].scores = {};
    const p = join(bad, "unscored.json");
    writeFileSync(p, JSON.stringify(log));
    const e = await failing([p]);
    expect(e.file).toBe(p);
    expect(e.where).toMatch(/^samples\.2 \(sample \S+, epoch 1\)$/);
    expect(e.field).toBe("scores");
    expect(e.message).toMatch(/has no score/);
  });

  it("an lm-eval samples file without its results file needs --model; with it, it imports", async () => {
    const src = byFormat("lm-eval", "demo_arith").path;
    const dir = join(bad, "lm-alone");
    mkdirSync(dir, { recursive: true });
    const p = join(dir, basename(src));
    copyFileSync(src, p);
    const e = await failing([p]);
    expect(e.file).toBe(p);
    expect(e.field).toBe("model");
    expect(e.message).toMatch(/no results file.*--model/);
    const r2 = tempRoot();
    try {
      const m = await importSnapshot({ root: r2, snapshot: "ok", paths: [p], model: "Aurora-7B" });
      expect(m.records).toBe(4);
    } finally {
      removeRoot(r2);
    }
  });

  it("an lm-eval line without its metric names the line and the field", async () => {
    const src = byFormat("lm-eval", "demo_arith");
    const dir = join(bad, "lm-metric");
    cpSync(join(src.path, ".."), dir, { recursive: true });
    const p = join(dir, basename(src.path));
    const lines = readFileSync(p, "utf8").trimEnd().split("\n");
    const third = JSON.parse(lines[2]);
    third.exact_match = "n/a";
    lines[2] = JSON.stringify(third);
    writeFileSync(p, lines.join("\n") + "\n");
    const e = await failing([p]);
    expect(e.where).toMatch(/^line 3\b/);
    expect(e.field).toBe("exact_match");
  });

  it("an EEE record that fails its schema names the line and the field", async () => {
    const src = byFormat("eee").path;
    const p = join(bad, "x_samples.jsonl");
    const lines = readFileSync(src, "utf8").trimEnd().split("\n");
    const second = JSON.parse(lines[1]);
    delete second.evaluation.is_correct;
    lines[1] = JSON.stringify(second);
    writeFileSync(p, lines.join("\n") + "\n");
    const e = await failing([p]);
    expect(e.where).toMatch(/^line 2$/);
    expect(e.field).toBe("evaluation.is_correct");
  });

  it("bytes that are not UTF-8 in a whole-file log name the file and the line, never become U+FFFD", async () => {
    const src = byFormat("inspect-json").path;
    const p = join(bad, "not-utf8.json");
    const bytes = readFileSync(src);
    const at = bytes.indexOf('"target"');
    expect(at).toBeGreaterThan(0);
    writeFileSync(p, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]));
    const e = await failing([p]);
    expect(e.file).toBe(p);
    expect(e.where).toMatch(/^line \d+$/);
    expect(e.detail).toMatch(/not valid UTF-8/);
  });

  it("a file of no known format lists the formats", async () => {
    const p = join(bad, "notes.txt");
    writeFileSync(p, "hello");
    const e = await failing([p]);
    expect(e.message).toMatch(/unsupported file type ".txt"/);
    for (const f of ["lm-eval", "inspect-eval", "inspect-json", "eee", "helm-state", "jsonl", "csv"])
      expect(e.message).toContain(`${f}:`);
    const j = join(bad, "other.json");
    writeFileSync(j, JSON.stringify({ hello: 1 }));
    expect((await failing([j])).message).toMatch(/no known format/);
  });

  it("nothing is left behind after a failure late in the import", async () => {
    // Good inputs first, then a truncated zip: still no snapshot, no temp folder.
    const p = join(bad, "truncated.eval");
    await failing([...inputs.paths, p]);
    expect(readdirSync(join(root, "snapshots")).filter((d) => !d.startsWith("."))).toEqual([]);
    expect(readdirSync(join(root, "snapshots"))).toEqual([]);
    rmSync(join(root, "snapshots"), { recursive: true, force: true });
  });
});
