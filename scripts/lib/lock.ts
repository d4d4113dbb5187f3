// Lock files between errormap processes sharing a data root (README, "Data layout": the judge
// cache's flush lock, the data root's run lock and one lock per release).
//
// A lock is a file that only one process can create: it is written whole to a temporary file and
// hard-linked to its name (link fails if the name exists), so nobody ever reads a half-written
// lock. It names its holder: pid, host, the process's start time (so a pid reused by another
// process after a kill is not mistaken for the holder), the command and when it was taken.
//
// A lock whose holder is gone (killed: no chance to remove it) is stale and is taken over; only
// locks of this host can be judged so, since a pid means nothing on another machine (a data root
// on a network share): another host's lock is reported with the file to delete by hand.
// Taking over is serialised by a second, short-lived file (<lock>.takeover): under it the stale
// lock is read again and removed only if it is still the same, so two processes finding one dead
// lock at the same moment cannot both remove it and both go on (one would remove the other's new
// lock otherwise).
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  mkdirSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { alive } from "../../src/lib/jsonio.ts";

/** Who holds a lock, as written in the lock file (one JSON object). */
export const LockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** The process's start time (Linux: /proc/<pid>/stat field 22), null where unknown. */
  start: z.string().nullable(),
  /** What holds it, for people: "errormap run --release r1". */
  command: z.string(),
  /** The release it writes, when there is one. */
  release: z.string().optional(),
  /** When it was taken (ISO 8601). */
  since: z.string(),
});
export type LockOwner = z.infer<typeof LockOwnerSchema>;

/** A lock file still empty or unreadable after this long was left by a process killed as it wrote it. */
const UNREADABLE_STALE_MS = 10_000;
/** How long to wait for another process's takeover (it takes microseconds) before calling it stale. */
const TAKEOVER_WAIT_MS = 2_000;

/** A lock this process holds. */
export interface Lock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Whether the file still names this process (nobody removed it by hand or took it over). */
  held(): boolean;
  /** Removes the file if it is still this process's. */
  release(): void;
}

/** A lock someone else holds: what its file says (null: unreadable or not ours to parse). */
export class LockBusyError extends Error {
  readonly path: string;
  readonly holder: LockOwner | null;
  constructor(message: string, path: string, holder: LockOwner | null) {
    super(message);
    this.path = path;
    this.holder = holder;
  }
}

/** The texts of the locks this process holds, by path: released at exit, and told apart from a previous process of the same pid. */
const heldHere = new Map<string, string>();
let exitHook = false;

/** The start time of a process (clock ticks since boot), or null where /proc cannot tell. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** What a lock file says: its owner, or for an old-style lock (the judge cache's) a bare pid. */
export function readLockOwner(path: string): { text: string; owner: LockOwner | null; pid: number | null } | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null; // gone
    throw new Error(`${path}: cannot read this lock file (${(e as Error).message})`);
  }
  if (/^\d+$/.test(text.trim())) return { text, owner: null, pid: Number(text.trim()) };
  try {
    const owner = LockOwnerSchema.parse(JSON.parse(text));
    return { text, owner, pid: owner.pid };
  } catch {
    return { text, owner: null, pid: null };
  }
}

/**
 * Whether a lock's holder is gone: a process of this host that is not running (or whose pid now
 * belongs to a later process), or this very pid in a process that does not hold it (a pid reused
 * after a restart). An unreadable lock is stale once old enough; another host's lock never is.
 */
export function lockIsStale(path: string, read = readLockOwner(path)): boolean {
  if (!read) return false; // gone: not stale, just free
  const { text, owner, pid } = read;
  if (pid === null) {
    try {
      return Date.now() - statSync(path).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      return false;
    }
  }
  if (owner && owner.host !== hostname()) return false;
  if (pid === process.pid) return heldHere.get(path) !== text;
  if (!alive(pid)) return true;
  const start = owner?.start ? processStart(pid) : null;
  return start !== null && start !== owner!.start;
}

