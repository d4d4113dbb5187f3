// A killed run (SIGKILL, no chance to clean up) loses no finished work: the next run makes only
// the missing judge calls, and the temporary folder the killed run left is cleaned up.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { HELM_DIR, JSONL_DIR, REPO } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

// Enough failures that the run is still judging when it is killed: the generated inputs with every
// item written 30 times (about 7,000 failures), or all of the shared data (6,367).
const SOURCES = sources<(dir: string) => { paths: string[]; failures: number }>({
  generated: () => (dir) => {
    const g = generatedInputs(dir, { copies: 30 });
    return { paths: g.paths, failures: g.records.filter((r) => r.kind !== "correct").length };
  },
  shared: () => () => ({
    paths: [
      ...["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((f) => join(JSONL_DIR, `${f}.jsonl`)),
      HELM_DIR,
    ],
    failures: 6367,
  }),
});

describe.each(SOURCES)("a killed errormap run (%s inputs)", (_name, inputs) => {
  let root: string;
  let failures = 0;
  beforeAll(async () => {
    root = tempRoot("errormap-kill-");
    const input = inputs(join(root, "inputs"));
    failures = input.failures;
    await importSnapshot({ root, snapshot: "s1", paths: input.paths });
  });
  afterAll(() => removeRoot(root));

  it("resumes with only the missing analyses", async () => {
    // Answers are journalled one line each as they arrive (and folded into shards only when the
    // judge stage ends): the complete lines are what a kill cannot take back.
    const journalled = () =>
      fg
        .sync("heuristic/journal-*.jsonl", { cwd: join(root, "cache"), absolute: true })
        .reduce((n, p) => n + (readFileSync(p, "utf8").match(/\n/g)?.length ?? 0), 0);
    const child = spawn(
      process.execPath,
      [join(REPO, "bin/errormap.mjs"), "run", "--data", root, "--snapshot", "s1", "--release", "r1"],
      {
        env: { ...process.env, ERRORMAP_QUIET: "1" },
        stdio: "ignore",
      },
    );
    // Kill it hard once part of the analyses are cached, before it can write the release.
    const deadline = Date.now() + 60_000;
    while (journalled() < 1500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const done = journalled();
    expect(fg.sync("heuristic/*.jsonl", { cwd: join(root, "cache") }).filter((f) => !f.includes("journal-"))).toEqual(
      [],
    ); // no shard written yet
    expect(done).toBeGreaterThanOrEqual(1500);
    expect(done).toBeLessThan(failures);
    expect(existsSync(join(root, "releases/r1/release.json"))).toBe(false);
    // Its locks (one run per data root, one writer per release) are left, naming a pid that is gone.
    expect(JSON.parse(readFileSync(join(root, "locks/run.lock"), "utf8")).pid).toBe(child.pid);
    expect(existsSync(join(root, "locks/release-r1.lock"))).toBe(true);

    const again = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
    expect(again.code, again.stderr).toBe(0);
    const info = JSON.parse((await runCli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info.analysis_calls).toBe(failures - done);
    expect(info.cached).toBe(done);
    expect(readdirSync(join(root, "releases")).filter((n) => n.startsWith("."))).toEqual([]);
    expect(readdirSync(join(root, "locks"))).toEqual([]); // taken over, then released
    // The killed run's journal was folded into the shards and deleted.
    expect(fg.sync("heuristic/journal-*", { cwd: join(root, "cache") })).toEqual([]);
    expect(fg.sync("heuristic/*.jsonl", { cwd: join(root, "cache") }).length).toBe(256);
  });
});
