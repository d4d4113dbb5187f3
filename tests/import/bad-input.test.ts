// Bad input stops the import with an error naming the file, the line (or row, or instance id) and
// the field, and leaves nothing behind: no snapshot folder, no temporary folder, registry unchanged.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ImportError } from "../../scripts/import/errors.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { layout } from "../../src/lib/paths.ts";
import { HELM_DIR } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { csvLine, filesOf, rec, removeRoot, rootWithInputs, snapshotEntries, tempRoot } from "./helpers.ts";

const roots: string[] = [];
afterAll(() => roots.forEach(removeRoot));

let root: string;
let dir: string;
beforeEach(() => {
  ({ root, dir } = rootWithInputs());
  roots.push(root);
});

function jsonl(name: string, lines: (Record<string, unknown> | string)[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
  return p;
}

const CSV_COLS = ["dataset", "model", "instance_id", "input", "reference", "output", "score", "correct"];
function csv(name: string, rows: unknown[][], cols = CSV_COLS): string {
  const p = join(dir, name);
  writeFileSync(p, csvLine(cols) + rows.map(csvLine).join(""));
  return p;
}
const csvRow = (i: number, over: Record<string, unknown> = {}) => CSV_COLS.map((c) => rec(i, { score: 1, ...over })[c]);

/** Runs an import that must fail; returns the error after checking nothing was left behind. */
async function failing(
  paths: string[],
  extra: { register?: boolean; snapshot?: string } = {},
): Promise<ImportError | Error> {
  const registryBefore = filesOf(layout(root).registry);
  const snapshotsBefore = snapshotEntries(root);
  let err: Error | undefined;
  try {
    await importSnapshot({ root, snapshot: extra.snapshot ?? "bad", paths, register: extra.register });
  } catch (e) {
    err = e as Error;
  }
  expect(err, "the import should have failed").toBeDefined();
  expect(snapshotEntries(root)).toEqual(snapshotsBefore);
  expect(filesOf(layout(root).registry)).toEqual(registryBefore);
  return err!;
}

/** The error names the file, where in it, and the field. */
function expectNamed(err: Error, file: string, where: RegExp, field: string | null) {
  expect(err).toBeInstanceOf(ImportError);
  const e = err as ImportError;
  expect(e.file).toBe(file);
  expect(e.where).toMatch(where);
  expect(e.field).toBe(field);
  // The one form of every data problem (src/lib/data/errors.ts): "<file>: line N, field a.b: message".
  expect(e.message.startsWith(`${file}: ${e.where}${field ? `, field ${field}: ` : ": "}`)).toBe(true);
}

describe("JSONL bad input", () => {
  it("malformed JSON line", async () => {
    const p = jsonl("bad.jsonl", [rec(1), rec(2), '{"dataset": "gsm8k", "model": ', rec(4)]);
    const e = await failing([p]);
    expectNamed(e, p, /^line 3$/, null);
    expect(e.message).toMatch(/malformed JSON/);
  });

  it("a line that is JSON but not an object", async () => {
    const e = await failing([jsonl("arr.jsonl", [rec(1), "[1, 2]"])]);
    expect(e.message).toMatch(/arr\.jsonl: line 2: expected a JSON object/);
  });

  it.each(["dataset", "model", "instance_id", "input", "reference", "output"])(
    "missing required field %s",
    async (field) => {
      const bad = rec(2);
      delete bad[field];
      const p = jsonl("missing.jsonl", [rec(1), bad]);
      const e = await failing([p]);
      expectNamed(e, p, /^line 2$/, field);
    },
  );

  it("neither score nor correct", async () => {
    const p = jsonl("nograde.jsonl", [rec(1, { correct: undefined })]);
    const e = await failing([p]);
    expectNamed(e, p, /^line 1$/, "score");
    expect(e.message).toMatch(/score or a correct flag/);
  });

  it.each([["high"], [[1]], [{ v: 1 }]])("score that is not a number: %j", async (score) => {
    const p = jsonl("score.jsonl", [rec(1), rec(2), rec(3, { score })]);
    const e = await failing([p]);
    expectNamed(e, p, /^line 3$/, "score");
  });

  it("an empty instance id is refused, with the line named", async () => {
    const p = jsonl("emptyid.jsonl", [rec(1), rec(2, { instance_id: "" })]);
    const e = await failing([p]);
    expectNamed(e, p, /^line 2$/, "instance_id");
    expect(e.message).toMatch(/must not be empty/);
  });

  it("an empty output is accepted and counts as a failure when marked wrong", async () => {
    const p = jsonl("emptyout.jsonl", [rec(1), rec(2, { output: "", correct: false })]);
    const m = await importSnapshot({ root, snapshot: "ok", paths: [p] });
    expect(m.records).toBe(2);
    expect(m.failures).toBe(1);
    expect(loadRecords(root, m).find((r) => r.instance_id === "t/2")!.output).toBe("");
  });

  it("the same record twice in the new inputs names both places", async () => {
    const a = jsonl("a.jsonl", [rec(1), rec(2)]);
    const b = jsonl("b.jsonl", [rec(3), rec(2, { model: "GPT-4o-2024-05-13" })]);
    const e = await failing([a, b]);
    expectNamed(e, b, /^line 2$/, "instance_id");
    expect(e.message).toContain(`first seen in ${a}, record 2`);
  });

  it("a file with no records", async () => {
    const p = jsonl("empty.jsonl", [""]);
    const e = await failing([p]);
    expect(e.message).toMatch(/holds no records/);
  });

  it("a failure in a later file leaves no trace of the earlier, valid files", async () => {
    const good = jsonl("good.jsonl", [rec(1), rec(2)]);
    const bad = jsonl("bad.jsonl", [rec(3), "not json"]);
    await failing([good, bad]);
  });

  it("a failed --force import leaves the existing snapshot byte-identical", async () => {
    await importSnapshot({ root, snapshot: "keep", paths: [jsonl("good.jsonl", [rec(1), rec(2)])] });
    const before = filesOf(layout(root).snapshot("keep"));
    const bad = jsonl("bad.jsonl", [rec(3), rec(4, { score: "x" })]);
    await expect(importSnapshot({ root, snapshot: "keep", paths: [bad], force: true })).rejects.toThrow(
      /line 2, field score: /,
    );
    expect(snapshotEntries(root)).toEqual(["keep"]);
    expect(filesOf(layout(root).snapshot("keep"))).toEqual(before);
  });
});

describe("CSV bad input", () => {
  it("a row with the wrong number of columns", async () => {
    const p = join(dir, "cols.csv");
    writeFileSync(p, csvLine(CSV_COLS) + csvLine(csvRow(1)) + csvLine(csvRow(2).slice(0, 6)) + csvLine(csvRow(3)));
    const e = await failing([p]);
    expectNamed(e, p, /^row 2 \(line 3\)$/, null);
    expect(e.message).toMatch(/wrong number of columns: 6 \(header has 8\)/);
  });

  it("a row with too many columns", async () => {
    const p = join(dir, "cols2.csv");
    writeFileSync(p, csvLine(CSV_COLS) + csvLine(csvRow(1)) + csvLine(csvRow(2)) + csvLine([...csvRow(3), "extra"]));
    const e = await failing([p]);
    expectNamed(e, p, /^row 3 \(line 4\)$/, null);
    expect(e.message).toMatch(/wrong number of columns: 9 \(header has 8\)/);
  });

  it("a score that is not a number", async () => {
    const p = csv("score.csv", [csvRow(1), csvRow(2, { score: "0.5x" })]);
    const e = await failing([p]);
    expectNamed(e, p, /^row 2 \(line 3\)$/, "score");
    expect(e.message).toMatch(/not a number: "0\.5x"/);
  });

  it("a correct flag that is not a boolean", async () => {
    const p = csv("correct.csv", [csvRow(1, { correct: "maybe" })]);
    expectNamed(await failing([p]), p, /^row 1 \(line 2\)$/, "correct");
  });

  it("a missing required column is a missing field on the first row", async () => {
    const cols = CSV_COLS.filter((c) => c !== "output");
    const p = csv("nooutput.csv", [cols.map((c) => rec(1, { score: 1 })[c])], cols);
    const e = await failing([p]);
    expectNamed(e, p, /^row 1 \(line 2\)$/, "output");
    expect(e.message).toMatch(/missing required field/);
  });

  it("an empty instance id is refused; an empty output is accepted", async () => {
    const bad = csv("id.csv", [csvRow(1), csvRow(2, { instance_id: "" })]);
    expectNamed(await failing([bad]), bad, /^row 2 \(line 3\)$/, "instance_id");
    const ok = csv("out.csv", [csvRow(1), csvRow(2, { output: "", correct: false })]);
    const m = await importSnapshot({ root, snapshot: "ok", paths: [ok] });
    expect(m.failures).toBe(1);
    expect(loadRecords(root, m).map((r) => r.output)).toEqual(["It is 2.", ""]);
  });

  it("reference ErrorMap CSV: a bad score names the row and the score field", async () => {
    const p = join(dir, "gsm8k.csv");
    writeFileSync(
      p,
      csvLine(["example_id", "model", "input_text", "output_text", "score", "correct_answer"]) +
        csvLine(["e1", "gpt-4o-2024-05-13", "q", "a", "one", "1"]),
    );
    expectNamed(await failing([p]), p, /^row 1 \(line 2\)$/, "score");
  });
});

describe("unknown names", () => {
  it("an unknown model stops with close matches and how to register; --register adds it", async () => {
    const p = jsonl("unknown.jsonl", [rec(1), rec(2, { model: "gpt-4o-2024-05-14" })]);
    const e = await failing([p]);
    expectNamed(e, p, /^line 2$/, "model");
    expect(e.message).toMatch(/unknown model name "gpt-4o-2024-05-14"/);
    expect(e.message).toMatch(/close matches: gpt-4o-2024-05-13/);
    expect(e.message).toMatch(/data\/registry\/models\.json/);
    expect(e.message).toMatch(/--register/);

    const logs: string[] = [];
    const m = await importSnapshot({ root, snapshot: "reg", paths: [p], register: true, log: (l) => logs.push(l) });
    expect(m.models).toEqual(["gpt-4o-2024-05-13", "gpt-4o-2024-05-14"]);
    expect(logs).toContain('registered model "gpt-4o-2024-05-14" as gpt-4o-2024-05-14');
    const models = JSON.parse(readFileSync(layout(root).modelsFile, "utf8")) as { id: string; aliases: string[] }[];
    const added = models.find((x) => x.id === "gpt-4o-2024-05-14")!;
    expect(added.aliases).toEqual(["gpt-4o-2024-05-14"]);
    expect(models.map((x) => x.id)).toEqual(models.map((x) => x.id).sort());
    // Once registered, the name is known: a plain import now succeeds.
    await importSnapshot({ root, snapshot: "reg2", paths: [p] });
  });

  it("an unknown dataset stops the same way", async () => {
    const p = jsonl("ds.jsonl", [rec(1, { dataset: "gsm9k" })]);
    const e = await failing([p]);
    expectNamed(e, p, /^line 1$/, "dataset");
    expect(e.message).toMatch(/close matches: .*gsm8k/);
    expect(e.message).toMatch(/data\/registry\/datasets\.json.*--register/);
  });
});

/** A folder of HELM runs and the instances of each: generated quiz runs, and the real BBQ runs. */
const HELM_SOURCES = sources<{ helm: string; instances: number }>({
  generated: () => {
    const made = tempRoot("errormap-helm-bad-");
    roots.push(made);
    generatedInputs(made, { keep: (d) => d === "demo_quiz", formatOf: () => "helm" });
    return { helm: join(made, "helm"), instances: 40 };
  },
  shared: () => ({ helm: HELM_DIR, instances: 100 }),
});

describe.each(HELM_SOURCES)("HELM bad input (%s runs)", (_name, { helm: HELM_DIR, instances }) => {
  const runs = readdirSync(HELM_DIR).sort();

  /** Copies run directories into `dir` (only the files HELM_FILES needs), leaving `drop` out of the first. */
  function copyRuns(names: string[], drop: string): string {
    const top = join(dir, "runs");
    names.forEach((name, i) => {
      mkdirSync(join(top, name), { recursive: true });
      for (const f of readdirSync(join(HELM_DIR, name)))
        if (!(i === 0 && f === drop)) copyFileSync(join(HELM_DIR, name, f), join(top, name, f));
    });
    return top;
  }

  it.each(["instances.json", "display_predictions.json", "per_instance_stats.json"])(
    "a run directory without %s",
    async (drop) => {
      const top = copyRuns(runs.slice(0, 1), drop);
      const run = join(top, runs[0]);
      const e = await failing([run]);
      expectNamed(e, run, /^run directory$/, drop);
      expect(e.message).toMatch(/missing file/);
    },
  );

  it("a folder of runs in which one lacks its run_spec.json", async () => {
    const top = copyRuns(runs.slice(0, 2), "run_spec.json");
    // A folder holding a sub-folder without run_spec.json: the sub-folder is named.
    const e = await failing([top]);
    expect(e.message).toContain(runs[0]);
    expect(e.message).toMatch(/run_spec\.json/);
  });

  it("a suite folder's sub-folders that are not runs are skipped; a folder with no run at all is an error", async () => {
    const top = copyRuns(runs.slice(0, 1), "none");
    mkdirSync(join(top, "groups"), { recursive: true });
    writeFileSync(join(top, "groups", "summary.json"), "{}");
    const root2 = tempRoot();
    try {
      const m = await importSnapshot({ root: root2, snapshot: "helm", paths: [top] });
      expect(m.records).toBe(instances);
    } finally {
      removeRoot(root2);
    }
    const e = await failing([join(top, "groups")]);
    expect(e.message).toMatch(/not a HELM run directory/);
  });

  it("a run whose stats lack the score of one instance names the instance", async () => {
    const top = copyRuns(runs.slice(0, 1), "none");
    const p = join(top, runs[0], "per_instance_stats.json");
    const stats = JSON.parse(readFileSync(p, "utf8")) as { instance_id: string; stats: { name: { name: string } }[] }[];
    const victim = stats[5].instance_id;
    stats[5].stats = stats[5].stats.filter((s) => s.name.name !== "exact_match");
    writeFileSync(p, JSON.stringify(stats));
    const e = await failing([join(top, runs[0])]);
    expectNamed(e, p, new RegExp(`^instance ${victim}$`), "exact_match");
  });
});
