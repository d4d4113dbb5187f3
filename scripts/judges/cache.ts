// The judge cache: every judge answer on disk, content-addressed by a hash of
// (judge, judge model, prompt version, the exact request).
//
// Layout, per judge: up to 256 shards data/cache/<judge>/<hash[0..2]>.jsonl, one entry per line,
// sorted by hash, each written only whole (tmp + rename), so the same answers always give the
// same bytes and data/ diffs stay reviewable. One small file per answer (the layout before this
// one) cost more to create than the heuristic judge costs to run; a few hundred files do not.
//
// Kill-safety comes from a journal instead: `put` appends the entry's line to
// <judge>/journal-<pid>.jsonl (one write per answer, so a SIGKILL loses at most a torn last line)
// and keeps it in memory; `flush()` folds what was put into the shards and deletes the journal.
// A journal left by a killed run is read on first use (a line that does not parse is skipped) and
// folded in at the next flush, so a re-run asks only for what is missing. Folders of the old
// layout (<hash[0..2]>/<hash>.json) are read the same way and converted at the next flush.
//
// Two runs on one data root may flush at once: each re-reads a shard just before writing it whole,
// and <judge>/.lock (see withFlushLock) makes that read-and-write one step, so neither drops the other's
// new entries.
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { alive, sha256, stableJsonLine, writeFileAtomic } from "../../src/lib/jsonio.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import { withLock } from "../lib/lock.ts";

export interface CacheKey {
  judge: string;
  judgeModel: string;
  promptVersion: string;
  /** The exact request (messages, schema, parameters), or for rules the record they read. */
  request: unknown;
}

export interface CacheEntry<T> {
  key: { judge: string; judge_model: string; prompt_version: string; hash: string };
  value: T;
}

export function cacheHash(key: CacheKey): string {
  return sha256(stableJsonLine([key.judge, key.judgeModel, key.promptVersion, key.request]));
}

const HASH = /^[0-9a-f]{64}$/;
/** A shard file name; group 1 is the hash prefix it holds. */
export const SHARD_NAME = /^([0-9a-f]{2})\.jsonl$/;
/** A journal file name; group 1 is the pid of the run that writes it. */
export const JOURNAL_NAME = /^journal-(\d+)\.jsonl$/;
/** A folder of the old one-file-per-answer layout. */
export const OLD_DIR_NAME = /^[0-9a-f]{2}$/;
const TMP_NAME = /\.(\d+)\.[0-9a-f]+\.tmp$/;
/** The lock a flush holds on a judge folder (see withFlushLock). */
export const LOCK_NAME = ".lock";
/** How long a flush waits for another run's flush before giving up. */
const LOCK_WAIT_MS = 120_000;

/**
 * Runs `fold` holding <dir>/.lock (scripts/lib/lock.ts: the lock names its holder, and a lock whose
 * process is gone, killed mid-flush, is taken over). Another live run's flush is waited for: it
 * takes milliseconds to a few seconds.
 */
function withFlushLock<T>(dir: string, fold: () => T): T {
  return withLock(
    join(dir, LOCK_NAME),
    {
      command: "errormap (judge cache flush)",
      waitMs: LOCK_WAIT_MS,
      busy: (holder) =>
        `${join(dir, LOCK_NAME)}: another run (${holder}) has held the judge cache's lock for over ${LOCK_WAIT_MS / 1000} s; if no errormap command is running, delete this file`,
    },
    fold,
  );
}

export const shardOf = (hash: string): string => hash.slice(0, 2);

/** A cache entry's hash and its canonical line, or null if `text` is not an entry. */
export function parseEntry(text: string): { hash: string; line: string } | null {
  try {
    const e = JSON.parse(text) as CacheEntry<unknown>;
    const hash = e?.key?.hash;
    if (typeof hash !== "string" || !HASH.test(hash) || !("value" in e)) return null;
    return { hash, line: stableJsonLine(e) };
  } catch {
    return null;
  }
}

/** Every line of a shard or journal text, parsed (null: not an entry, such as a torn last line). */
export function parseLines(text: string): ({ hash: string; line: string } | null)[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map(parseEntry);
}

/** A journal's writer is gone (killed, or this very process: a pid reused, or an earlier JudgeCache). */
export function journalAbandoned(name: string): boolean {
  const pid = Number(JOURNAL_NAME.exec(name)?.[1]);
  return pid === process.pid || !alive(pid);
}

