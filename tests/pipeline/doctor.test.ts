// `errormap doctor` as an auditor uses it (README, "The `errormap` command"): every published
// release against the digest recorded outside it (data/published.json), cache entries a release was
// built from, folders under releases/ that are not releases, leftover temporary folders, orphan
// cache entries summed up per judge. Each test tampers with a copy of one data root the project
// generates (scripts/demo.ts writeDemo, a heuristic run, a publication).
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../scripts/demo.ts";
import { JudgeCache } from "../../scripts/judges/cache.ts";
import { doctor } from "../../scripts/commands/doctor.ts";
import { publishRelease } from "../../scripts/commands/publish.ts";
import { outputsHash, releaseFiles } from "../../scripts/pipeline/release-files.ts";
import { readPublished } from "../../scripts/pipeline/published.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { sha256File, stableJson } from "../../src/lib/jsonio.ts";
import type { Release } from "../../src/lib/schemas.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

const roots: string[] = [];
let base: string;

beforeAll(async () => {
  base = tempRoot("errormap-doctor-base-");
  roots.push(base);
  await writeDemo(base);
  await runPipeline({ root: base, snapshot: "demo", release: "r1", title: "First" });
  publishRelease(base, "r1", "2026-01-02");
  await runPipeline({ root: base, snapshot: "demo", release: "r2", previous: "r1", title: "Second", sample: 0.5 });
}, 120_000);
afterAll(() => roots.forEach(removeRoot));

/** A fresh copy of the base data root, to tamper with. */
function copy(): string {
  const root = tempRoot("errormap-doctor-");
  roots.push(root);
  cpSync(base, root, { recursive: true });
  return root;
}

const releaseJson = (root: string, id: string) => join(root, "releases", id, "release.json");
const readRelease = (root: string, id: string): Release => JSON.parse(readFileSync(releaseJson(root, id), "utf8"));
const writeRelease = (root: string, id: string, r: unknown) => writeFileSync(releaseJson(root, id), stableJson(r));

/** The problems doctor reports about `path` (a folder: anything under it). */
const about = (root: string, path: string) =>
  doctor(root).problems.filter((p) => p.where === path || p.where.startsWith(path + "/"));

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

