// Reading releases back: one release's files, and the order of releases (the `previous` chain).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { layout } from "../../src/lib/paths.ts";
import { isDataFolderName, orderReleases } from "../../src/lib/releases-order.ts";
import { parseAnalysis, ReleaseSchema, TaxonomySchema, type Analysis, type Release, type Taxonomy } from "../../src/lib/schemas.ts";

function parseFile<T>(path: string, parse: (v: unknown) => T): T {
  try {
    return parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message.split("\n")[0]}`);
  }
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
      if (!r.success) throw new Error(`${path}: line ${i + 1}, field ${r.error.issues[0].path.join(".")}: ${r.error.issues[0].message}`);
      return r.data;
    });
}

/** Every release of the data root, oldest first (src/lib/releases-order.ts: the site orders them the same way). */
export function listReleases(root: string): Release[] {
  const dir = layout(root).releases;
  if (!existsSync(dir)) return [];
  const all = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isDataFolderName(d.name))
    .map((d) => loadRelease(root, d.name))
    .filter((r): r is Release => r !== null);
  return orderReleases(all);
}

/** The newest release other than `except`: what a new release follows by default. */
export function findPrevious(root: string, except: string): string | null {
  const list = listReleases(root).filter((r) => r.id !== except);
  return list.length ? list[list.length - 1].id : null;
}
