// Who may write what, between errormap processes on one data root (README, "Data layout": locks/).
//
// - One writer per release: `errormap run` (a replacing --force included), `errormap release
//   publish` and `errormap review import` each hold <root>/locks/release-<id>.lock while they read
//   and write the release. None of them waits: a busy release is refused at once, naming its
//   holder. A run holds it from its start to its last write, so publishing during a run is refused
//   (the maintainer publishes the run's result after it, not the folder it is about to replace),
//   and just before its final swap the run checks that the lock is still its own and the release
//   still unpublished (someone may have deleted the lock by hand and published): if not, it
//   replaces nothing and fails. A published release is never replaced.
// - One `errormap run` per data root: <root>/locks/run.lock. Two runs on one root would either
//   write one release twice (the second silently replacing the first) or, on two releases, pay for
//   the same judge calls twice: the cache is shared only once a run flushes it, at the end of its
//   judge stage. Sharing the work in flight instead (runs claiming failures and waiting on each
//   other's answers) would need a cross-process queue with its own failure modes, for a case a
//   single run already covers: --concurrency sets how many calls are in flight, and a run after
//   another asks only for what the first did not (the cache). So the second run stops at once and
//   says which run holds the root.
//
// A lock left by a killed process of this host is taken over (scripts/lib/lock.ts); the messages say
// how to clear one by hand (another host's, on a shared file system).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { acquireLock, lockIsStale, readLockOwner, describeHolder, type Lock } from "../lib/lock.ts";
import { publishedOnDisk } from "../../src/lib/data/release.ts";
import { layout } from "../../src/lib/paths.ts";

export { publishedOnDisk };

const clearHint = (path: string) =>
  `If that process is no longer running (a lock taken on another host is never taken over automatically), delete ${path}`;

/** Takes the data root's run lock, or throws naming the run that holds it. */
export function lockRun(root: string, release: string, command: string): Lock {
  const path = layout(root).runLock;
  return acquireLock(path, {
    command,
    release,
    busy: (holder, read) =>
      `another errormap run is using the data root ${root}: ${holder}${read?.owner?.release ? `, writing release "${read.owner.release}"` : ""}. ` +
      `One run per data root at a time (two would pay for the same judge calls); run this one when that one has finished. ${clearHint(path)}.`,
  });
}

/** Takes release `id`'s lock for `what` ("publish", "re-run", "import reviews into"), or throws naming its holder. */
export function lockRelease(root: string, id: string, command: string, what: string): Lock {
  const path = layout(root).releaseLock(id);
  return acquireLock(path, {
    command,
    release: id,
    busy: (holder) =>
      `release "${id}" is being written by ${holder}; refusing to ${what} it meanwhile (one writer per release). ` +
      `Try again when that has finished. ${clearHint(path)}.`,
  });
}

/**
 * The check right before a release folder is swapped: this process still holds the release's
 * lock, and the release is not published. Throws (nothing is written) otherwise.
 */
export function assertStillWritable(root: string, id: string, lock: Lock, rerun: string): void {
  if (publishedOnDisk(root, id))
    throw new Error(
      `release "${id}" was published while this command was running; it was not replaced (a published release is immutable). ${rerun}`,
    );
  if (!lock.held())
    throw new Error(
      `the lock ${lock.path} was removed or taken over while this command was running, so another process may have written release "${id}"; it was not replaced. ${rerun}`,
    );
}

/** Locks under <root>/locks left by processes that are gone (for `errormap doctor`): harmless, the next command takes them over. */
export function staleLocks(root: string): { path: string; holder: string }[] {
  const dir = layout(root).locks;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".lock"))
    .sort()
    .map((f) => join(dir, f))
    .filter((p) => lockIsStale(p))
    .map((p) => ({ path: p, holder: describeHolder(readLockOwner(p)) }));
}
