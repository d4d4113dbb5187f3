// Input edges (README, "The `errormap` command": bad input stops with the file, the line and the
// field): a byte order mark is accepted in every format; bytes that are not UTF-8, blank names and
// nesting deeper than any record needs are errors naming file, line and field; unknown fields are
// a warning naming them once per file; a newly registered graded dataset whose scores leave the
// default threshold meaningless asks for --threshold.
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ImportError } from "../../scripts/import/errors.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadRegistry } from "../../scripts/lib/registry.ts";
import { layout } from "../../src/lib/paths.ts";
import { generatedInputs } from "../helpers/sources.ts";
import { filesOf, rec, removeRoot, rootWithInputs, runCli, snapshotEntries } from "./helpers.ts";

const roots: string[] = [];
afterAll(() => roots.forEach(removeRoot));

let root: string;
let dir: string;
beforeEach(() => {
  ({ root, dir } = rootWithInputs("errormap-edges-"));
  roots.push(root);
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function write(name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

const jsonl = (lines: (Record<string, unknown> | string)[]) =>
  lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n";

/** Runs an import that must fail, checks nothing was left behind, and returns the ImportError. */
async function failing(paths: string[], extra: { register?: boolean; threshold?: number } = {}): Promise<ImportError> {
  const registryBefore = filesOf(layout(root).registry);
  const before = snapshotEntries(root);
  let err: unknown;
  try {
    await importSnapshot({ root, snapshot: "bad", paths, ...extra });
  } catch (e) {
    err = e;
  }
  expect(err, "the import should have failed").toBeInstanceOf(ImportError);
  expect(snapshotEntries(root)).toEqual(before);
  expect(filesOf(layout(root).registry)).toEqual(registryBefore);
  return err as ImportError;
}

/** Every file of every format the project writes (scripts/demo/formats.ts), as bytes by relative path. */
function treeOf(d: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (p: string, rel: string) => {
    for (const name of readdirSync(p).sort()) {
      const q = join(p, name);
      if (statSync(q).isDirectory()) walk(q, `${rel}${name}/`);
      else out.set(`${rel}${name}`, readFileSync(q));
    }
  };
  walk(d, "");
  return out;
}

describe("byte order marks", () => {
  it("are accepted in JSONL, CSV, ErrorMap CSV and HELM files alike: the snapshot is byte-identical", async () => {
    const plain = generatedInputs(join(dir, "plain"));
    const marked = generatedInputs(join(dir, "marked"));
    // A byte order mark at the start of every file of every format.
    const formats = new Set<string>();
    for (const f of marked.files) {
      formats.add(f.format);
      const files =
        f.format === "helm"
          ? readdirSync(f.path)
              .filter((n) => n.endsWith(".json"))
              .map((n) => join(f.path, n))
          : [f.path];
      for (const p of files) writeFileSync(p, Buffer.concat([BOM, readFileSync(p)]));
    }
    expect([...formats].sort()).toEqual(["csv", "errormap-csv", "helm", "jsonl"]);
    await importSnapshot({ root, snapshot: "plain", paths: plain.paths, register: true });
    await importSnapshot({ root, snapshot: "marked", paths: marked.paths, register: true });
    const a = treeOf(join(layout(root).snapshots, "plain", "records"));
    const b = treeOf(join(layout(root).snapshots, "marked", "records"));
    expect(a.size).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe("bytes that are not UTF-8", () => {
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1

  it("in a JSONL line: the file, the line and the field", async () => {
    // rec(2) with the output "caf\xe9": the Latin-1 bytes spliced into the JSON text.
    const [head, tail] = JSON.stringify(rec(2, { output: "@@" })).split("@@");
    const bad = Buffer.concat([Buffer.from(head), latin1, Buffer.from(tail)]);
    const p = write(
      "latin1.jsonl",
      Buffer.concat([Buffer.from(jsonl([rec(1)])), bad, Buffer.from("\n" + jsonl([rec(3)]))]),
    );
    const e = await failing([p]);
    expect(e.file).toBe(p);
    expect(e.where).toBe("line 2");
    expect(e.field).toBe("output");
    expect(e.message).toMatch(/not valid UTF-8/);
  });

  it("in a line after the first megabyte, and in a line across two read chunks", async () => {
    const big = "x".repeat(2000);
    const lines: Buffer[] = [];
    for (let i = 0; i < 700; i++) lines.push(Buffer.from(JSON.stringify(rec(i, { input: big })) + "\n"));
    const size = lines.reduce((s, b) => s + b.length, 0);
    expect(size).toBeGreaterThan(1 << 20);
    // One bad line well inside the second chunk; then one straddling the first chunk's end.
    let straddling = 0;
    for (let off = 0; off + lines[straddling].length <= 1 << 20; straddling++) off += lines[straddling].length;
    for (const at of [600, straddling]) {
      const copy = [...lines];
      const [head, tail] = JSON.stringify(rec(at, { input: big, prompt: "@@" })).split("@@");
      copy[at] = Buffer.concat([Buffer.from(head), latin1, Buffer.from(tail + "\n")]);
      const p = write(`big-${at}.jsonl`, Buffer.concat(copy));
      const e = await failing([p]);
      expect([e.where, e.field]).toEqual([`line ${at + 1}`, "prompt"]);
    }
  });

  it("in a CSV cell: the row and the column", async () => {
    const head = "dataset,model,instance_id,input,reference,output,correct\n";
    const p = write(
      "latin1.csv",
      Buffer.concat([
        Buffer.from(head + "gsm8k,gpt-4o-2024-05-13,1,q,1,ok,true\ngsm8k,gpt-4o-2024-05-13,2,q,1,"),
        latin1,
        Buffer.from(",false\n"),
      ]),
    );
    const e = await failing([p]);
    expect([e.file, e.where, e.field]).toEqual([p, "row 2 (line 3)", "output"]);
    expect(e.message).toMatch(/not valid UTF-8/);
  });

  it("a CSV read in chunks: characters cut by a chunk's end are fine, a bad cell far in is found", async () => {
    const head = "dataset,model,instance_id,input,reference,output,correct\n";
    const row = (i: number, output: string) => `gsm8k,gpt-4o-2024-05-13,${i},q,1,"${output}",true\n`;
    // Rows of multi-byte characters (2 and 4 bytes) over several 64 KB read chunks: some are cut.
    const rows = Array.from({ length: 400 }, (_, i) => row(i, `caf\u00e9 \u{1F600} `.repeat(60 + (i % 7))));
    const good = write("chunks.csv", head + rows.join(""));
    expect(statSync(good).size).toBeGreaterThan(4 * 65536);
    const m = await importSnapshot({ root, snapshot: "ok", paths: [good] });
    expect(m.records).toBe(400);
    const bytes = Buffer.from(head + rows.slice(0, 350).join(""));
    const bad = write(
      "chunks-bad.csv",
      Buffer.concat([
        bytes,
        Buffer.from("gsm8k,gpt-4o-2024-05-13,x,q,1,"),
        latin1,
        Buffer.from(",true\n"),
        Buffer.from(rows.slice(351).join("")),
      ]),
    );
    const e = await failing([bad]);
    expect([e.where, e.field]).toEqual(["row 351 (line 352)", "output"]);
  });

  it("in a HELM run file: the file and the line", async () => {
    const inputs = generatedInputs(join(dir, "gen"));
    const run = inputs.files.find((f) => f.format === "helm")!.path;
    const p = join(run, "display_predictions.json");
    const text = readFileSync(p, "utf8");
    const at = text.indexOf('"predicted_text"');
    const lineNo = text.slice(0, at).split("\n").length;
    const close = text.indexOf('"', text.indexOf(":", at) + 3);
    writeFileSync(p, Buffer.concat([Buffer.from(text.slice(0, close)), latin1, Buffer.from(text.slice(close))]));
    const e = await failing([run], { register: true });
    expect(e.file).toBe(p);
    expect(e.where).toBe(`line ${lineNo}`);
    expect(e.field).toMatch(/^0\.predicted_text$/);
  });
});

describe("blank names", () => {
  it.each(["model", "dataset"])("a whitespace-only %s is an error, also with --register", async (field) => {
    const p = write("blank.jsonl", jsonl([rec(1), rec(2, { [field]: "   " })]));
    for (const register of [false, true]) {
      const e = await failing([p], { register });
      expect([e.where, e.field]).toEqual(["line 2", field]);
      expect(e.message).toMatch(/must not be blank/);
    }
  });
});

describe("deep nesting", () => {
  const deep = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);

  it("metadata 5,000 deep in JSONL is an error naming the file, line and field", async () => {
    const line = JSON.stringify(rec(2)).slice(0, -1) + `,"metadata":${deep(5000)}}`;
    const p = write("deep.jsonl", jsonl([rec(1), line]));
    const e = await failing([p]);
    expect([e.file, e.where, e.field]).toEqual([p, "line 2", "metadata"]);
    expect(e.message).toMatch(/nested more than \d+ levels deep/);
  });

  it("and in a CSV metadata cell", async () => {
    const cell = `"${deep(5000).replaceAll('"', '""')}"`;
    const p = write(
      "deep.csv",
      `dataset,model,instance_id,input,reference,output,correct,metadata\ngsm8k,gpt-4o-2024-05-13,1,q,1,o,true,${cell}\n`,
    );
    const e = await failing([p]);
    expect([e.where, e.field]).toEqual(["row 1 (line 2)", "metadata"]);
  });

  it("real nesting (a few levels) is kept", async () => {
    const p = write("ok.jsonl", jsonl([rec(1, { metadata: { a: { b: [{ c: { d: 1 } }] } } })]));
    const m = await importSnapshot({ root, snapshot: "ok", paths: [p] });
    expect(m.records).toBe(1);
  });
});

describe("unknown fields", () => {
  it("are a warning naming them once per file, and the import goes on", async () => {
    const a = write("a.jsonl", jsonl([rec(1, { scroe: 1 }), rec(2, { scroe: 0, extra: "x" }), rec(3, { scroe: 1 })]));
    const b = write("b.jsonl", jsonl([rec(4), rec(5)]));
    const c = write(
      "c.csv",
      "dataset,model,instance_id,input,reference,output,correct,scroe\ngsm8k,gpt-4o-2024-05-13,9,q,1,o,true,1\n",
    );
    const lines: string[] = [];
    const m = await importSnapshot({ root, snapshot: "ok", paths: [a, b, c], log: (l) => lines.push(l) });
    expect(m.records).toBe(6);
    const warnings = lines.filter((l) => l.startsWith("warning:"));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(a);
    expect(warnings[0]).toContain('"scroe" (first at line 1)');
    expect(warnings[0]).toContain('"extra" (first at line 2)');
    expect(warnings[1]).toContain(c);
    expect(warnings[1]).toContain('"scroe" (first at row 1 (line 2))');
  });

  it("an ErrorMap CSV's extra columns are named in the warning, not dropped silently", async () => {
    const e = write(
      "gsm8k.csv",
      "example_id,model,input_text,output_text,score,correct_answer,notes\n7,gpt-4o-2024-05-13,q,o,1,1,x\n",
    );
    const lines: string[] = [];
    const m = await importSnapshot({ root, snapshot: "ok", paths: [e], log: (l) => lines.push(l) });
    expect(m.records).toBe(1);
    const warnings = lines.filter((l) => l.startsWith("warning:"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"notes" (first at row 1 (line 2))');
  });
});

describe("a graded dataset with no usable threshold", () => {
  const zeros = () =>
    write(
      "zeros.jsonl",
      jsonl([1, 2, 3].map((i) => rec(i, { dataset: "brand-new-graded", correct: undefined, score: 0 }))),
    );

  it("asks for --threshold when --register adds it, and --threshold sets it", async () => {
    const p = zeros();
    const e = await failing([p], { register: true });
    expect(e.message).toMatch(/--threshold/);
    expect(e.where).toBe('dataset "brand_new_graded"');
    const m = await importSnapshot({ root, snapshot: "ok", paths: [p], register: true, threshold: 0.5 });
    expect(m.datasets.brand_new_graded).toMatchObject({ threshold: 0.5, failures: 3 });
    expect(loadRegistry(root).datasets.find((d) => d.id === "brand_new_graded")!.success_threshold).toBe(0.5);
  });

  it("the command line: --threshold needs --register and a number (usage errors)", async () => {
    const p = zeros();
    const bad = await runCli(["import", "--data", root, "--snapshot", "s", "--register", p]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--threshold T/);
    expect((await runCli(["import", "--data", root, "--snapshot", "s", "--threshold", "0.5", p])).code).toBe(2);
    expect(
      (await runCli(["import", "--data", root, "--snapshot", "s", "--register", "--threshold", "high", p])).code,
    ).toBe(2);
    const ok = await runCli(["import", "--data", root, "--snapshot", "s", "--register", "--threshold", "0.5", p]);
    expect(ok.stderr).toMatch(/3 failures/);
    expect(ok.code).toBe(0);
  });
});
