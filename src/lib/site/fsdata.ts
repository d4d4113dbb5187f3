// Reads a data root from disk for the site. The content collections (src/content.config.ts) store
// these entries and validate them with the schemas; `loadSiteFromDisk` does the same without Astro,
// for tests and scripts. Only what the site shows is read: the records joined to an analysis.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { aggregatesPath, readAggregatesRaw } from "../data/aggregates.ts";
import { analysesPath, hasAnalyses, readAnalysesRaw } from "../data/analyses.ts";
import { readReleaseRaw, releaseIdsOnDisk } from "../data/release.ts";
import { hasManifest, readManifestRaw } from "../data/snapshot.ts";
import { readTaxonomyRaw } from "../data/taxonomy.ts";
import { layout } from "../paths.ts";
import { hasReleaseRegistry, readRegistryEntriesRaw, readReleaseRegistryRaw } from "../data/registry.ts";
import {
  DatasetEntrySchema,
  ModelEntrySchema,
  RegistrySchema,
  ReleaseSchema,
  SnapshotManifestSchema,
  TaxonomySchema,
  parseAggregates,
  parseAnalysis,
  parseEvalRecord,
  recordKey,
  type Analysis,
  type EvalRecord,
} from "../schemas.ts";
import { buildSite, type Site, type SiteInput, type SiteRelease } from "./model.ts";
import { attachDataRoot } from "./attempted.ts";
import { keysShownInFull } from "./shown.ts";

export interface RawEntry {
  id: string;
  data: Record<string, unknown>;
  /** Where it was read ("file:line" for JSONL lines), for error messages. */
  source?: string;
}

/** Ids of release folders that hold a release.json, sorted (src/lib/data/release.ts). */
export const releaseIds = releaseIdsOnDisk;

export function readReleases(root: string): RawEntry[] {
  return releaseIds(root).map((id) => ({ id, data: readReleaseRaw(root, id) }));
}

export function readTaxonomies(root: string): RawEntry[] {
  return releaseIds(root).map((id) => ({ id, data: readTaxonomyRaw(root, id) }));
}

export function readAggregates(root: string): RawEntry[] {
  return releaseIds(root).map((id) => ({ id, data: readAggregatesRaw(root, id), source: aggregatesPath(root, id) }));
}

/** Entry id of an analysis: release id and record key. */
export const analysisEntryId = (release: string, key: string) => `${release}/${key}`;
/** Entry id of a record: snapshot id and record key. */
export const recordEntryId = (snapshot: string, key: string) => `${snapshot}/${key}`;

export function readAnalyses(root: string): RawEntry[] {
  const out: RawEntry[] = [];
  for (const id of releaseIds(root)) {
    if (!hasAnalyses(root, id)) continue;
    const path = analysesPath(root, id);
    for (const { line, data } of readAnalysesRaw(root, id))
      out.push({ id: analysisEntryId(id, String(data.key)), data, source: `${path}:${line}` });
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
  return ids.filter((id) => hasManifest(root, id)).map((id) => ({ id, data: readManifestRaw(root, id) }));
}

const FIELD = Buffer.from('"instance_id":');

/**
 * Whole lines of a file read at byte offsets, for a binary search over a sorted JSONL file without
 * reading all of it (a snapshot at atlas scale is hundreds of megabytes; pages need a few thousand
 * of its records).
 */
class LineReader {
  // A probe reads a little (copying 32 KB for each of tens of thousands of probes cost a second at
  // atlas scale), then more when the line is longer, as a record with a long output is.
  private small = Buffer.allocUnsafe(1 << 12);
  private buf = Buffer.allocUnsafe(1 << 17);
  readonly size: number;
  private fd: number;
  constructor(path: string) {
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
  }
  close() {
    closeSync(this.fd);
  }
  /** Offset of the first newline at or after `pos`, or the file's size. */
  private newlineFrom(pos: number): number {
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, pos);
      if (n === 0) return this.size;
      const nl = this.buf.subarray(0, n).indexOf(10);
      if (nl >= 0) return pos + nl;
      pos += n;
    }
  }
  /**
   * The first line that begins at or after `pos`: where it starts and ends (its newline, or the
   * file's end) and its text; null when no line begins there.
   */
  lineFrom(pos: number): { start: number; end: number; text: string } | null {
    const from = pos === 0 ? 0 : pos - 1;
    for (const buf of [this.small, this.buf]) {
      const n = readSync(this.fd, buf, 0, buf.length, from);
      const view = buf.subarray(0, n);
      const nl = pos === 0 ? -1 : view.indexOf(10);
      if (pos !== 0 && nl < 0) continue;
      const rel = nl + 1;
      if (from + rel >= this.size) return null;
      const endRel = view.indexOf(10, rel);
      if (endRel >= 0) return { start: from + rel, end: from + endRel, text: view.toString("utf8", rel, endRel) };
      if (from + n >= this.size) return { start: from + rel, end: this.size, text: view.toString("utf8", rel) };
    }
    // A very long line: find its bounds, then read it whole.
    const start = pos === 0 ? 0 : Math.min(this.newlineFrom(from) + 1, this.size);
    if (start >= this.size) return null;
    const end = this.newlineFrom(start);
    const bytes = Buffer.allocUnsafe(end - start);
    readSync(this.fd, bytes, 0, bytes.length, start);
    return { start, end, text: bytes.toString("utf8") };
  }
}

