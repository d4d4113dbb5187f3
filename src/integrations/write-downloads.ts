// Writing every page's downloads into a folder: run by the downloads integration in a worker
// thread while Astro renders the pages (a second core does it), or in the build itself when
// workers cannot run TypeScript.
import { mkdirSync, readlinkSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { dirname, join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { dataPages, downloadsOf } from "../lib/site/downloads.ts";
import { loadSiteFromDisk } from "../lib/site/fsdata.ts";
import { failureListFiles } from "../lib/site/lists.ts";
import { fullTextFiles } from "../lib/site/items.ts";

/** Every download of the site: each data page's data.json and data.csv, then each failure list's chunks. */
function* siteDownloads(root: string): Generator<{ path: string; body: string }> {
  const site = loadSiteFromDisk(root);
  for (const page of dataPages(site)) yield* downloadsOf(page);
  yield* failureListFiles(site);
  yield* fullTextFiles(root, site);
}

/**
 * Writes the downloads of the data root: data.json and data.csv of every data page, and the chunk
 * files of every failure list (src/lib/site/lists.ts). In place (`flat` false): under `out` at
 * their site paths. Staged (`flat` true): as numbered files directly in `out`, so moving them
 * beside their pages later leaves one flat folder to remove (a staged copy of the site's folder
 * tree cost seconds to delete at atlas scale). Returns the site paths, in file-number order.
 */
export function writeDownloads(root: string, out: string, flat = false): string[] {
  const written: string[] = [];
  const made = new Set<string>();
  mkdirSync(out, { recursive: true });
  for (const f of siteDownloads(root)) {
    const target = flat
      ? join(out, String(written.length))
      : join(out, ...f.path.split("/").filter(Boolean).map(decodeURIComponent));
    const folder = dirname(target);
    if (!made.has(folder)) mkdirSync(folder, { recursive: true });
    made.add(folder);
    writeFileSync(target, f.body);
    written.push(f.path);
  }
  return written;
}

/**
 * Lowers this thread's CPU priority, so the main thread, whose pages decide when the build ends,
 * gets the cores first and this one takes what is left. On Linux a thread has its own nice value
 * (setpriority with the thread's id); elsewhere this does nothing.
 */
function yieldToPages(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: run at the normal priority
  }
}

if (parentPort && workerData?.errormapDownloads) {
  const { root, out } = workerData as { root: string; out: string };
  yieldToPages();
  parentPort.postMessage(writeDownloads(root, out, true));
}
