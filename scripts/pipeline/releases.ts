// Reading releases back: one release's files, and the order of releases (the `previous` chain).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readAnalyses } from "../../src/lib/data/analyses.ts";
import { readRelease, releaseJsonPath } from "../../src/lib/data/release.ts";
import { layout } from "../../src/lib/paths.ts";
import { isDataFolderName, orderReleases } from "../../src/lib/releases-order.ts";
import type { Analysis, Release } from "../../src/lib/schemas.ts";

// The readers of a release's files are their owners' (src/lib/data/), named here as the pipeline knows them.
export { problemText } from "../../src/lib/data/errors.ts";
export { readTaxonomy } from "../../src/lib/data/taxonomy.ts";

export function loadRelease(root: string, id: string): Release | null {
  return readRelease(root, id);
}

export function loadReleaseAnalyses(root: string, id: string): Analysis[] {
  return readAnalyses(root, id);
}

/** A folder under releases/ that is not a release: no release.json, or one that does not validate. */
export interface InvalidRelease {
  path: string;
  problem: string;
}

/**
 * Every release of the data root, oldest first, and the folders that are not valid releases. One
 * bad folder (a stray release.json holding `{}`) must not hide the others: `errormap doctor`
 * reports it by path, `run` and `info` go on without it.
 */
export function scanReleases(root: string): { releases: Release[]; invalid: InvalidRelease[] } {
  const dir = layout(root).releases;
  if (!existsSync(dir)) return { releases: [], invalid: [] };
  const releases: Release[] = [];
  const invalid: InvalidRelease[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!isDataFolderName(d.name)) continue;
    const path = join(dir, d.name);
    if (!d.isDirectory()) {
      invalid.push({ path, problem: "not a release folder (a file where release folders go)" });
      continue;
    }
    const file = releaseJsonPath(root, d.name);
    if (!existsSync(file)) {
      invalid.push({ path, problem: "not a release: it holds no release.json" });
      continue;
    }
    try {
      const r = loadRelease(root, d.name)!;
      if (r.id !== d.name) throw new Error(`${file}: field id: "${r.id}" is not the folder's name "${d.name}"`);
      releases.push(r);
    } catch (e) {
      invalid.push({
        path: file,
        problem: `not a valid release: ${(e as Error).message.startsWith(file) ? (e as Error).message.slice(file.length + 2) : (e as Error).message}`,
      });
    }
  }
  return { releases: orderReleases(releases), invalid };
}

/** Every valid release of the data root, oldest first (src/lib/releases-order.ts: the site orders them the same way). */
export function listReleases(root: string): Release[] {
  return scanReleases(root).releases;
}

/** The newest release other than `except`: what a new release follows by default. */
export function findPrevious(root: string, except: string): string | null {
  const list = listReleases(root).filter((r) => r.id !== except);
  return list.length ? list[list.length - 1].id : null;
}
