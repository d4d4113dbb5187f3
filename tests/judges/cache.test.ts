// The judge cache: answers journalled as they arrive, folded into 256 sorted shards per judge on
// flush; a killed run's journal (torn last line and all) is recovered; the old one-file-per-answer
// layout converts itself; doctor reports what is wrong in the cache folder.
import { spawn } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type CacheKey, JudgeCache, cacheHash } from "../../scripts/judges/cache.ts";
import { doctor } from "../../scripts/commands/doctor.ts";
import { stableJson } from "../../src/lib/jsonio.ts";
import { REPO } from "../helpers/evaldata.ts";

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ea-cache-"));
  temps.push(d);
  return d;
};

const keyOf = (i: number, judge = "heuristic"): CacheKey => ({
  judge,
  judgeModel: "rules",
  promptVersion: "v1",
  request: { i },
});
const answerOf = (i: number) => ({ title: `answer ${i}`, n: i, nested: { b: [i, "x"], a: null } });

/** Every file under dir, relative path → text. */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p, "utf8");
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.once("exit", r));
  return child.pid!;
}

describe("JudgeCache", () => {
  it("answers what was put, from the journal before a flush and from the shards after", () => {
    const dir = tempDir();
    const c = new JudgeCache(dir);
    expect(c.get(keyOf(1))).toBeUndefined();
    expect(c.has(keyOf(1))).toBe(false);
    const hash = c.put(keyOf(1), answerOf(1));
    expect(hash).toBe(cacheHash(keyOf(1)));
    expect(c.get(keyOf(1))).toEqual(answerOf(1));
    expect(c.get(keyOf(1), hash)).toEqual(answerOf(1));
    expect(c.has(keyOf(1))).toBe(true);
    // The same request under another judge is another answer.
    expect(c.get(keyOf(1, "openai"))).toBeUndefined();

    // Before the flush: one journal line, no shard; another cache on the folder sees it.
    const journal = `heuristic/journal-${process.pid}.jsonl`;
    expect(Object.keys(files(dir))).toEqual([journal]);
    expect(readFileSync(join(dir, journal), "utf8").split("\n")).toHaveLength(2);
    expect(new JudgeCache(dir).get(keyOf(1))).toEqual(answerOf(1));

    c.flush();
    const shard = `heuristic/${hash.slice(0, 2)}.jsonl`;
    expect(Object.keys(files(dir))).toEqual([shard]); // the journal is gone
    const line = JSON.parse(readFileSync(join(dir, shard), "utf8"));
    expect(line).toEqual({
      key: { judge: "heuristic", judge_model: "rules", prompt_version: "v1", hash },
      value: answerOf(1),
    });
    expect(c.get(keyOf(1))).toEqual(answerOf(1));
    expect(new JudgeCache(dir).get(keyOf(1))).toEqual(answerOf(1));
    // A flush with nothing new writes nothing.
    const before = files(dir);
    c.flush();
    new JudgeCache(dir).flush();
    expect(files(dir)).toEqual(before);
    // Puts after a flush go to a new journal, and the next flush merges them with the shard on disk.
    c.put(keyOf(2), answerOf(2));
    expect(existsSync(join(dir, journal))).toBe(true);
    c.flush();
    expect(existsSync(join(dir, journal))).toBe(false);
    expect(new JudgeCache(dir).get(keyOf(2))).toEqual(answerOf(2));
  });

  it("flush writes sorted, duplicate-free shards, byte-identical whatever the order of the puts", () => {
    const n = 600;
    const order = [...Array(n).keys()];
    const shuffled = [...order].sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
    expect(shuffled).not.toEqual(order);

    const a = tempDir();
    const ca = new JudgeCache(a);
    for (const i of order) ca.put(keyOf(i), answerOf(i));
    ca.flush();

    const b = tempDir();
    const cb = new JudgeCache(b);
    // Other order, split over two flushes, one answer put twice (the later one counts), and a
    // wrong answer replaced by the right one.
    for (const i of shuffled.slice(0, 250)) cb.put(keyOf(i), i === 5 ? { wrong: true } : answerOf(i));
    cb.flush();
    for (const i of shuffled.slice(200)) cb.put(keyOf(i), answerOf(i));
    cb.put(keyOf(5), answerOf(5));
    cb.flush();

    const fa = files(a);
    expect(files(b)).toEqual(fa);
    const names = Object.keys(fa).sort();
    expect(names.every((f) => /^heuristic\/[0-9a-f]{2}\.jsonl$/.test(f))).toBe(true);
    expect(names.length).toBeGreaterThan(200); // 600 answers over up to 256 shards
    let total = 0;
    for (const f of names) {
      const text = fa[f]!;
      expect(text.endsWith("\n")).toBe(true);
      const hashes = text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).key.hash as string);
      expect(hashes).toEqual([...new Set(hashes)].sort());
      expect(hashes.every((h) => f === `heuristic/${h.slice(0, 2)}.jsonl`)).toBe(true);
      total += hashes.length;
    }
    expect(total).toBe(n);
    expect(new JudgeCache(b).get(keyOf(5))).toEqual(answerOf(5));
  });

  it("recovers a SIGKILLed run's journal: a torn last line and a bad line are skipped, the rest folded in", async () => {
    const dir = tempDir();
    // A real process puts 50 answers and is killed hard before it can flush.
    const script = `
      if (!process.features.typescript) { const { register } = await import("tsx/esm/api"); register(); }
      const { JudgeCache } = await import(${JSON.stringify(pathToFileURL(join(REPO, "scripts/judges/cache.ts")).href)});
      const c = new JudgeCache(${JSON.stringify(dir)});
      for (let i = 0; i < 50; i++) c.put({ judge: "heuristic", judgeModel: "rules", promptVersion: "v1", request: { i } }, { title: "answer " + i, n: i, nested: { b: [i, "x"], a: null } });
      process.kill(process.pid, "SIGKILL");`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO, stdio: "ignore" });
    const [, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.once("exit", (code, sig) => r([code, sig])),
    );
    expect(signal).toBe("SIGKILL");
    const journal = join(dir, "heuristic", `journal-${child.pid}.jsonl`);
    const lines = readFileSync(journal, "utf8").split("\n");
    expect(lines).toHaveLength(51);
    // Damage it as a kill in mid-write (and a disk hiccup) would: answer 10 garbled, a torn last line.
    lines[10] = lines[10]!.slice(0, 40);
    writeFileSync(journal, lines.join("\n") + lines[20]!.slice(0, 60));

    const root = rootWithCache(dir);
    expect(doctor(root).problems).toEqual([
      {
        where: join(root, "cache", "heuristic", `journal-${child.pid}.jsonl`),
        what: expect.stringMatching(/^a killed run's journal/),
        fix: expect.stringMatching(/the next run folds it in/),
      },
    ]);

    const c = new JudgeCache(dir);
    const got = [...Array(50).keys()].filter((i) => c.get(keyOf(i)) !== undefined);
    expect(got).toEqual([...Array(50).keys()].filter((i) => i !== 10));
    expect(c.get(keyOf(20))).toEqual(answerOf(20));
    c.put(keyOf(10), answerOf(10)); // the next run asks again for what was lost
    c.flush();
    expect(existsSync(journal)).toBe(false);
    expect(readdirSync(join(dir, "heuristic")).every((f) => /^[0-9a-f]{2}\.jsonl$/.test(f))).toBe(true);
    const fresh = new JudgeCache(dir);
    for (let i = 0; i < 50; i++) expect(fresh.get(keyOf(i))).toEqual(answerOf(i));

    // Shards equal those of a run that was never killed.
    const clean = tempDir();
    const cc = new JudgeCache(clean);
    for (let i = 0; i < 50; i++) cc.put(keyOf(i), answerOf(i));
    cc.flush();
    expect(files(dir)).toEqual(files(clean));
  });

  it("two runs flushing into the same shard at once lose none of each other's answers", async () => {
    const dir = tempDir();
    const n = 20;
    // Two real processes put answers that all fall in shard 00 and flush at the same moment. Each
    // pauses 50 ms between reading a shard and putting its new version in place (a slow disk), so
    // without the flush lock the second write drops the first's answers. They open the cache
    // before either puts anything, so neither reads the other's journal.
    const wait = async (...names: string[]) => {
      const deadline = Date.now() + 60_000;
      while (!names.every((f) => existsSync(join(dir, f))) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 2));
    };
    const child = (from: number) => {
      const at = (f: string) => JSON.stringify(join(dir, f));
      const script = `
        if (!process.features.typescript) { const { register } = await import("tsx/esm/api"); register(); }
        const fs = process.getBuiltinModule("node:fs");
        const write = fs.writeFileSync;
        const pause = new Int32Array(new SharedArrayBuffer(4));
        fs.writeFileSync = (...a) => { if (/\\.tmp$/.test(String(a[0]))) Atomics.wait(pause, 0, 0, 50); return write(...a); };
        process.getBuiltinModule("node:module").syncBuiltinESMExports();
        const { JudgeCache, cacheHash } = await import(${JSON.stringify(pathToFileURL(join(REPO, "scripts/judges/cache.ts")).href)});
        const until = async (f) => { while (!fs.existsSync(f)) await new Promise((r) => setTimeout(r, 1)); };
        const key = (i) => ({ judge: "heuristic", judgeModel: "rules", promptVersion: "v1", request: { i } });
        const c = new JudgeCache(${JSON.stringify(dir)});
        c.has(key(-1));
        fs.writeFileSync(${at(`opened-${from}`)}, "");
        await until(${at("put")});
        for (let i = ${from}, put = 0; put < ${n}; i++) if (cacheHash(key(i)).startsWith("00")) { c.put(key(i), { title: "answer " + i, n: i, nested: { b: [i, "x"], a: null } }); put++; }
        fs.writeFileSync(${at(`ready-${from}`)}, "");
        await until(${at("go")});
        c.flush();`;
      const p = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: REPO,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      p.stderr!.on("data", (d) => (err += d));
      return new Promise<string>((r) => p.once("exit", (code) => r(code === 0 ? "" : `exit ${code}: ${err}`)));
    };
    const runs = [child(0), child(1_000_000)];
    await wait("opened-0", "opened-1000000");
    writeFileSync(join(dir, "put"), "");
    await wait("ready-0", "ready-1000000");
    writeFileSync(join(dir, "go"), "");
    expect(await Promise.all(runs)).toEqual(["", ""]);
    const lines = readFileSync(join(dir, "heuristic", "00.jsonl"), "utf8")
      .trimEnd()
      .split("\n");
    expect(lines).toHaveLength(2 * n);
    const c = new JudgeCache(dir);
    for (const line of lines)
      expect(c.get(keyOf(JSON.parse(line).value.n))).toEqual(answerOf(JSON.parse(line).value.n));
    expect(readdirSync(join(dir, "heuristic"))).toEqual(["00.jsonl"]); // no lock, journal or temporary file left
  }, 90_000);

  it("a flush lock left by a killed run is taken over", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "heuristic"), { recursive: true });
    writeFileSync(join(dir, "heuristic", ".lock"), String(await deadPid()));
    const c = new JudgeCache(dir);
    c.put(keyOf(1), answerOf(1));
    c.flush();
    expect(readdirSync(join(dir, "heuristic")).filter((f) => !f.endsWith(".jsonl"))).toEqual([]);
    expect(new JudgeCache(dir).get(keyOf(1))).toEqual(answerOf(1));
  });

  it("a journal of this pid left torn is ended before new lines are appended", async () => {
    const dir = tempDir();
    const c = new JudgeCache(dir);
    c.put(keyOf(1), answerOf(1));
    const journal = join(dir, "heuristic", `journal-${process.pid}.jsonl`);
    appendFileSync(journal, '{"key":{"hash":"ab'); // torn
    const c2 = new JudgeCache(dir);
    expect(c2.get(keyOf(1))).toEqual(answerOf(1));
    c2.put(keyOf(2), answerOf(2));
    expect(new JudgeCache(dir).get(keyOf(2))).toEqual(answerOf(2));
  });

  it("converts the old one-file-per-answer layout on flush", async () => {
    const dir = tempDir();
    const entries = [...Array(40).keys()].map((i) => {
      const hash = cacheHash(keyOf(i));
      return {
        i,
        hash,
        entry: { key: { judge: "heuristic", judge_model: "rules", prompt_version: "v1", hash }, value: answerOf(i) },
      };
    });
    for (const { hash, entry } of entries) {
      mkdirSync(join(dir, "heuristic", hash.slice(0, 2)), { recursive: true });
      writeFileSync(join(dir, "heuristic", hash.slice(0, 2), `${hash}.json`), stableJson(entry));
    }
    // An unreadable old file is a miss, as it always was.
    const broken = cacheHash(keyOf(99));
    mkdirSync(join(dir, "heuristic", broken.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, "heuristic", broken.slice(0, 2), `${broken}.json`), "{ not json");
    // The batch mode's state is no answer and stays where it is.
    mkdirSync(join(dir, "openai"));
    writeFileSync(join(dir, "openai", "batch-state.json"), '{ "batches": [] }\n');

    const root = rootWithCache(dir);
    expect(doctor(root).problems).toEqual([
      {
        where: join(root, "cache", "heuristic"),
        what: expect.stringMatching(/folder\(s\) of cache entries in the old one-file-per-answer layout/),
        fix: expect.stringMatching(/next run converts/),
      },
    ]);

    const c = new JudgeCache(dir);
    for (const { i } of entries) expect(c.get(keyOf(i))).toEqual(answerOf(i));
    expect(c.get(keyOf(99))).toBeUndefined();
    // A flush alone converts (no get needed): a fresh cache, as the one-off conversion does.
    new JudgeCache(dir).flush();
    const after = files(dir);
    expect(Object.keys(after).filter((f) => !/^heuristic\/[0-9a-f]{2}\.jsonl$/.test(f))).toEqual([
      "openai/batch-state.json",
    ]);
    // The same bytes as answers put through the new layout.
    const fresh = tempDir();
    const cf = new JudgeCache(fresh);
    for (const { i } of [...entries].reverse()) cf.put(keyOf(i), answerOf(i));
    cf.flush();
    const { "openai/batch-state.json": _state, ...shards } = after;
    expect(shards).toEqual(files(fresh));
    for (const { i } of entries) expect(new JudgeCache(dir).get(keyOf(i))).toEqual(answerOf(i));
  });
});

