// `errormap import`: reads sources, validates every record, maps names to canonical ids, and writes
// a snapshot folder: records/<dataset>.jsonl sorted by (model, instance_id) plus manifest.json.
//
// Memory stays small whatever the input size: records are validated and appended to one spool file
// per dataset as they stream in; only a small index entry (sort key, offset, length) per record stays
// in memory (parallel arrays, see DatasetState), and the sorted files are written by reading the
// spool back at those offsets. Hashes are computed in chunks, never over a whole file in memory.
// Everything is written into a temporary folder that is renamed into place at the very end, so a
// failed import leaves no snapshot behind.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, join } from "node:path";
import { createHash, type Hash } from "node:crypto";
import { recordsFileName, writeManifest } from "../../src/lib/data/snapshot.ts";
import { layout, SNAPSHOT_FILE } from "../../src/lib/paths.ts";
import {
  indexes,
  loadRegistry,
  newDatasetEntry,
  newModelEntry,
  registryHash,
  saveRegistry,
  UnknownNameError,
} from "../lib/registry.ts";
import {
  IdSchema,
  parseEvalRecord,
  parseRawRecord,
  RawRecordSchema,
  type EvalRecord,
  type SnapshotManifest,
} from "../../src/lib/schemas.ts";
import { MAX_NESTING, removeStaleTemps, replaceDir, sha256, stableJsonLine, tooDeep } from "../../src/lib/jsonio.ts";
import { isFailure, resolveThreshold } from "../../src/lib/failure.ts";
import { loadManifest, recordsOf } from "../lib/snapshot-read.ts";
import { ImportError, fromZod } from "./errors.ts";
import type { RawItem } from "./sources.ts";
import { detectInputs } from "./formats/detect.ts";
import type { DetectedInput, Format } from "./formats/types.ts";
import { startProgress } from "../lib/progress.ts";
import { listReleases } from "../pipeline/releases.ts";

export interface ImportOptions {
  root: string;
  snapshot: string;
  base?: string;
  paths: string[];
  register?: boolean;
  force?: boolean;
  /**
   * Success threshold for the graded datasets this import registers (their registry entry's
   * `success_threshold`): needed when their scores leave the default (0.7 × mean) meaningless.
   */
  threshold?: number;
  /** Called with a one-line note for each name registered, replaced record, ... */
  log?: (line: string) => void;
  /** Read and validate everything, count, report, but write nothing (no snapshot, no registry change). */
  dryRun?: boolean;
  /** lm-eval: the model of samples files without a results file; Inspect: the scorer; lm-eval: the filter kept. */
  model?: string;
  scorer?: string;
  filter?: string;
  /** Called once the records are counted: per input (file or run folder), its format, records and failures. */
  report?: (rows: InputReport[]) => void;
}

export interface InputReport {
  /** The path named on the command line, and the input found in it (the same for a file). */
  arg: string;
  path: string;
  format: Format;
  records: number;
  failures: number;
}