/** 1-based number of the line that begins at byte `offset` of a file (for error messages only). */
function lineNumberAt(path: string, offset: number): number {
  const bytes = readFileSync(path);
  let line = 1;
  for (let n = bytes.indexOf(10); n >= 0 && n < offset; n = bytes.indexOf(10, n + 1)) line++;
  return line;
}

/**
 * Finds records of one snapshot dataset file by binary search: the import writes each file sorted
 * by (model, instance_id). Returns the entries found and removes their keys from `keys`; stops
 * (leaving the rest to scanFor) at anything unexpected, e.g. a file not in that order.
 */
export function searchSorted(
  path: string,
  snapshot: string,
  dataset: string,
  keys: Set<string>,
  out: RawEntry[],
): void {
  const reader = new LineReader(path);
  try {
    const wanted = [...keys].map((k) => {
      const [, model, ...rest] = k.split("|");
      return { key: k, model: model!, id: rest.join("|") };
    });
    for (const w of wanted) {
      // Invariant: lines beginning before `lo` sort before w, lines beginning at or after `hi` after it.
      let lo = 0;
      let hi = reader.size;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const line = reader.lineFrom(mid);
        if (!line || line.start >= hi) {
          hi = mid;
          continue;
        }
        const { start, end, text } = line;
        let r: Record<string, unknown>;
        try {
          r = JSON.parse(text);
        } catch {
          return; // the scan reports it if it is a wanted line
        }
        const m = r?.model;
        const id = r?.instance_id;
        if (typeof m !== "string" || typeof id !== "string") return;
        const c = m < w.model ? -1 : m > w.model ? 1 : id < w.id ? -1 : id > w.id ? 1 : 0;
        if (c === 0) {
          if (r.dataset === dataset) {
            keys.delete(w.key);
            out.push({
              id: recordEntryId(snapshot, w.key),
              data: r,
              get source() {
                return `${path}:${lineNumberAt(path, start)}`;
              },
            });
          }
          break;
        }
        if (c < 0) lo = end + 1;
        else hi = start;
      }
    }
  } finally {
    reader.close();
  }
}

/**
 * Finds records of one snapshot dataset file by reading all of it: its bytes are searched for
 * `"instance_id":` fields (JSON escapes quotes inside strings, so that text is always a field: a
 * record's own, or one nested in metadata), and only lines holding a wanted id are decoded and
 * parsed, then checked against the wanted key. Found keys are removed from `keys`.
 */
function scanFor(path: string, snapshot: string, keys: Set<string>, out: RawEntry[]): void {
  const ids = new Set([...keys].map((k) => JSON.stringify(k.split("|").slice(2).join("|"))));
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
  for (let at = buf.indexOf(FIELD); at >= 0 && keys.size; at = buf.indexOf(FIELD, at + FIELD.length)) {
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
    if (!keys.delete(key)) continue;
    out.push({ id: recordEntryId(snapshot, key), data: r, source: `${path}:${lineAt(at)}` });
  }
}

