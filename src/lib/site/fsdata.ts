// Reads a data root from disk for the site. The content collections (src/content.config.ts) store
// these entries and validate them with the schemas; `loadSiteFromDisk` does the same without Astro,
// for tests and scripts. Only what the site shows is read: the records joined to an analysis.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { layout } from "../paths.ts";
import {
  AggregatesSchema,
  AnalysisSchema,
  DatasetEntrySchema,
  EvalRecordSchema,
  ModelEntrySchema,
  RegistrySchema,
  ReleaseSchema,
  SnapshotManifestSchema,
  TaxonomySchema,
  recordKey,
  type Analysis,
  type EvalRecord,
} from "../schemas.ts";
import { buildSite, type Site, type SiteInput } from "./model.ts";
import { attachShownRecords } from "./pages.ts";

export interface RawEntry {
  id: string;
  data: Record<string, unknown>;
  /** Where it was read ("file:line" for JSONL lines), for error messages. */
  source?: string;
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Each non-empty line of a JSONL file, parsed, with its line number; a bad line names the file and line. */
function readJsonl(path: string): { line: number; data: Record<string, unknown> }[] {
  const out: { line: number; data: Record<string, unknown> }[] = [];
  // Lines are decoded one by one from the bytes: decoding a whole mostly-ASCII file with a few other
  // characters gives one two-byte string, slower to split and parse (issue 6).
  const bytes = readFileSync(path);
  for (let start = 0, n = 1; start < bytes.length; n++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const text = bytes.toString("utf8", start, end);
    if (text.trim()) {
      try {
        out.push({ line: n, data: JSON.parse(text) });
      } catch (err) {
        throw new Error(`${path}:${n}: ${(err as Error).message}`);
      }
    }
    start = end + 1;
  }
  return out;
}

/** Ids of release folders that hold a release.json, sorted. */
export function releaseIds(root: string): string[] {
  const dir = layout(root).releases;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "release.json")))
    .map((d) => d.name)
    .sort();
}

const releaseFile = (root: string, id: string, name: string) => join(layout(root).release(id), name);

export function readReleases(root: string): RawEntry[] {
  return releaseIds(root).map((id) => ({ id, data: readJsonFile(releaseFile(root, id, "release.json")) as Record<string, unknown> }));
}

export function readTaxonomies(root: string): RawEntry[] {
  return releaseIds(root).map((id) => ({ id, data: readJsonFile(releaseFile(root, id, "taxonomy.json")) as Record<string, unknown> }));
}

export function readAggregates(root: string): RawEntry[] {
  return releaseIds(root).map((id) => {
    const path = releaseFile(root, id, "aggregates.json");
    return { id, data: readJsonFile(path) as Record<string, unknown>, source: path };
  });
}

/** Entry id of an analysis: release id and record key. */
export const analysisEntryId = (release: string, key: string) => `${release}/${key}`;
/** Entry id of a record: snapshot id and record key. */
export const recordEntryId = (snapshot: string, key: string) => `${snapshot}/${key}`;

export function readAnalyses(root: string): RawEntry[] {
  const out: RawEntry[] = [];
  for (const id of releaseIds(root)) {
    const path = releaseFile(root, id, "analyses.jsonl");
    if (!existsSync(path)) continue;
    for (const { line, data } of readJsonl(path)) out.push({ id: analysisEntryId(id, String(data.key)), data, source: `${path}:${line}` });
  }
  return out;
}

/** Snapshot id of each release (from its release.json). */
function releaseSnapshots(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readReleases(root)) out.set(e.id, String(e.data.snapshot));
  return out;
}

export function readSnapshots(root: string): RawEntry[] {
  const ids = [...new Set(releaseSnapshots(root).values())].sort();
  return ids
    .filter((id) => existsSync(join(layout(root).snapshot(id), "manifest.json")))
    .map((id) => ({ id, data: readJsonFile(join(layout(root).snapshot(id), "manifest.json")) as Record<string, unknown> }));
}