/** A data root holding a copy of `cacheDir` as its cache, and no snapshot or release. */
function rootWithCache(cacheDir: string): string {
  const root = tempDir();
  cpSync(join(REPO, "data", "registry"), join(root, "registry"), { recursive: true });
  cpSync(cacheDir, join(root, "cache"), { recursive: true });
  return root;
}

describe("doctor on the cache", () => {
  it("finds unreadable lines, entries in the wrong shard, orphans and killed runs' journals; the demo data is clean", async () => {
    const root = tempDir();
    cpSync(join(REPO, "data"), root, { recursive: true });
    const clean = doctor(root);
    expect(clean.problems).toEqual([]);
    expect(clean.checked.cache_entries).toBeGreaterThan(100);

    const heur = join(root, "cache", "heuristic");
    // An answer no release uses, and a killed run's journal.
    const c = new JudgeCache(join(root, "cache"));
    const orphan = c.put(keyOf(1), answerOf(1));
    c.flush();
    const pid = await deadPid();
    writeFileSync(join(heur, `journal-${pid}.jsonl`), readFileSync(join(heur, `${orphan.slice(0, 2)}.jsonl`), "utf8"));
    // A journal of a run still going is not a problem.
    writeFileSync(join(heur, `journal-${process.ppid}.jsonl`), "");

    const shards = readdirSync(heur)
      .filter((f) => !f.startsWith("journal-") && !f.startsWith(orphan.slice(0, 2)))
      .sort();
    const [s1, s2] = [shards[0]!, shards[1]!];
    const lines1 = readFileSync(join(heur, s1), "utf8").trimEnd().split("\n");
    const lines2 = readFileSync(join(heur, s2), "utf8").trimEnd().split("\n");
    const moved = JSON.parse(lines2[0]!).key.hash as string;
    // s1: a garbled line, then the first line of s2 (wrong shard); s2 loses that line.
    writeFileSync(join(heur, s1), [...lines1, "{ garbled", lines2[0]].join("\n") + "\n");
    writeFileSync(join(heur, s2), lines2.slice(1).join("\n") + (lines2.length > 1 ? "\n" : ""));

    const problems = doctor(root).problems;
    const orphanShard = join(heur, `${orphan.slice(0, 2)}.jsonl`);
    const orphanLine =
      readFileSync(orphanShard, "utf8")
        .trimEnd()
        .split("\n")
        .findIndex((l) => l.includes(orphan)) + 1;
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          where: `${join(heur, s1)}:${lines1.length + 1}`,
          what: "unreadable cache entry",
          fix: expect.stringMatching(/delete the line/),
        },
        {
          where: `${join(heur, s1)}:${lines1.length + 2}`,
          what: `cache entry ${moved} is filed in the wrong shard`,
          fix: expect.stringMatching(/delete the line/),
        },
        // Orphans are summed up per judge (tests/pipeline/doctor.test.ts), with one example.
        {
          where: heur,
          what: `orphan cache entries: 1 that no release uses, e.g. ${orphanShard}:${orphanLine} (${orphan})`,
          fix: expect.stringMatching(/keep them if a run/),
        },
        {
          where: join(heur, `journal-${pid}.jsonl`),
          what: expect.stringMatching(/^a killed run's journal/),
          fix: expect.stringMatching(/the next run folds it in/),
        },
      ]),
    );
    // The moved entry is not where the cache looks for it: the releases built from it miss it.
    const missing = problems.filter((p) => / cache entries release "demo-\d" was built from is missing/.test(p.what));
    expect(missing.length).toBeGreaterThan(0);
    for (const p of missing) expect(p.what).toContain(`(e.g. ${moved}; shard ${moved.slice(0, 2)}.jsonl)`);
    expect(problems).toHaveLength(4 + missing.length);
    expect(doctor(root).checked.cache_entries).toBe(clean.checked.cache_entries + 2); // the garbled line and the orphan
  });
});