/** "pid 123 (errormap run --release r1, since 2026-01-02T03:04:05Z)", for messages. */
export function describeHolder(read: ReturnType<typeof readLockOwner>): string {
  if (!read) return "a process that has since released it";
  if (!read.owner) return read.pid === null ? "an unreadable lock" : `pid ${read.pid}`;
  const o = read.owner;
  return `pid ${o.pid}${o.host === hostname() ? "" : ` on host ${o.host}`} (${o.command}, since ${o.since})`;
}

/** Creates `path` holding `text` if no such file exists: written to a temporary file, then linked. */
function createExclusive(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, text);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw e;
    // A file system without hard links: an exclusive create, then the text (a reader may see it
    // empty for a moment, which counts as busy, not stale).
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e2;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    rmSync(tmp, { force: true });
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(pause, 0, 0, ms);

/**
 * Removes the stale lock whose text is `text`, under <path>.takeover: only if the file still holds
 * that text (nobody took it over meanwhile). Returns once it is removed or was replaced.
 */
function removeStale(path: string, text: string): void {
  const guard = `${path}.takeover`;
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (createExclusive(guard, String(process.pid))) {
      try {
        const now = readLockOwner(path);
        if (now && now.text === text) rmSync(path, { force: true });
      } finally {
        rmSync(guard, { force: true });
      }
      return;
    }
    // Another process is taking over (for microseconds), or was killed while it did.
    const g = readLockOwner(guard);
    if (g && (lockIsStale(guard, g) || Date.now() > deadline)) rmSync(guard, { force: true });
    else sleep(2);
  }
}

function ensureExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  // A process that ends through process.exit() or an uncaught error still removes its locks; one
  // killed outright leaves them, stale, for the next process to take over.
  process.on("exit", () => {
    for (const [path, text] of heldHere) {
      try {
        if (readLockOwner(path)?.text === text) rmSync(path, { force: true });
      } catch {
        // unreadable now: left for the next command to judge
      }
    }
  });
}

export interface AcquireOptions {
  /** What holds it, for people ("errormap run --release r1"). */
  command: string;
  release?: string;
  /** How long to wait for a live holder before giving up; 0 (default): give up at once. */
  waitMs?: number;
  /** The message when the lock stays busy (default: the holder and how to clear a stale lock). */
  busy?: (holder: string, read: ReturnType<typeof readLockOwner>) => string;
}

/** Takes the lock at `path` (waiting up to opts.waitMs for a live holder, taking over a stale one), or throws LockBusyError. */
export function acquireLock(path: string, opts: AcquireOptions): Lock {
  mkdirSync(dirname(path), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    start: processStart(process.pid),
    command: opts.command,
    ...(opts.release !== undefined ? { release: opts.release } : {}),
    since: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
  const text = JSON.stringify(owner) + "\n";
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    if (createExclusive(path, text)) break;
    const read = readLockOwner(path);
    if (!read) continue; // released meanwhile
    if (lockIsStale(path, read)) {
      removeStale(path, read.text);
      continue;
    }
    if (Date.now() >= deadline) {
      const holder = describeHolder(read);
      const message =
        opts.busy?.(holder, read) ??
        `${path}: held by ${holder}; if that process is no longer running, delete this file`;
      throw new LockBusyError(message, path, read.owner);
    }
    sleep(5);
  }
  heldHere.set(path, text);
  ensureExitHook();
  return {
    path,
    owner,
    held: () => readLockOwner(path)?.text === text,
    release: () => {
      if (heldHere.get(path) !== text) return;
      heldHere.delete(path);
      if (readLockOwner(path)?.text === text) rmSync(path, { force: true });
    },
  };
}

/** Runs `fn` holding the lock at `path` (see acquireLock), and releases it after. */
export function withLock<T>(path: string, opts: AcquireOptions, fn: (lock: Lock) => T): T {
  const lock = acquireLock(path, opts);
  try {
    return fn(lock);
  } finally {
    lock.release();
  }
}

/** Runs async `fn` holding the lock at `path`, and releases it after. */
export async function withLockAsync<T>(path: string, opts: AcquireOptions, fn: (lock: Lock) => Promise<T>): Promise<T> {
  const lock = acquireLock(path, opts);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