const FIELD = Buffer.from('"instance_id":');

/**
 * The records with the given keys (snapshot id -> record keys), read from the snapshots. Pages show
 * a few hundred records per release out of hundreds of thousands, so each dataset file is searched
 * as bytes (no decoding of the whole file) for its `"instance_id":` fields (JSON escapes quotes
 * inside strings, so that text is always a field: a record's own, or one nested in metadata), and
 * only lines holding a wanted id are decoded and parsed, then checked against the wanted key.
 */
export function readRecords(root: string, wanted: Map<string, Set<string>>): RawEntry[] {
  const out: RawEntry[] = [];
  for (const snap of readSnapshots(root)) {
    const keys = wanted.get(snap.id);
    if (!keys?.size) continue;
    const found = new Set<string>();
    const byDataset = new Map<string, Set<string>>(); // dataset -> instance ids, as JSON strings
    for (const k of keys) {
      const [dataset, , ...rest] = k.split("|");
      (byDataset.get(dataset!) ?? byDataset.set(dataset!, new Set()).get(dataset!)!).add(JSON.stringify(rest.join("|")));
    }
    const manifest = SnapshotManifestSchema.parse(snap.data);
    for (const ds of [...byDataset.keys()].sort()) {
      const entry = manifest.datasets[ds];
      if (!entry) continue;
      const path = join(layout(root).snapshot(snap.id), entry.file);
      if (!existsSync(path)) continue;
      const ids = byDataset.get(ds)!;
      const buf = readFileSync(path);
      let line = 1;
      let counted = 0; // newlines are counted up to here, for line numbers in messages
      const lineAt = (at: number) => {
        for (let n = buf.indexOf(10, counted); n >= 0 && n < at; n = buf.indexOf(10, n + 1)) {
          line++;
          counted = n + 1;
        }
        return line;
      };
      for (let at = buf.indexOf(FIELD); at >= 0; at = buf.indexOf(FIELD, at + FIELD.length)) {
        // The id is the JSON string after the field name: it ends at the first quote that no odd run
        // of backslashes escapes.
        const from = at + FIELD.length;
        let end = from + 1;
        for (; end < buf.length; end++) {
          if (buf[end] !== 34) continue;
          let b = 0;
          while (buf[end - 1 - b] === 92) b++;
          if (b % 2 === 0) break;
        }
        if (!ids.has(buf.toString("utf8", from, end + 1))) continue;
        const start = buf.lastIndexOf(10, at) + 1;
        const stop = buf.indexOf(10, at);
        let r: Record<string, unknown>;
        try {
          r = JSON.parse(buf.toString("utf8", start, stop < 0 ? buf.length : stop));
        } catch (err) {
          throw new Error(`${path}:${lineAt(at)}: ${(err as Error).message}`);
        }
        const key = `${r.dataset}|${r.model}|${r.instance_id}`;
        if (!keys.has(key) || found.has(key)) continue;
        found.add(key);
        out.push({ id: recordEntryId(snap.id, key), data: r, source: `${path}:${lineAt(at)}` });
      }
    }
  }
  return out;
}

function readRegistryFile(path: string): RawEntry[] {
  if (!existsSync(path)) return [];
  const list = readJsonFile(path);
  if (!Array.isArray(list)) throw new Error(`${path}: expected an array`);
  return list.map((m) => ({ id: String((m as { id: unknown }).id), data: m as Record<string, unknown> }));
}

export const readModels = (root: string) => readRegistryFile(layout(root).modelsFile);

/** Each release's own copy of the registry entries it used (registry.json), when it has one. */
export function readReleaseRegistries(root: string): RawEntry[] {
  return releaseIds(root)
    .filter((id) => existsSync(releaseFile(root, id, "registry.json")))
    .map((id) => ({ id, data: readJsonFile(releaseFile(root, id, "registry.json")) as Record<string, unknown> }));
}
export const readDatasets = (root: string) => readRegistryFile(layout(root).datasetsFile);

