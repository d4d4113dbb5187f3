// What the review commands read of a release: release.json, taxonomy, analyses, aggregates, and
// (for the texts a sheet shows) the records of its snapshot.
import { readAggregates } from "../../src/lib/data/aggregates.ts";
import { layout } from "../../src/lib/paths.ts";
import {
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
  return readAggregates(root, id);
}

/** The release's snapshot records, by record key. */
export function loadRecordsByKey(root: string, release: Release): Map<string, EvalRecord> {
  const manifest = loadManifest(root, release.snapshot);
  return new Map(loadRecords(root, manifest).map((r) => [recordKey(r), r]));
}