/** Entries of a shard file that are readable and filed under their own shard. */
function readShard(path: string, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  for (const e of parseLines(readFileSync(path, "utf8"))) if (e && shardOf(e.hash) === prefix) out.set(e.hash, e.line);
  return out;
}

/** One file (or old-layout folder) of a judge's cache folder, as `errormap doctor` checks it. */
export type CacheFile =
  | {
      kind: "shard";
      path: string;
      /** Each line: its entry's hash (null: not an entry) and whether it is filed in another shard. */
      lines: { hash: string | null; misfiled: boolean }[];
    }
  | { kind: "journal"; path: string; hashes: string[]; abandoned: boolean }
  | { kind: "old-folder"; path: string; hashes: string[] };

/**
 * What the cache holds, judge by judge (sorted), each judge's files in name order: shards line by
 * line, journals (killed runs' ones marked abandoned) and old-layout folders. Other files (the batch
 * mode's state, a lock) are not answers and are left out.
 */
export function readCacheFolders(dir: string): { judge: string; path: string; files: CacheFile[] }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((judge) => {
      const path = join(dir, judge);
      const files: CacheFile[] = [];
      for (const d of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(path, d.name);
        const shard = SHARD_NAME.exec(d.name)?.[1];
        if (d.isFile() && shard)
          files.push({
            kind: "shard",
            path: p,
            lines: parseLines(readFileSync(p, "utf8")).map((e) => ({
              hash: e?.hash ?? null,
              misfiled: e !== null && shardOf(e.hash) !== shard,
            })),
          });
        else if (d.isFile() && JOURNAL_NAME.test(d.name))
          files.push({
            kind: "journal",
            path: p,
            hashes: parseLines(readFileSync(p, "utf8")).flatMap((e) => (e ? [e.hash] : [])),
            abandoned: journalAbandoned(d.name),
          });
        else if (d.isDirectory() && OLD_DIR_NAME.test(d.name))
          files.push({
            kind: "old-folder",
            path: p,
            hashes: readdirSync(p)
              .filter((f) => f.endsWith(".json"))
              .map((f) => f.slice(0, -5)),
          });
      }
      return { judge, path, files };
    });
}

// ---------------------------------------------------------------------------------------------
// releases/<id>/cache-keys.txt: the hashes of the entries a release is built from, one a line, so
// `errormap doctor` can tell orphan entries and entries a release still needs.

export const cacheKeysPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.cacheKeys);

/** The bytes of cache-keys.txt: each hash once, sorted. */
export const cacheKeysText = (hashes: Iterable<string>): string => [...new Set(hashes)].sort().join("\n") + "\n";

/** The hashes release `id` is built from; null when it has no cache-keys.txt (releases made before it existed). */
export function readCacheKeys(root: string, id: string): string[] | null {
  const path = cacheKeysPath(root, id);
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : null;
}

interface JudgeDir {
  path: string;
  /** Shards read so far: prefix → hash → line, as on disk. */
  shards: Map<string, Map<string, string>>;
  /** Entries not in the shard files yet: put by this process, or read from a killed run's journal or old-layout files. */
  pending: Map<string, string>;
  /** Files to delete once `pending` is in the shards: killed runs' journals, old-layout folders, temporary files. */
  leftovers: string[];
  journal?: { path: string; fd: number };
}

/** Reads what a judge folder holds outside its shards: killed runs' journals and old-layout files. */
function openJudgeDir(path: string): JudgeDir {
  const j: JudgeDir = { path, shards: new Map(), pending: new Map(), leftovers: [] };
  if (!existsSync(path)) return j;
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  // Old layout first: a journal is newer than any of it.
  for (const d of entries) {
    if (!d.isDirectory() || !OLD_DIR_NAME.test(d.name)) continue;
    const dir = join(path, d.name);
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith(".json")) continue;
      const e = parseEntry(readFileSync(join(dir, f), "utf8"));
      if (e && f === `${e.hash}.json`) j.pending.set(e.hash, e.line);
    }
    j.leftovers.push(dir);
  }
  for (const d of entries) {
    if (!d.isFile()) continue;
    if (JOURNAL_NAME.test(d.name)) {
      // A running process's journal is read too (its answers are good) but left for it to delete.
      for (const e of parseLines(readFileSync(join(path, d.name), "utf8"))) if (e) j.pending.set(e.hash, e.line);
      if (journalAbandoned(d.name)) j.leftovers.push(join(path, d.name));
    } else if (d.name.endsWith(".tmp") && !alive(Number(TMP_NAME.exec(d.name)?.[1]))) {
      j.leftovers.push(join(path, d.name)); // a shard write cut short by a kill
    }
  }
  return j;
}