/** Groups validated collection entries into what buildSite needs. Shared by Astro and disk loading. */
export function siteInput(c: {
  releases: { id: string; data: unknown }[];
  taxonomies: { id: string; data: unknown }[];
  aggregates: { id: string; data: unknown }[];
  analyses: { id: string; data: unknown }[];
  snapshots: { id: string; data: unknown }[];
  records: { id: string; data: unknown }[];
  models: { id: string; data: unknown }[];
  datasets: { id: string; data: unknown }[];
  registries: { id: string; data: unknown }[];
}): SiteInput {
  const analyses = new Map<string, Analysis[]>();
  for (const e of c.analyses) {
    const release = e.id.slice(0, e.id.indexOf("/"));
    const list = analyses.get(release) ?? [];
    list.push(e.data as Analysis);
    analyses.set(release, list);
  }
  const records = new Map<string, Map<string, EvalRecord>>();
  for (const e of c.records) {
    const snapshot = e.id.slice(0, e.id.indexOf("/"));
    const r = e.data as EvalRecord;
    const m = records.get(snapshot) ?? new Map<string, EvalRecord>();
    m.set(recordKey(r), r);
    records.set(snapshot, m);
  }
  const byId = <T>(xs: { id: string; data: unknown }[]) => new Map(xs.map((e) => [e.id, e.data as T]));
  return {
    releases: c.releases.map((e) => e.data as SiteInput["releases"][number]),
    taxonomies: byId(c.taxonomies),
    aggregates: byId(c.aggregates),
    analyses,
    snapshots: byId(c.snapshots),
    records,
    models: c.models.map((e) => e.data as SiteInput["models"][number]),
    datasets: c.datasets.map((e) => e.data as SiteInput["datasets"][number]),
    registries: byId(c.registries),
  };
}

const validate = (schema: z.ZodType, entries: RawEntry[], what: string) =>
  entries.map((e) => {
    const r = schema.safeParse(e.data);
    if (!r.success) throw new Error(`${e.source ?? what + " " + e.id}: ${what} ${e.id}: ${z.prettifyError(r.error)}`);
    return { id: e.id, data: r.data };
  });

/**
 * The bulk of every release, validated: its aggregates and analyses. The site reads these from disk
 * rather than through content collections: Astro serialises its content store into the build, and
 * at atlas scale (hundreds of thousands of failures, thousands of model pairs) that store cost more
 * time and memory than building the pages (issue 6). Records come after, see recordsFor.
 */
export function readBulkEntries(root: string) {
  return {
    aggregates: validate(AggregatesSchema, readAggregates(root), "aggregates"),
    analyses: validate(AnalysisSchema, readAnalyses(root), "analysis"),
  };
}

/** A reader of the records pages show in full (for attachShownRecords), validated. */
export const recordsFor = (root: string) => (wanted: Map<string, Set<string>>) =>
  validate(EvalRecordSchema, readRecords(root, wanted), "record").map((e) => e.data as EvalRecord);

/** The whole site model from a data root, validated with the schemas; no Astro needed. */
export function loadSiteFromDisk(root: string): Site {
  const site = buildSite(
    siteInput({
      releases: validate(ReleaseSchema, readReleases(root), "release"),
      taxonomies: validate(TaxonomySchema, readTaxonomies(root), "taxonomy"),
      ...readBulkEntries(root),
      records: [],
      snapshots: validate(SnapshotManifestSchema, readSnapshots(root), "snapshot"),
      models: validate(ModelEntrySchema, readModels(root), "model"),
      datasets: validate(DatasetEntrySchema, readDatasets(root), "dataset"),
      registries: validate(RegistrySchema, readReleaseRegistries(root), "release registry"),
    }),
  );
  attachShownRecords(site, recordsFor(root));
  return site;
}
