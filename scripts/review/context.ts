// What the review commands read of a release: release.json, taxonomy, analyses, aggregates, and
// (for the texts a sheet shows) the records of its snapshot.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { layout } from "../../src/lib/paths.ts";
import {
  parseAggregates,
  recordKey,
  type Aggregates,
  type Analysis,
  type EvalRecord,
  type Release,
  type Taxonomy,
} from "../../src/lib/schemas.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { loadRelease, loadReleaseAnalyses, readTaxonomy } from "../pipeline/releases.ts";

export interface ReleaseContext {
  release: Release;
  taxonomy: Taxonomy;
  analyses: Analysis[];
  byKey: Map<string, Analysis>;
}

export function loadReleaseContext(root: string, id: string): ReleaseContext {
  const release = loadRelease(root, id);
  if (!release) throw new Error(`no release "${id}" in ${layout(root).releases}`);
  const analyses = loadReleaseAnalyses(root, id);
  return { release, taxonomy: readTaxonomy(root, id), analyses, byKey: new Map(analyses.map((a) => [a.key, a])) };
}

export function loadAggregates(root: string, id: string): Aggregates {
  const path = join(layout(root).release(id), "aggregates.json");
  const r = parseAggregates(JSON.parse(readFileSync(path, "utf8")));
  if (!r.success) throw new Error(`${path}: field ${r.error.issues[0]!.path.join(".")}: ${r.error.issues[0]!.message}`);
  return r.data;
}

/** The release's snapshot records, by record key. */
export function loadRecordsByKey(root: string, release: Release): Map<string, EvalRecord> {
  const manifest = loadManifest(root, release.snapshot);
  return new Map(loadRecords(root, manifest).map((r) => [recordKey(r), r]));
}
