// A killed run (SIGKILL, no chance to clean up) loses no finished work: the next run makes only
// the missing judge calls, and the temporary folder the killed run left is cleaned up.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { HELM_DIR, JSONL_DIR, REPO, hasEvaldata } from "../helpers/evaldata.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

describe.skipIf(!hasEvaldata)("a killed errormap run", () => {
  let root: string;
  beforeAll(async () => {
    root = tempRoot("errormap-kill-");
    const jsonl = ["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((f) => join(JSONL_DIR, `${f}.jsonl`));
    await importSnapshot({ root, snapshot: "s1", paths: [...jsonl, HELM_DIR] });
  });
  afterAll(() => removeRoot(root));

  it("resumes with only the missing analyses", async () => {
    // Answers are journalled one line each as they arrive (and folded into shards only when the
    // judge stage ends): the complete lines are what a kill cannot take back.
    const journalled = () =>
      fg.sync("heuristic/journal-*.jsonl", { cwd: join(root, "cache"), absolute: true }).reduce((n, p) => n + (readFileSync(p, "utf8").match(/\n/g)?.length ?? 0), 0);
    const child = spawn(process.execPath, [join(REPO, "bin/errormap.mjs"), "run", "--data", root, "--snapshot", "s1", "--release", "r1"], {
      env: { ...process.env, ERRORMAP_QUIET: "1" },
      stdio: "ignore",
    });
    // Kill it hard once part of the analyses are cached, before it can write the release.
    const deadline = Date.now() + 60_000;
    while (journalled() < 1500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const done = journalled();
    expect(fg.sync("heuristic/*.jsonl", { cwd: join(root, "cache") }).filter((f) => !f.includes("journal-"))).toEqual([]); // no shard written yet
    expect(done).toBeGreaterThanOrEqual(1500);
    expect(done).toBeLessThan(6367);
    expect(existsSync(join(root, "releases/r1/release.json"))).toBe(false);

    const again = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1"]);
    expect(again.code, again.stderr).toBe(0);
    const info = JSON.parse((await runCli(["info", "--data", root, "--release", "r1", "--json"])).stdout);
    expect(info.analysis_calls).toBe(6367 - done);
    expect(info.cached).toBe(done);
    expect(readdirSync(join(root, "releases")).filter((n) => n.startsWith("."))).toEqual([]);
    // The killed run's journal was folded into the shards and deleted.
    expect(fg.sync("heuristic/journal-*", { cwd: join(root, "cache") })).toEqual([]);
    expect(fg.sync("heuristic/*.jsonl", { cwd: join(root, "cache") }).length).toBe(256);
  });
});