describe("published releases against data/published.json", () => {
  it("publish records the digest outside the release and prints it; the data root is clean", async () => {
    const root = copy();
    expect(readPublished(root)).toEqual([
      { release: "r1", date: "2026-01-02", digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(doctor(root).problems).toEqual([]);
    const cli = await runCli(["release", "publish", "--data", root, "--release", "r2", "--date", "2026-02-03"]);
    expect(cli.code, cli.stderr).toBe(0);
    const entries = readPublished(root);
    expect(entries.map((e) => [e.release, e.date])).toEqual([
      ["r1", "2026-01-02"],
      ["r2", "2026-02-03"],
    ]);
    expect(cli.stdout).toContain(`digest ${entries[1].digest}`);
    expect(doctor(root).problems).toEqual([]);
  });

  it.each([
    ["title", (r: Release) => ({ ...r, title: "A better title" })],
    ["counts", (r: Release) => ({ ...r, counts: { ...r.counts, analysed: r.counts.analysed - 1 } })],
    ["publication date", (r: Release) => ({ ...r, published: { ...r.published!, date: "2025-12-31" } })],
  ])("an edited %s in a published release.json is caught", (what, edit) => {
    const root = copy();
    writeRelease(root, "r1", edit(readRelease(root, "r1")));
    const found = about(root, join(root, "releases", "r1"));
    expect(found).toHaveLength(1);
    expect(found[0].what).toMatch(/differs from the digest recorded when it was published/);
    if (what === "publication date")
      expect(found[0].what).toMatch(/publication date reads 2025-12-31, recorded 2026-01-02/);
    expect(found[0].fix).toMatch(/restore .* from version control/);
  });

  it("an edited output file whose hash was edited in release.json too is caught", () => {
    const root = copy();
    const p = join(root, "releases", "r1", "aggregates.json");
    writeFileSync(p, readFileSync(p, "utf8").replace(/"accuracy": 0\.\d+/, '"accuracy": 0.5'));
    // The tamperer fixes every hash inside the release: files, and outputs_sha256 over them.
    const r = readRelease(root, "r1");
    const now = outputsHash(root, "r1", releaseFiles(r));
    writeRelease(root, "r1", {
      ...r,
      files: { ...r.files, "aggregates.json": sha256File(p) },
      published: { ...r.published!, outputs_sha256: now.hash },
    });
    const found = about(root, join(root, "releases", "r1"));
    expect(found.map((f) => f.what)).toEqual([
      expect.stringMatching(/differs from the digest recorded when it was published/),
    ]);
  });

  it("a published release replaced by an unpublished one (published: null) is caught, and cannot be published again", () => {
    const root = copy();
    writeRelease(root, "r1", { ...readRelease(root, "r1"), published: null });
    const found = about(root, join(root, "releases", "r1"));
    expect(found.map((f) => f.what)).toEqual([
      expect.stringMatching(/was published on 2026-01-02 .* but its release.json says it is not/),
    ]);
    expect(() => publishRelease(root, "r1", "2026-03-04")).toThrow(
      /was published on 2026-01-02 .*replaced, removed or edited after publication/,
    );
    expect(readPublished(root)).toEqual(readPublished(base));
  });

  it("a published release's id is never written again by a run, even once its folder is gone", async () => {
    const root = copy();
    writeRelease(root, "r1", { ...readRelease(root, "r1"), published: null });
    await expect(runPipeline({ root, snapshot: "demo", release: "r1", force: true })).rejects.toThrow(
      /was published on 2026-01-02/,
    );
    rmSync(join(root, "releases", "r1"), { recursive: true });
    await expect(runPipeline({ root, snapshot: "demo", release: "r1" })).rejects.toThrow(/was published on 2026-01-02/);
    expect(existsSync(join(root, "releases", "r1"))).toBe(false);
  });

  it("a deleted release folder of a published release is caught", () => {
    const root = copy();
    rmSync(join(root, "releases", "r1"), { recursive: true });
    const found = about(root, join(root, "releases", "r1"));
    expect(found.map((f) => f.what)).toEqual([
      expect.stringMatching(/release "r1", published on 2026-01-02 .* is missing/),
    ]);
  });

  it("--record-published records releases published before data/published.json existed, once, and refuses a changed one", async () => {
    const root = copy();
    const before = readPublished(root);
    rmSync(join(root, "published.json"));
    expect(doctor(root).problems.map((p) => p.what)).toEqual([
      expect.stringMatching(/published release "r1" has no digest/),
    ]);
    const ok = await runCli(["doctor", "--data", root, "--record-published"]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(readPublished(root)).toEqual(before);

    // A release changed since it was published is not recorded: its digest would bless the change.
    rmSync(join(root, "published.json"));
    const p = join(root, "releases", "r1", "aggregates.json");
    writeFileSync(p, readFileSync(p, "utf8").replace(/"accuracy": 0\.\d+/, '"accuracy": 0.5'));
    const refused = await runCli(["doctor", "--data", root, "--record-published"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not recorded: release r1: aggregates\.json differ/);
    expect(existsSync(join(root, "published.json"))).toBe(false);
  });
});

describe("the cache a release was built from", () => {
  it("a deleted cache shard that a published release was built from: its missing entries are reported", () => {
    const root = copy();
    const keys = readFileSync(join(root, "releases", "r1", "cache-keys.txt"), "utf8")
      .split("\n")
      .filter(Boolean);
    const shard = `${keys[0].slice(0, 2)}.jsonl`;
    const inShard = keys.filter((k) => k.startsWith(keys[0].slice(0, 2))).length;
    rmSync(join(root, "cache", "heuristic", shard));
    const found = doctor(root).problems.filter((p) => p.what.includes('release "r1"'));
    expect(found).toEqual([
      {
        where: join(root, "cache", "heuristic"),
        what: expect.stringMatching(
          new RegExp(
            `^${inShard} of the ${keys.length} cache entries release "r1" was built from (is|are) missing \\(e\\.g\\. ${keys[0]}; shard ${shard.replace(".", "\\.")}\\)`,
          ),
        ),
        fix: expect.stringMatching(/restore .* from version control/),
      },
    ]);
  });

  it("orphan cache entries are summed up per judge: one line, a count and an example", () => {
    const root = copy();
    const c = new JudgeCache(join(root, "cache"));
    for (let i = 0; i < 50; i++)
      c.put({ judge: "heuristic", judgeModel: "rules", promptVersion: "test", request: { orphan: i } }, { i });
    c.flush();
    const problems = doctor(root).problems;
    expect(problems).toEqual([
      {
        where: join(root, "cache", "heuristic"),
        what: expect.stringMatching(
          /^orphan cache entries: 50 that no release uses, e\.g\. .+\.jsonl:\d+ \([0-9a-f]{64}\)$/,
        ),
        fix: expect.any(String),
      },
    ]);
  });
});

describe("folders under releases/ and snapshots/", () => {
  it("a stray release.json holding {} is reported by path, and doctor, info and run go on with the other releases", async () => {
    const root = copy();
    mkdirSync(join(root, "releases", "x"));
    writeFileSync(releaseJson(root, "x"), "{}\n");
    const clean = doctor(base);
    const d = doctor(root);
    expect(d.problems).toEqual([
      {
        where: releaseJson(root, "x"),
        what: expect.stringMatching(/^not a valid release: field id: /),
        fix: expect.any(String),
      },
    ]);
    expect(d.checked.releases).toBe(clean.checked.releases);
    expect(d.checked.releases).toBe(2);
    // A folder with no release.json is reported too.
    mkdirSync(join(root, "releases", "y"));
    expect(about(root, join(root, "releases", "y")).map((p) => p.what)).toEqual([
      "not a release: it holds no release.json",
    ]);

    const info = await runCli(["info", "--data", root, "--json"]);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout).releases.map((r: { id: string }) => r.id)).toEqual(["r1", "r2"]);
    expect(info.stderr).toContain(`${releaseJson(root, "x")}: not a valid release`);
    const run = await runCli(["run", "--data", root, "--snapshot", "demo", "--release", "r3"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readRelease(root, "r3").previous).toBe("r2");
  });

  it("leftover temporary folders of killed imports and runs are reported with their size; --fix removes them", async () => {
    const root = copy();
    const dead = await deadPid();
    const leftovers = [
      join(root, "snapshots", `.tmp-s9-${dead}`),
      join(root, "releases", `.tmp-r9-${dead}`),
      join(root, "releases", `.tmp-r1-${dead}.old`),
    ];
    for (const dir of leftovers) {
      mkdirSync(join(dir, "records"), { recursive: true });
      writeFileSync(join(dir, "records", "a.jsonl"), "x".repeat(3000));
    }
    // A folder of a process still running (this one) is its work in progress: left alone.
    const live = join(root, "snapshots", `.tmp-s8-${process.pid}`);
    mkdirSync(live);
    const found = doctor(root).problems;
    expect(found.map((p) => p.where).sort()).toEqual([...leftovers].sort());
    for (const p of found)
      expect(p.what).toMatch(
        new RegExp(`^a temporary folder left by a killed (import|run) \\(process ${dead} is gone\\), 2\\.9 KB$`),
      );
    expect(found[0].fix).toMatch(/errormap doctor --fix/);

    const fixed = await runCli(["doctor", "--data", root, "--fix", "--json"]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(JSON.parse(fixed.stdout).fixed.sort()).toEqual([...leftovers].sort());
    for (const dir of leftovers) expect(existsSync(dir)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(readdirSync(join(root, "releases")).sort()).toEqual(["r1", "r2"]);
  });
});
