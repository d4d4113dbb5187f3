// One writer per release, one run per data root (scripts/pipeline/locks.ts, scripts/lib/lock.ts), with
// the real command in child processes. Nothing here depends on timing: a run is held mid-way by
// the loopback judge (tests/helpers/chat-server.ts, a "gate" fault) until the test lets it go,
// and every step waits for an event (a request arriving, a process ending), not for a delay.
// - a release whose lock is held: publish, review import and run --force are refused, naming the holder;
// - a run held mid-way: publish is refused, a second run on the data root (same release or
//   another) is refused at once naming the first's pid and release; the run then ends, and the
//   release is published, intact (doctor clean);
// - a run --force whose lock is removed by hand and whose release is published meanwhile refuses
//   at its final check, exits non-zero, and the release stays published and intact;
// - locks of dead processes (new and old format, and a pid reused by a later process) are taken
//   over; another host's is not;
// - under contention from several processes, one holder at a time (also when they start from a dead lock).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../scripts/demo.ts";
import { lockRelease } from "../../scripts/pipeline/locks.ts";
import { layout } from "../../src/lib/paths.ts";
import { startChatServer, type ChatServer } from "../helpers/chat-server.ts";
import { REPO } from "../helpers/evaldata.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

const ENV = { OPENAI_API_KEY: "test-key" };

interface Doctor {
  ok: boolean;
  problems: { where: string; what: string; fix: string }[];
}
async function doctor(root: string): Promise<Doctor> {
  return JSON.parse((await runCli(["doctor", "--json", "--data", root])).stdout) as Doctor;
}
const releaseJson = (root: string, id: string) =>
  JSON.parse(readFileSync(join(root, "releases", id, "release.json"), "utf8"));
const leftovers = (root: string) => [
  ...(existsSync(join(root, "releases")) ? readdirSync(join(root, "releases")).filter((n) => n.startsWith(".")) : []),
  ...(existsSync(join(root, "locks")) ? readdirSync(join(root, "locks")) : []),
];

