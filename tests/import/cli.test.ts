// A whole data set through the real command, in a child process: `errormap import` then
// `errormap info --json`, on the generated inputs in every format and on all of ../shared/evaldata
// when it is there.
import { existsSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { afterAll, describe, expect, it } from "vitest";
import { HELM_DIR, JSONL_DIR } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { removeRoot, runCli, snapshotEntries, tempRoot } from "./helpers.ts";

interface Input {
  paths: string[];
  records: number;
  failures: number;
  datasets: number;
  /** Canonical models: [at least, at most]. */
  models: [number, number];
}

const SOURCES = sources<(dir: string) => Input>({
  generated: () => (dir) => {
    const g = generatedInputs(dir);
    const models = new Set(g.records.map((r) => r.record.model)).size;
    return {
      paths: g.paths,
      records: g.records.length,
      failures: g.records.filter((r) => r.kind !== "correct").length,
      datasets: 3,
      models: [models, models],
    };
  },
  // The 5 jsonl files and the HELM runs: 10,900 records, 6,367 failures, 6 datasets;
  // 10 + 10 + 10 + 10 + 11 + 6 source names, fewer canonical models once aliases are merged.
  shared: () => () => {
    const jsonl = readdirSync(JSONL_DIR)
      .filter((f) => f.endsWith(".jsonl"))
      .sort()
      .map((f) => join(JSONL_DIR, f));
    expect(jsonl).toHaveLength(5);
    return { paths: [...jsonl, HELM_DIR], records: 10900, failures: 6367, datasets: 6, models: [31, 56] };
  },
});

describe.each(SOURCES)("errormap import / info (child process) on the %s inputs", (_name, inputs) => {
  const root = tempRoot();
  afterAll(() => removeRoot(root));
  const input = inputs(join(root, "inputs"));

  it("imports every input: the records, failures and datasets they hold", async () => {
    const r = await runCli(["import", "--data", root, "--snapshot", "s1", ...input.paths]);
    expect(r.stderr).toMatch(
      new RegExp(
        `imported snapshot s1: ${input.records} records, ${input.failures} failures, ${input.datasets} datasets`,
      ),
    );
    expect(r.code).toBe(0);
    expect(snapshotEntries(root)).toEqual(["s1"]);
  });

  it("info --json prints exactly one JSON object with the counts", async () => {
    const r = await runCli(["info", "--data", root, "--snapshot", "s1", "--json"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0]);
    expect(info).toMatchObject({ records: input.records, failures: input.failures, datasets: input.datasets });
    expect(typeof info.models).toBe("number");
    expect(info.models).toBeGreaterThanOrEqual(input.models[0]);
    expect(info.models).toBeLessThanOrEqual(input.models[1]);
  });

  it("a second import into the same id fails with exit code 1 and leaves s1 alone", async () => {
    const r = await runCli(["import", "--data", root, "--snapshot", "s1", input.paths[0]!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(r.stdout).toBe("");
    expect(snapshotEntries(root)).toEqual(["s1"]);
  });
});

describe("the command's cache of type-stripped sources", () => {
  it("is filled on first use and drops entries unused for 30 days when it adds one", async () => {
    const cacheDir = tempRoot("errormap-ncc-");
    const env = { NODE_COMPILE_CACHE: cacheDir };
    try {
      const first = await runCli(["--help"], env);
      expect(first.code, first.stderr).toBe(0);
      // Node keeps its cache in a folder per version under NODE_COMPILE_CACHE; ours is inside it.
      const [dir] = fg.sync("*/errormap-ts", { cwd: cacheDir, onlyDirectories: true, absolute: true });
      const entries = readdirSync(dir!).filter((f) => /^[0-9a-f]{64}\.js$/.test(f));
      expect(entries.length).toBeGreaterThan(0); // scripts/cli.ts and what it imports
      const old = join(dir!, "old.js");
      const recent = join(dir!, "recent.js");
      writeFileSync(old, "");
      writeFileSync(recent, "");
      const fortyDaysAgo = (Date.now() - 40 * 86_400_000) / 1000;
      utimesSync(old, fortyDaysAgo, fortyDaysAgo);
      // Unchanged sources add nothing, so nothing is pruned; an edited one (here: a lost entry) does.
      expect((await runCli(["--help"], env)).code).toBe(0);
      expect(existsSync(old)).toBe(true);
      rmSync(join(dir!, entries[0]!));
      expect((await runCli(["--help"], env)).code).toBe(0);
      expect(existsSync(old)).toBe(false);
      expect(existsSync(recent)).toBe(true);
      expect(existsSync(join(dir!, entries[0]!))).toBe(true);
    } finally {
      removeRoot(cacheDir);
    }
  });
});