export class JudgeCache {
  readonly dir: string;
  private judges = new Map<string, JudgeDir>();
  constructor(dir: string) {
    this.dir = dir;
  }

  private judge(name: string): JudgeDir {
    let j = this.judges.get(name);
    if (!j) this.judges.set(name, (j = openJudgeDir(join(this.dir, name))));
    return j;
  }

  private line(judge: string, hash: string): string | undefined {
    const j = this.judge(judge);
    const pending = j.pending.get(hash);
    if (pending !== undefined) return pending;
    const prefix = shardOf(hash);
    let shard = j.shards.get(prefix);
    if (!shard) j.shards.set(prefix, (shard = readShard(join(j.path, `${prefix}.jsonl`), prefix)));
    return shard.get(hash);
  }

  get<T>(key: CacheKey, hash = cacheHash(key)): T | undefined {
    const line = this.line(key.judge, hash);
    return line === undefined ? undefined : (JSON.parse(line) as CacheEntry<T>).value;
  }

  has(key: CacheKey): boolean {
    return this.line(key.judge, cacheHash(key)) !== undefined;
  }

  put<T>(key: CacheKey, value: T, hash = cacheHash(key)): string {
    if (!HASH.test(hash)) throw new Error(`cache hash "${hash}" is not a sha256`);
    const entry: CacheEntry<T> = {
      key: { judge: key.judge, judge_model: key.judgeModel, prompt_version: key.promptVersion, hash },
      value,
    };
    const line = stableJsonLine(entry);
    const j = this.judge(key.judge);
    writeSync(this.journalFd(j), line + "\n");
    j.pending.set(hash, line);
    return hash;
  }

  private journalFd(j: JudgeDir): number {
    if (j.journal) return j.journal.fd;
    mkdirSync(j.path, { recursive: true });
    const path = join(j.path, `journal-${process.pid}.jsonl`);
    const fd = openSync(path, "a");
    // A journal of this pid left torn by a killed run: end its last line before adding ours.
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(path, "r");
      readSync(rfd, last, 0, 1, size - 1);
      closeSync(rfd);
      if (last[0] !== 0x0a) writeSync(fd, "\n");
    }
    j.journal = { path, fd };
    return fd;
  }

  /**
   * Folds every entry put since the last flush (and those of killed runs' journals and old-layout
   * files) into the shards, each dirty shard re-read just before and written whole, then deletes
   * this process's journal and those leftovers.
   */
  flush(): void {
    // Judges this process did not use may hold a killed run's journal or old-layout files too.
    if (existsSync(this.dir))
      for (const d of readdirSync(this.dir, { withFileTypes: true })) if (d.isDirectory()) this.judge(d.name);
    for (const j of this.judges.values()) {
      if (j.pending.size === 0 && j.leftovers.length === 0 && !j.journal) continue;
      withFlushLock(j.path, () => this.fold(j));
    }
  }

  /** Folds one judge's pending entries into its shards (under its lock), then removes what they replace. */
  private fold(j: JudgeDir): void {
    const dirty = new Map<string, [string, string][]>();
    for (const [hash, line] of j.pending) {
      const prefix = shardOf(hash);
      (dirty.get(prefix) ?? dirty.set(prefix, []).get(prefix)!).push([hash, line]);
    }
    for (const [prefix, entries] of dirty) {
      const path = join(j.path, `${prefix}.jsonl`);
      const shard = readShard(path, prefix);
      for (const [hash, line] of entries) shard.set(hash, line);
      const text =
        [...shard.keys()]
          .sort()
          .map((h) => shard.get(h)!)
          .join("\n") + "\n";
      writeFileAtomic(path, text);
      j.shards.set(prefix, shard);
    }
    j.pending.clear();
    if (j.journal) {
      closeSync(j.journal.fd);
      rmSync(j.journal.path, { force: true });
      j.journal = undefined;
    }
    for (const p of j.leftovers) rmSync(p, { recursive: true, force: true });
    j.leftovers = [];
  }
}