describe("one writer per release, one run per data root (real processes)", () => {
  let root: string;
  let server: ChatServer;
  beforeAll(async () => {
    root = tempRoot("errormap-locks-");
    await writeDemo(root);
    server = await startChatServer({ messy: false });
  });
  afterAll(async () => {
    await server?.close();
    removeRoot(root);
  });

  const run = (release: string, ...more: string[]) =>
    runCli(["run", "--data", root, "--snapshot", "demo", "--release", release, ...more], ENV);
  const publish = (release: string) =>
    runCli(["release", "publish", "--data", root, "--release", release, "--date", "2026-12-01"]);
  /** The openai judge against the loopback server, with a judge model of its own (so nothing is cached for it). */
  const openai = (model: string) => [
    "--judge",
    "openai",
    "--judge-model",
    model,
    "--base-url",
    server.url,
    "--concurrency",
    "4",
  ];

  /**
   * Holds every chat request until `open()`; `reached` settles when the first one arrives (the run
   * then holds its locks and is in its judge stage).
   */
  function gate() {
    let open!: () => void;
    let reachedFn!: () => void;
    const until = new Promise<void>((r) => (open = r));
    const reached = new Promise<void>((r) => (reachedFn = r));
    server.setFaults(() => {
      reachedFn();
      return { kind: "gate", until };
    });
    return {
      reached,
      open: () => {
        server.setFaults(undefined);
        open();
      },
    };
  }

  it("a release whose lock another process holds: publish, review import and run --force are refused, naming it", async () => {
    expect((await run("held")).code).toBe(0);
    const sheet = join(root, "sample.csv");
    expect((await runCli(["review", "sample", "--data", root, "--release", "held", "--out", sheet])).code).toBe(0);

    const lock = lockRelease(root, "held", "test holding the lock", "write");
    try {
      const p = await publish("held");
      expect(p.code).toBe(1);
      expect(p.stderr).toContain(`release "held" is being written by pid ${process.pid} (test holding the lock`);
      expect(p.stderr).toContain("refusing to publish it meanwhile");
      expect(p.stderr).toContain(`delete ${layout(root).releaseLock("held")}`);
      const imp = await runCli(["review", "import", "--data", root, "--release", "held", sheet]);
      expect(imp.code).toBe(1);
      expect(imp.stderr).toContain("refusing to import reviews into it meanwhile");
      const again = await run("held", "--force");
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("refusing to write it meanwhile");
      expect(releaseJson(root, "held").published).toBeNull();
    } finally {
      lock.release();
    }
    expect((await publish("held")).code).toBe(0);
    expect(releaseJson(root, "held").published.date).toBe("2026-12-01");
    // A run that finds its release published at its start refuses, even with --force.
    const forced = await run("held", "--force");
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/release "held" is published and immutable/);
    expect(leftovers(root)).toEqual([]);
    expect(await doctor(root)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);

  it("a run held mid-way: publish is refused, a second run on the data root is refused at once; then the release is published intact", async () => {
    const g = gate();
    const first = run("mid", ...openai("judge-mid"));
    await g.reached;
    const runLock = JSON.parse(readFileSync(layout(root).runLock, "utf8"));
    expect(runLock).toMatchObject({ host: hostname(), release: "mid" });

    const p = await publish("mid");
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(
      `release "mid" is being written by pid ${runLock.pid} (errormap run --snapshot demo --release mid`,
    );
    // Two runs on one data root: the second stops at once, on the same release or another one.
    for (const other of ["mid", "other"]) {
      const second = await run(other, "--force");
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`another errormap run is using the data root ${root}: pid ${runLock.pid}`);
      expect(second.stderr).toContain(`writing release "mid"`);
      expect(second.stderr).toContain(`delete ${layout(root).runLock}`);
    }
    expect(existsSync(join(root, "releases", "other"))).toBe(false);

    g.open();
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect((await publish("mid")).code).toBe(0);
    const rel = releaseJson(root, "mid");
    expect(rel.published).toMatchObject({ date: "2026-12-01" });
    expect(rel.judge).toBe("openai");
    expect(leftovers(root)).toEqual([]);
    expect(await doctor(root)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);

  it("a run --force whose lock was removed by hand and whose release was published meanwhile refuses at its final check", async () => {
    expect((await run("swap")).code).toBe(0);
    const before = readFileSync(join(root, "releases", "swap", "analyses.jsonl"));
    const g = gate();
    const forced = run("swap", "--force", ...openai("judge-swap"));
    await g.reached;
    // The operator's mistake: the live run's release lock deleted as if stale, then publish.
    const lockPath = layout(root).releaseLock("swap");
    expect(existsSync(lockPath)).toBe(true);
    const { rmSync } = await import("node:fs");
    rmSync(lockPath);
    expect((await publish("swap")).code).toBe(0);

    g.open();
    const r = await forced;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`release "swap" was published while this command was running; it was not replaced`);
    const rel = releaseJson(root, "swap");
    expect(rel.published).toMatchObject({ date: "2026-12-01" });
    expect(rel.judge).toBe("heuristic");
    expect(readFileSync(join(root, "releases", "swap", "analyses.jsonl"))).toEqual(before);
    expect(leftovers(root)).toEqual([]);
    // Intact: the only findings are the refused run's answers, cached for a run under a new id.
    const d = await doctor(root);
    expect(d.problems.filter((p) => !/orphan/.test(p.what))).toEqual([]);
  }, 120_000);

  it("a run --force whose lock was taken over by another process refuses at its final check, though the release is unpublished", async () => {
    const g = gate();
    const forced = run("swap2", ...openai("judge-swap2"));
    await g.reached;
    const lockPath = layout(root).releaseLock("swap2");
    const { rmSync } = await import("node:fs");
    rmSync(lockPath);
    const mine = lockRelease(root, "swap2", "test taking the lock", "write");
    try {
      g.open();
      const r = await forced;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the lock ${lockPath} was removed or taken over while this command was running`);
      expect(existsSync(join(root, "releases", "swap2"))).toBe(false);
    } finally {
      mine.release();
    }
    expect(leftovers(root)).toEqual([]);
  }, 120_000);

  it("locks left by dead processes are taken over; another host's lock is not", async () => {
    const dead = await deadPid();
    const L = layout(root);
    mkdirSync(L.locks, { recursive: true });
    const owner = (pid: number, extra = {}) =>
      JSON.stringify({
        pid,
        host: hostname(),
        start: null,
        command: "errormap run --release stale",
        release: "stale",
        since: "2026-01-01T00:00:00Z",
        ...extra,
      });
    // The run lock of a killed run; the release lock in the old format (a bare pid); and this
    // (live) process's pid with another start time: a pid reused after its holder died.
    writeFileSync(L.runLock, owner(dead));
    writeFileSync(L.releaseLock("stale"), String(dead));
    writeFileSync(L.releaseLock("reused"), owner(process.pid, { start: "1" }));
    const found = (await doctor(root)).problems.filter((p) => p.where.startsWith(L.locks));
    expect(found.map((p) => p.where).sort()).toEqual(
      [L.releaseLock("reused"), L.releaseLock("stale"), L.runLock].sort(),
    );
    expect(found[0]!.what).toMatch(/a lock left by a process that is gone/);
    const r = await run("stale");
    expect(r.code, r.stderr).toBe(0);
    expect((await publish("reused")).stderr).toContain(`no release "reused"`); // taken over, then refused for what it is
    expect(leftovers(root)).toEqual([]);

    writeFileSync(L.runLock, owner(process.pid, { host: "another-host" }));
    const foreign = await run("stale2");
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain(`pid ${process.pid} on host another-host`);
    expect(foreign.stderr).toContain(`delete ${L.runLock}`);
    const { rmSync } = await import("node:fs");
    rmSync(L.runLock);
  }, 120_000);
});

describe("scripts/lib/lock.ts under contention (real processes)", () => {
  it("one holder at a time, starting from a dead process's lock", async () => {
    const dir = tempRoot("errormap-lock-contention-");
    try {
      const path = join(dir, "x.lock");
      writeFileSync(
        path,
        JSON.stringify({
          pid: await deadPid(),
          host: hostname(),
          start: null,
          command: "killed",
          since: "2026-01-01T00:00:00Z",
        }),
      );
      const log = join(dir, "log.txt");
      const ROUNDS = 15;
      const child = (n: number) => {
        const script = `
          if (!process.features.typescript) { const { register } = await import("tsx/esm/api"); register(); }
          const fs = process.getBuiltinModule("node:fs");
          const { acquireLock } = await import(${JSON.stringify(pathToFileURL(join(REPO, "scripts/lib/lock.ts")).href)});
          fs.writeFileSync(${JSON.stringify(join(dir, `ready-${n}`))}, "");
          while (!fs.existsSync(${JSON.stringify(join(dir, "go"))})) await new Promise((r) => setTimeout(r, 1));
          const pause = new Int32Array(new SharedArrayBuffer(4));
          for (let i = 0; i < ${ROUNDS}; i++) {
            const lock = acquireLock(${JSON.stringify(path)}, { command: "contender ${n}", waitMs: 60000 });
            fs.appendFileSync(${JSON.stringify(log)}, "in " + process.pid + "\\n");
            Atomics.wait(pause, 0, 0, 1);
            fs.appendFileSync(${JSON.stringify(log)}, "out " + process.pid + "\\n");
            lock.release();
          }`;
        const p = spawn(process.execPath, ["--input-type=module", "-e", script], {
          cwd: REPO,
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        p.stderr!.on("data", (d) => (err += d));
        return new Promise<string>((r) => p.once("exit", (code) => r(code === 0 ? "" : `exit ${code}: ${err}`)));
      };
      const N = 4;
      const runs = Array.from({ length: N }, (_, n) => child(n));
      const deadline = Date.now() + 60_000;
      while (
        !Array.from({ length: N }, (_, n) => existsSync(join(dir, `ready-${n}`))).every(Boolean) &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 5));
      writeFileSync(join(dir, "go"), "");
      expect(await Promise.all(runs)).toEqual(Array(N).fill(""));
      const lines = readFileSync(log, "utf8").trimEnd().split("\n");
      expect(lines).toHaveLength(2 * N * ROUNDS);
      for (let i = 0; i < lines.length; i += 2) {
        expect(lines[i]).toMatch(/^in \d+$/);
        expect(lines[i + 1]).toBe(lines[i]!.replace("in", "out"));
      }
      expect(readdirSync(dir).filter((f) => f.includes("lock"))).toEqual([]);
    } finally {
      removeRoot(dir);
    }
  }, 120_000);
});
