// `errormap import`: reads sources, validates every record, maps names to canonical ids, and writes
// a snapshot folder: records/<dataset>.jsonl sorted by (model, instance_id) plus manifest.json.
//
// Memory stays small whatever the input size: records are validated and appended to one spool file
// per dataset as they stream in; only a small index entry (sort key, offset, length) per record stays
// in memory, and the sorted files are written by reading the spool back at those offsets.
// Everything is written into a temporary folder that is renamed into place at the very end, so a
// failed import leaves no snapshot behind.
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, join } from "node:path";
import { createHash } from "node:crypto";
import { layout } from "../../src/lib/paths.ts";
import { indexes, loadRegistry, newDatasetEntry, newModelEntry, registryHash, saveRegistry, UnknownNameError } from "../../src/lib/registry.ts";
import { EvalRecordSchema, IdSchema, RawRecordSchema, type EvalRecord, type SnapshotManifest } from "../../src/lib/schemas.ts";
import { sha256, sha256File, stableJsonLine, writeJsonAtomic } from "../../src/lib/jsonio.ts";
import { isFailure, resolveThreshold } from "../../src/lib/failure.ts";
import { loadManifest, recordsOf } from "../lib/snapshot-read.ts";
import { ImportError, fromZod } from "./errors.ts";
import { helmRunDirs, readCsv, readHelmRun, readJsonl, sourceKind, type RawItem } from "./sources.ts";
import { startProgress } from "../lib/progress.ts";

export interface ImportOptions {
  root: string;
  snapshot: string;
  base?: string;
  paths: string[];
  register?: boolean;
  force?: boolean;
  /** Called with a one-line note for each name registered, replaced record, ... */
  log?: (line: string) => void;
}

interface IndexEntry {
  model: string;
  id: string;
  offset: number;
  length: number;
}