/** Appends lines to a file through a 1 MB buffer, remembering where each line starts; hashes them if asked. */
class Spool {
  private fd: number;
  /** Pending lines: strings (append) or bytes (appendBuffer), one kind per spool. */
  private buf: (string | Buffer)[] = [];
  private size = 0;
  private written = 0;
  private hash: Hash | null;
  readonly path: string;
  constructor(path: string, hashed = false) {
    this.path = path;
    this.fd = openSync(path, "w");
    this.hash = hashed ? createHash("sha256") : null;
  }
  append(line: string): { offset: number; length: number } {
    // Kept as text and encoded a megabyte at a time: a Buffer per line costs more than the line.
    const length = Buffer.byteLength(line) + 1;
    const offset = this.written + this.size;
    this.buf.push(line, "\n");
    this.size += length;
    if (this.size > 1 << 20) this.flush();
    return { offset, length };
  }
  /** Appends bytes that already end with a newline. */
  appendBuffer(b: Buffer) {
    this.buf.push(b);
    this.size += b.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush() {
    if (!this.size) return;
    const chunk =
      typeof this.buf[0] === "string" ? Buffer.from(this.buf.join("")) : Buffer.concat(this.buf as Buffer[]);
    writeSync(this.fd, chunk);
    this.hash?.update(chunk);
    this.written += this.size;
    this.buf = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
  /** SHA-256 of everything written (after close). */
  sha256(): string {
    if (!this.hash) throw new Error(`${this.path}: not hashed`);
    return this.hash.digest("hex");
  }
}

/** The fields a record may have (src/lib/schemas.ts); others are reported once per file and ignored. */
const RAW_FIELDS = Object.keys(RawRecordSchema.shape);
const RAW_FIELD_SET = new Set(RAW_FIELDS);

/** Records in `unknown` each field of `value` that no record has, with where it was first seen. */
function noteUnknownFields(value: Record<string, unknown>, unknown: Map<string, string>, where: string): void {
  for (const k in value) if (!RAW_FIELD_SET.has(k) && !unknown.has(k)) unknown.set(k, where);
}

/** Spools up to this size are read back whole to write them sorted; larger ones record by record (memory stays bounded). */
const READ_WHOLE_BYTES = 64 << 20;

/**
 * One dataset being imported: its spool and a compact index with one slot per record, kept in
 * parallel arrays (no object and no extra string per record: a 1 GB input holds millions of
 * records, and a few hundred bytes each would not fit in a small heap).
 */
interface DatasetState {
  spool: Spool;
  /** model id → instance id → slot; the instance id string is the one kept in `id`. */
  slots: Map<string, Map<string, number>>;
  model: string[];
  id: string[];
  offset: number[];
  length: number[];
  /** The score (NaN when null) and correct flag (1, 0, -1 = null), to count failures without re-reading. */
  score: number[];
  correct: number[];
  /** Index of the input file the record came from (-1 = the base snapshot) and its ordinal there. */
  origin: number[];
  ordinal: number[];
  scoreSum: number;
  scoreN: number;
  allHaveCorrect: boolean;
}

export async function importSnapshot(opts: ImportOptions): Promise<SnapshotManifest> {
  const log = opts.log ?? (() => {});
  const L = layout(opts.root);
  const idCheck = IdSchema.safeParse(opts.snapshot);
  if (!idCheck.success) throw new Error(`snapshot id "${opts.snapshot}": ${idCheck.error.issues[0].message}`);
  const final = L.snapshot(opts.snapshot);
  if (existsSync(final) && !opts.force && !opts.dryRun) {
    throw new Error(
      `snapshot "${opts.snapshot}" already exists in ${L.snapshots}; choose a new id, or pass --force to replace it`,
    );
  }
  if (opts.base === opts.snapshot) throw new Error("--base must name another snapshot than the one being written");
  if (existsSync(final) && !opts.dryRun) {
    // A snapshot a published release was built from is part of that release's record: immutable.
    const users = listReleases(opts.root).filter((r) => r.published && r.snapshot === opts.snapshot);
    if (users.length) {
      throw new Error(
        `snapshot "${opts.snapshot}" is the input of published release(s) ${users.map((r) => r.id).join(", ")} and cannot be replaced, even with --force; import into a new snapshot id (--base ${opts.snapshot} to build on it)`,
      );
    }
  }
  const baseManifest = opts.base ? loadManifest(opts.root, opts.base) : null;

  const registry = loadRegistry(opts.root);
  let idx = indexes(registry);
  let registryChanged = false;

  // Expand inputs first, so a bad path fails before any work.
  // Each path's format is detected (formats/detect.ts); a folder may hold several inputs.
  const files: (DetectedInput & { arg: string })[] = [];
  for (const p of opts.paths) {
    const d = detectInputs(p, { model: opts.model, scorer: opts.scorer, filter: opts.filter });
    for (const n of d.notes) log(n);
    files.push(...d.inputs.map((i) => ({ ...i, arg: p })));
  }
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  const perInput = files.map(() => ({ records: 0, failures: 0 }));

  mkdirSync(L.snapshots, { recursive: true });
  for (const t of removeStaleTemps(L.snapshots, opts.snapshot)) log(`removed ${t}, left by an import that was killed`);
  const tmp = join(L.snapshots, `.tmp-${opts.snapshot}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "spool"), { recursive: true });
  mkdirSync(join(tmp, SNAPSHOT_FILE.records), { recursive: true });

  const datasets = new Map<string, DatasetState>();
  const state = (id: string): DatasetState => {
    let s = datasets.get(id);
    if (!s) {
      s = {
        spool: new Spool(join(tmp, "spool", `${id}.jsonl`)),
        slots: new Map(),
        model: [],
        id: [],
        offset: [],
        length: [],
        score: [],
        correct: [],
        origin: [],
        ordinal: [],
        scoreSum: 0,
        scoreN: 0,
        allHaveCorrect: true,
      };
      datasets.set(id, s);
    }
    return s;
  };
  /**
   * Adds a record; `origin` is the input file's index (-1 for the base snapshot). A new file's
   * record replaces the base's record of the same key; two records of the new inputs with the
   * same key are an error.
   */
  const add = (rec: EvalRecord, origin: number, ordinal: number, where: () => [string, string]) => {
    const s = state(rec.dataset);
    let byId = s.slots.get(rec.model);
    if (!byId) s.slots.set(rec.model, (byId = new Map()));
    let slot = byId.get(rec.instance_id);
    if (slot !== undefined) {
      const first = s.origin[slot];
      if (first >= 0 || origin < 0) {
        const [path, at] = where();
        const seenIn = first >= 0 ? `${files[first].path}, record ${s.ordinal[slot]}` : `snapshot ${opts.base}`;
        throw new ImportError(
          path,
          at,
          "instance_id",
          `duplicate record for model "${rec.model}" (source name "${rec.source_model}") and item "${rec.instance_id}" (first seen in ${seenIn})`,
        );
      }
      log(`replaced ${rec.dataset}|${rec.model}|${rec.instance_id} of the base snapshot`);
      // The replaced record's score no longer counts towards the mean.
      if (!Number.isNaN(s.score[slot])) {
        s.scoreSum -= s.score[slot];
        s.scoreN--;
      }
    } else {
      slot = s.id.length;
      byId.set(rec.instance_id, slot);
      s.model.push(rec.model);
      s.id.push(rec.instance_id);
    }
    const at = s.spool.append(stableJsonLine(rec));
    s.offset[slot] = at.offset;
    s.length[slot] = at.length;
    s.score[slot] = rec.score ?? NaN;
    s.correct[slot] = rec.correct === null ? -1 : rec.correct ? 1 : 0;
    s.origin[slot] = origin;
    s.ordinal[slot] = ordinal;
    if (rec.score !== null) {
      s.scoreSum += rec.score;
      s.scoreN++;
    }
    if (rec.correct === null) s.allHaveCorrect = false;
  };

  const inputs: SnapshotManifest["inputs"] = [];
  const registered = new Set<string>();
  try {
    // The base snapshot's records come first; new files may replace them (updated results).
    if (baseManifest) {
      for (const [, ds] of Object.entries(baseManifest.datasets).sort(([a], [b]) => (a < b ? -1 : 1))) {
        for await (const rec of recordsOf(L.snapshot(baseManifest.id), ds.file)) {
          add(rec, -1, 0, () => [join(L.snapshot(baseManifest.id), ds.file), `record ${rec.instance_id}`]);
        }
      }
      inputs.push(...baseManifest.inputs);
    }

    const bar = startProgress("import", totalBytes, "bytes");
    for (const [fi, f] of files.entries()) {
      const items: Iterable<RawItem> | AsyncIterable<RawItem> = f.read((n) => bar.tick(n), log);
      let n = 0;
      const unknown = new Map<string, string>();
      for await (const item of items) {
        const parsed = parseRawRecord(item.value);
        if (!parsed.success) throw fromZod(item.path, item.where, parsed.error);
        const raw = parsed.data;
        noteUnknownFields(item.value, unknown, item.where);
        for (const c of item.ignored ?? []) if (!unknown.has(c)) unknown.set(c, item.where);
        // Nesting deeper than any real metadata would overflow the stack of everything that walks a
        // record later (sorting keys, hashing); say where instead.
        for (const field of ["metadata", "source"] as const) {
          const deep = raw[field] && tooDeep(raw[field]);
          if (deep)
            throw new ImportError(
              item.path,
              item.where,
              field,
              `nested more than ${MAX_NESTING} levels deep (${[field, ...deep.slice(0, 3)].join(".")}...)`,
            );
        }
        let model = idx.models.find(raw.model);
        if (!model) {
          if (!opts.register) {
            const e = new UnknownNameError("model", raw.model, idx.models.closeMatches(raw.model));
            throw new ImportError(item.path, item.where, "model", e.message);
          }
          model = newModelEntry(raw.model.trim(), new Set(registry.models.map((m) => m.id)));
          registry.models.push(model);
          idx = indexes(registry);
          registryChanged = true;
          log(`registered model "${raw.model}" as ${model.id}`);
        }
        let dataset = idx.datasets.find(raw.dataset);
        if (!dataset) {
          if (!opts.register) {
            const e = new UnknownNameError("dataset", raw.dataset, idx.datasets.closeMatches(raw.dataset));
            throw new ImportError(item.path, item.where, "dataset", e.message);
          }
          dataset = newDatasetEntry(raw.dataset.trim(), new Set(registry.datasets.map((d) => d.id)));
          if (opts.threshold !== undefined) dataset.success_threshold = opts.threshold;
          registered.add(dataset.id);
          registry.datasets.push(dataset);
          idx = indexes(registry);
          registryChanged = true;
          log(`registered dataset "${raw.dataset}" as ${dataset.id}`);
        }
        // Keys in sorted order: the record is then written as it is, not copied to sort them.
        const rec: EvalRecord = {
          correct: raw.correct ?? null,
          dataset: dataset.id,
          extracted: raw.extracted,
          input: raw.input,
          instance_id: raw.instance_id,
          metadata: raw.metadata,
          model: model.id,
          output: raw.output,
          prompt: raw.prompt,
          reference: raw.reference,
          reference_text: raw.reference_text,
          score: raw.score ?? null,
          source: { ...(raw.source ?? {}), file: item.file },
          source_model: raw.model,
        };
        const checked = parseEvalRecord(rec);
        if (!checked.success) throw fromZod(item.path, item.where, checked.error);
        n++;
        add(checked.data, fi, n, () => [item.path, item.where]);
      }
      if (n === 0) throw new ImportError(f.path, "file", null, "holds no records");
      // Once per file, not per record: a misspelt column (scroe) is in every line.
      if (unknown.size) {
        log(
          `warning: ${f.path}: unknown field(s) ignored: ${[...unknown].map(([k, at]) => `"${k}" (first at ${at})`).join(", ")}; known fields: ${RAW_FIELDS.join(", ")}`,
        );
      }
      inputs.push({ name: basename(f.path), sha256: f.hash(), records: n });
    }
    bar.stop();

    // Sort and write each dataset's records; count failures with the dataset's threshold.
    const manifest: SnapshotManifest = {
      id: opts.snapshot,
      base: opts.base ?? null,
      records: 0,
      failures: 0,
      datasets: {},
      models: [],
      inputs,
      registry_sha256: registryHash(registry),
      sha256: "",
    };
    const allModels = new Set<string>();
    const datasetHashes: string[] = [];
    for (const id of [...datasets.keys()].sort()) {
      const s = datasets.get(id)!;
      s.spool.close();
      const entry = registry.datasets.find((d) => d.id === id)!;
      const mean = s.scoreN ? s.scoreSum / s.scoreN : null;
      const threshold = s.allHaveCorrect ? null : resolveThreshold(entry, mean);
      if (!s.allHaveCorrect && entry.success_threshold === null && !entry.exact_match && !(mean !== null && mean > 0)) {
        // The default threshold is a fraction of the mean score: with no positive score it fails
        // nothing, and the dataset would silently show no failures (README, "Data layout").
        const how = registered.has(id)
          ? "re-run the import with --threshold T (a record with only a score fails when score < T)"
          : `set success_threshold in ${L.datasetsFile} for "${id}" (a record with only a score fails when score < it)`;
        const from = s.origin.find((o) => o >= 0);
        throw new ImportError(
          from === undefined ? L.snapshot(opts.base ?? opts.snapshot) : files[from].path,
          `dataset "${id}"`,
          "score",
          `graded scores with no usable default threshold (mean score ${mean}, so 0.7 × mean fails nothing); ${how}`,
        );
      }
      const { model, id: ids } = s;
      const sorted = Array.from(ids, (_, i) => i).sort((a, b) =>
        model[a] < model[b] ? -1 : model[a] > model[b] ? 1 : ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0,
      );
      const rel = recordsFileName(id);
      const out = new Spool(join(tmp, rel), true);
      const whole = statSync(s.spool.path).size <= READ_WHOLE_BYTES ? readFileSync(s.spool.path) : null;
      const fd = whole ? -1 : openSync(s.spool.path, "r");
      let failures = 0;
      const models = new Set<string>();
      const items = new Set<string>();
      for (const i of sorted) {
        let b: Buffer;
        if (whole) b = whole.subarray(s.offset[i], s.offset[i] + s.length[i]);
        else readSync(fd, (b = Buffer.allocUnsafe(s.length[i])), 0, s.length[i], s.offset[i]);
        const correct = s.correct[i] < 0 ? null : s.correct[i] === 1;
        const score = Number.isNaN(s.score[i]) ? null : s.score[i];
        const failed = isFailure({ correct, score }, threshold);
        if (failed) failures++;
        if (s.origin[i] >= 0) {
          perInput[s.origin[i]].records++;
          if (failed) perInput[s.origin[i]].failures++;
        }
        models.add(model[i]);
        items.add(ids[i]);
        out.appendBuffer(b);
      }
      if (fd >= 0) closeSync(fd);
      out.close();
      const hash = out.sha256();
      datasetHashes.push(`${id}:${hash}`);
      manifest.datasets[id] = {
        records: sorted.length,
        failures,
        items: items.size,
        models: [...models].sort(),
        threshold,
        mean_score: mean === null ? null : Math.round(mean * 1e6) / 1e6,
        file: rel,
        sha256: hash,
      };
      manifest.records += sorted.length;
      manifest.failures += failures;
      for (const m of models) allModels.add(m);
    }
    manifest.models = [...allModels].sort();
    manifest.sha256 = sha256(datasetHashes.join("\n"));
    rmSync(join(tmp, "spool"), { recursive: true, force: true });
    writeManifest(tmp, manifest);

    opts.report?.(files.map((f, i) => ({ arg: f.arg, path: f.path, format: f.format, ...perInput[i] })));
    if (opts.dryRun) {
      rmSync(tmp, { recursive: true, force: true });
      return manifest;
    }
    replaceDir(tmp, final);
    if (registryChanged) saveRegistry(opts.root, registry);
    return manifest;
  } catch (e) {
    for (const s of datasets.values()) {
      try {
        s.spool.close();
      } catch {
        /* already closed */
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
