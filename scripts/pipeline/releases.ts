// Reading releases back: one release's files, and the order of releases (the `previous` chain).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { layout } from "../../src/lib/paths.ts";
import { isDataFolderName, orderReleases } from "../../src/lib/releases-order.ts";
import { z } from "zod";
import {
  parseAnalysis,
  ReleaseSchema,
  TaxonomySchema,
  type Analysis,
  type Release,
  type Taxonomy,
} from "../../src/lib/schemas.ts";

function parseFile<T>(path: string, parse: (v: unknown) => T): T {
  try {
    return parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    throw new Error(`${path}: ${problemText(e)}`);
  }
}

/** One line for a parse error: a zod error's first issue with its field (its message is a JSON list), else the message. */
export function problemText(e: unknown): string {
  if (e instanceof z.ZodError) {
    const issue = e.issues[0];
    return `${issue?.path.length ? `field ${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid"}`;
  }
  return (e as Error).message.split("\n")[0];
}

export function loadRelease(root: string, id: string): Release | null {
  const path = join(layout(root).release(id), "release.json");
  return existsSync(path) ? parseFile(path, (v) => ReleaseSchema.parse(v)) : null;
}

export function readTaxonomy(root: string, id: string): Taxonomy {
  return parseFile(join(layout(root).release(id), "taxonomy.json"), (v) => TaxonomySchema.parse(v));
}

export function loadReleaseAnalyses(root: string, id: string): Analysis[] {
  const path = join(layout(root).release(id), "analyses.jsonl");
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line, i) => {
      const r = parseAnalysis(JSON.parse(line));
      if (!r.success)
        throw new Error(
          `${path}: line ${i + 1}, field ${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`,
        );
      return r.data;
    });
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
    const file = join(path, "release.json");
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
