// The whole real data set through the real command, in a child process: `errormap import` then
// `errormap info --json` (issue 2, "Done when").
import { existsSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { afterAll, describe, expect, it } from "vitest";
import { HELM_DIR, JSONL_DIR, hasEvaldata } from "../helpers/evaldata.ts";
import { removeRoot, runCli, snapshotEntries, tempRoot } from "./helpers.ts";

describe.skipIf(!hasEvaldata)("errormap import / info (child process)", () => {
  const root = tempRoot();
  afterAll(() => removeRoot(root));
  const jsonl = readdirSync(JSONL_DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => join(JSONL_DIR, f));

  it("imports the 5 jsonl files and the HELM runs: 10,900 records, 6,367 failures, 6 datasets", async () => {
    expect(jsonl).toHaveLength(5);
    const r = await runCli(["import", "--data", root, "--snapshot", "s1", ...jsonl, HELM_DIR]);
    expect(r.stderr).toMatch(/imported snapshot s1: 10900 records, 6367 failures, 6 datasets/);
    expect(r.code).toBe(0);
    expect(snapshotEntries(root)).toEqual(["s1"]);
  });

  it("info --json prints exactly one JSON object with the counts", async () => {
    const r = await runCli(["info", "--data", root, "--snapshot", "s1", "--json"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.length > 0);
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0]);
    expect(info).toMatchObject({ records: 10900, failures: 6367, datasets: 6 });
    expect(typeof info.models).toBe("number");
    // 10 + 10 + 10 + 10 + 11 + 6 source names, fewer canonical models once aliases are merged.
    expect(info.models).toBeGreaterThan(30);
    expect(info.models).toBeLessThan(57);
  });

  it("a second import into the same id fails with exit code 1 and leaves s1 alone", async () => {
    const r = await runCli(["import", "--data", root, "--snapshot", "s1", jsonl[0]]);
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