/**
 * The records with the given keys (snapshot id -> record keys), read from the snapshots. Pages show
 * a few thousand records out of hundreds of thousands: each is found by binary search in its
 * sorted dataset file, and only what that misses (a file out of order, a record not there) is
 * looked for by reading the whole file.
 */
export function readRecords(root: string, wanted: Map<string, Set<string>>): RawEntry[] {
  const out: RawEntry[] = [];
  for (const snap of readSnapshots(root)) {
    const keys = wanted.get(snap.id);
    if (!keys?.size) continue;
    const byDataset = Map.groupBy(keys, (k) => k.slice(0, k.indexOf("|")));
    const manifest = SnapshotManifestSchema.parse(snap.data);
    for (const ds of [...byDataset.keys()].sort()) {
      const entry = manifest.datasets[ds];
      if (!entry) continue;
      const path = join(layout(root).snapshot(snap.id), entry.file);
      if (!existsSync(path)) continue;
      const left = new Set(byDataset.get(ds));
      searchSorted(path, snap.id, ds, left, out);
      if (left.size) scanFor(path, snap.id, left, out);
    }
  }
  return out;
}

/** The data root's registry entries, unvalidated (src/lib/data/registry.ts owns the files). */
export const readModels = (root: string): RawEntry[] => readRegistryEntriesRaw(root, "models");
export const readDatasets = (root: string): RawEntry[] => readRegistryEntriesRaw(root, "datasets");

/** Each release's own copy of the registry entries it used (registry.json), when it has one. */
export const readReleaseRegistries = (root: string): RawEntry[] =>
  releaseIds(root)
    .filter((id) => hasReleaseRegistry(root, id))
    .map((id) => ({ id, data: readReleaseRegistryRaw(root, id) }));

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

/** Entries checked against a schema (or its fastParser, see src/lib/fastparse.ts). */
const validate = (
  schema: z.ZodType | ((v: unknown) => z.ZodSafeParseResult<unknown>),
  entries: RawEntry[],
  what: string,
) =>
  entries.map((e) => {
    const r = typeof schema === "function" ? schema(e.data) : schema.safeParse(e.data);
    if (!r.success) throw new Error(`${e.source ?? what + " " + e.id}: ${what} ${e.id}: ${z.prettifyError(r.error)}`);
    return { id: e.id, data: r.data };
  });

/**
 * The bulk of every release, validated: its aggregates and analyses. The site reads these from disk
 * rather than through content collections: Astro serialises its content store into the build, and
 * at atlas scale (hundreds of thousands of failures, thousands of model pairs) that store cost more
 * time and memory than building the pages (README "Performance"). Records come after, see recordsFor.
 */
export function readBulkEntries(root: string) {
  return {
    aggregates: validate(parseAggregates, readAggregates(root), "aggregates"),
    analyses: validate(parseAnalysis, readAnalyses(root), "analysis"),
  };
}

/** Loads the records pages show in full into the site model: `read` gets the keys wanted per snapshot. */
export function attachShownRecords(site: Site, read: (wanted: Map<string, Set<string>>) => EvalRecord[]): void {
  const wanted = new Map<string, Set<string>>();
  const shownBy = new Map<SiteRelease, Set<string>>();
  for (const rel of site.releases) {
    const keys = keysShownInFull(rel);
    shownBy.set(rel, keys);
    const snapshot = rel.release.snapshot;
    const all = wanted.get(snapshot) ?? wanted.set(snapshot, new Set()).get(snapshot)!;
    for (const k of keys) all.add(k);
  }
  const byKey = new Map(read(wanted).map((r) => [recordKey(r), r]));
  for (const [rel, keys] of shownBy) for (const k of keys) if (byKey.has(k)) rel.records.set(k, byKey.get(k)!);
}

/** A reader of the records pages show in full (for attachShownRecords), validated. */
export const recordsFor = (root: string) => (wanted: Map<string, Set<string>>) =>
  validate(parseEvalRecord, readRecords(root, wanted), "record").map((e) => e.data as EvalRecord);

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
  attachDataRoot(site, root);
  return site;
}