/** Appends lines to a file through a 1 MB buffer, remembering where each line starts. */
class Spool {
  private fd: number;
  private buf: Buffer[] = [];
  private size = 0;
  private written = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }
  append(line: string): { offset: number; length: number } {
    const b = Buffer.from(line + "\n", "utf8");
    const offset = this.written + this.size;
    this.buf.push(b);
    this.size += b.length;
    if (this.size > 1 << 20) this.flush();
    return { offset, length: b.length };
  }
  flush() {
    if (!this.size) return;
    writeSync(this.fd, Buffer.concat(this.buf));
    this.written += this.size;
    this.buf = [];
    this.size = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

interface DatasetState {
  spool: Spool;
  entries: Map<string, IndexEntry & { from: string }>;
  scoreSum: number;
  scoreN: number;
  allHaveCorrect: boolean;
}

function inputFiles(path: string): { kind: "jsonl" | "csv" | "helm"; path: string }[] {
  const kind = sourceKind(path);
  if (kind !== "helm") return [{ kind, path }];
  return helmRunDirs(path).map((p) => ({ kind: "helm" as const, path: p }));
}

function hashHelmDir(dir: string): string {
  const h = createHash("sha256");
  for (const f of ["run_spec.json", "instances.json", "display_predictions.json", "per_instance_stats.json"]) {
    h.update(f).update(sha256File(join(dir, f)));
  }
  return h.digest("hex");
}

export async function importSnapshot(opts: ImportOptions): Promise<SnapshotManifest> {
  const log = opts.log ?? (() => {});
  const L = layout(opts.root);
  const idCheck = IdSchema.safeParse(opts.snapshot);
  if (!idCheck.success) throw new Error(`snapshot id "${opts.snapshot}": ${idCheck.error.issues[0].message}`);
  const final = L.snapshot(opts.snapshot);
  if (existsSync(final) && !opts.force) {
    throw new Error(`snapshot "${opts.snapshot}" already exists in ${L.snapshots}; choose a new id, or pass --force to replace it`);
  }
  if (opts.base === opts.snapshot) throw new Error("--base must name another snapshot than the one being written");
  const baseManifest = opts.base ? loadManifest(opts.root, opts.base) : null;

  const registry = loadRegistry(opts.root);
  let idx = indexes(registry);
  let registryChanged = false;

  // Expand inputs first, so a bad path fails before any work.
  const files = opts.paths.flatMap(inputFiles);
  const totalBytes = files.reduce((s, f) => s + (f.kind === "helm" ? 0 : statSync(f.path).size), 0);

  mkdirSync(L.snapshots, { recursive: true });
  const tmp = join(L.snapshots, `.tmp-${opts.snapshot}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "spool"), { recursive: true });
  mkdirSync(join(tmp, "records"), { recursive: true });

  const datasets = new Map<string, DatasetState>();
  const state = (id: string): DatasetState => {
    let s = datasets.get(id);
    if (!s) {
      s = { spool: new Spool(join(tmp, "spool", `${id}.jsonl`)), entries: new Map(), scoreSum: 0, scoreN: 0, allHaveCorrect: true };
      datasets.set(id, s);
    }
    return s;
  };
  const add = (rec: EvalRecord, from: string, replaceable: boolean) => {
    const s = state(rec.dataset);
    const key = `${rec.model}|${rec.instance_id}`;
    const prev = s.entries.get(key);
    if (prev && !replaceable) throw new Error(`${from}: duplicate record ${rec.dataset}|${key}`);
    if (prev) log(`replaced ${rec.dataset}|${key} of the base snapshot`);
    const at = s.spool.append(stableJsonLine(rec));
    s.entries.set(key, { model: rec.model, id: rec.instance_id, ...at, from });
    if (rec.score !== null) {
      s.scoreSum += rec.score;
      s.scoreN++;
    }
    if (rec.correct === null) s.allHaveCorrect = false;
  };

  const inputs: SnapshotManifest["inputs"] = [];
  try {
    // The base snapshot's records come first; new files may replace them (updated results).
    if (baseManifest) {
      for (const [, ds] of Object.entries(baseManifest.datasets).sort(([a], [b]) => (a < b ? -1 : 1))) {
        for await (const rec of recordsOf(L.snapshot(baseManifest.id), ds.file)) {
          add(rec, `snapshot ${baseManifest.id} ${ds.file}`, false);
        }
      }
      inputs.push(...baseManifest.inputs);
    }

    const bar = startProgress("import", totalBytes, "bytes");
    const seen = new Map<string, string>(); // duplicates inside the new inputs are errors; replacing the base is not
    for (const f of files) {
      const items: Iterable<RawItem> | AsyncIterable<RawItem> =
        f.kind === "jsonl" ? readJsonl(f.path, (n) => bar.tick(n)) : f.kind === "csv" ? readCsv(f.path, (n) => bar.tick(n)) : readHelmRun(f.path);
      let n = 0;
      for await (const item of items) {
        const parsed = RawRecordSchema.safeParse(item.value);
        if (!parsed.success) throw fromZod(item.path, item.where, parsed.error);
        const raw = parsed.data;
        let model = idx.models.find(raw.model);
        if (!model) {
          if (!opts.register) {
            const e = new UnknownNameError("model", raw.model, idx.models.closeMatches(raw.model));
            throw new ImportError(item.path, item.where, "model", e.message);
          }
          model = newModelEntry(raw.model, new Set(registry.models.map((m) => m.id)));
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
          dataset = newDatasetEntry(raw.dataset, new Set(registry.datasets.map((d) => d.id)));
          registry.datasets.push(dataset);
          idx = indexes(registry);
          registryChanged = true;
          log(`registered dataset "${raw.dataset}" as ${dataset.id}`);
        }
        const rec: EvalRecord = {
          dataset: dataset.id,
          model: model.id,
          instance_id: raw.instance_id,
          input: raw.input,
          reference: raw.reference,
          output: raw.output,
          score: raw.score ?? null,
          correct: raw.correct ?? null,
          extracted: raw.extracted,
          prompt: raw.prompt,
          reference_text: raw.reference_text,
          metadata: raw.metadata,
          source: { ...(raw.source ?? {}), file: item.file },
          source_model: raw.model,
        };
        const checked = EvalRecordSchema.safeParse(rec);
        if (!checked.success) throw fromZod(item.path, item.where, checked.error);
        const key = `${rec.dataset}|${rec.model}|${rec.instance_id}`;
        const first = seen.get(key);
        if (first) {
          throw new ImportError(item.path, item.where, "instance_id", `duplicate record for model "${rec.model}" (source name "${raw.model}") and item "${rec.instance_id}" (first seen in ${first})`);
        }
        seen.set(key, `${item.path} ${item.where}`);
        add(checked.data, `${item.path} ${item.where}`, true);
        n++;
      }
      if (n === 0) throw new ImportError(f.path, "file", null, "holds no records");
      inputs.push({ name: basename(f.path), sha256: f.kind === "helm" ? hashHelmDir(f.path) : sha256File(f.path), records: n });
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
      const sorted = [...s.entries.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const rel = `records/${id}.jsonl`;
      const out = new Spool(join(tmp, rel));
      const fd = openSync(s.spool.path, "r");
      let failures = 0;
      const models = new Set<string>();
      const items = new Set<string>();
      for (const e of sorted) {
        const b = Buffer.alloc(e.length);
        readSync(fd, b, 0, e.length, e.offset);
        const line = b.toString("utf8");
        const r = JSON.parse(line) as EvalRecord;
        if (isFailure(r, threshold)) failures++;
        models.add(e.model);
        items.add(e.id);
        out.append(line.slice(0, -1));
      }
      closeSync(fd);
      out.close();
      const hash = sha256File(join(tmp, rel));
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
      models.forEach((m) => allModels.add(m));
    }
    manifest.models = [...allModels].sort();
    manifest.sha256 = sha256(datasetHashes.join("\n"));
    rmSync(join(tmp, "spool"), { recursive: true, force: true });
    writeJsonAtomic(join(tmp, "manifest.json"), manifest);

    // Swap into place: the old snapshot (with --force) is moved aside first and removed after.
    if (existsSync(final)) {
      const trash = `${tmp}.old`;
      renameSync(final, trash);
      renameSync(tmp, final);
      rmSync(trash, { recursive: true, force: true });
    } else {
      renameSync(tmp, final);
    }
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
