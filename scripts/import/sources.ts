// Readers of the formats people actually have. Each yields raw objects with where they came from;
// validation and name mapping happen in one place (snapshot.ts). Text files are streamed, so a
// 1 GB file is never held in memory at once.
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  statSync,
} from "node:fs";
import { basename, extname, join } from "node:path";
import { isUtf8 } from "node:buffer";
import { bomLength, decodeUtf8, firstInvalidUtf8, replacementPath, Utf8Error } from "../../src/lib/jsonio.ts";
import { ImportError } from "./errors.ts";

export interface RawItem {
  /** Source file (or HELM run directory) base name, recorded in the record's provenance. */
  file: string;
  /** Full path, for error messages. */
  path: string;
  /** "line 12", "row 3", "instance id58485". */
  where: string;
  value: Record<string, unknown>;
  /** Columns the format's reader leaves out (an ErrorMap CSV's extra columns): warned about like unknown fields. */
  ignored?: string[];
}

export type SourceKind = "jsonl" | "csv" | "helm";

/** What a path holds: a JSONL file, a CSV file, a HELM run directory or a folder of them. */
export function sourceKind(path: string): SourceKind {
  if (!existsSync(path)) throw new ImportError(path, "path", null, "no such file or directory");
  if (statSync(path).isDirectory()) return "helm";
  const ext = extname(path).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".csv") return "csv";
  throw new ImportError(
    path,
    "path",
    null,
    `unsupported file type "${ext}" (expected .jsonl, .csv or a HELM run directory)`,
  );
}

/** A line whose bytes are not UTF-8: its number and bytes, for an error that names the field. */
class BadLine extends Error {
  readonly n: number;
  readonly bytes: Buffer;
  constructor(n: number, bytes: Buffer) {
    super(`line ${n}: not valid UTF-8`);
    this.n = n;
    this.bytes = bytes;
  }
}

/**
 * The lines of a text file, numbered from 1, read in 1 MB chunks. Lines end at "\n", "\r\n" or a
 * lone "\r", as for node:readline (which this replaces: splitting the bytes and decoding line by
 * line is several times faster, and mostly-ASCII lines decode to compact one-byte strings).
 * A leading byte order mark is skipped; a line that is not UTF-8 throws BadLine. The bytes are
 * checked a chunk at a time (one isUtf8 call over the chunk's whole lines: a "\n" byte never lies
 * inside a character), line by line only in a chunk that fails or for a line across two chunks.
 */
export async function* textLines(path: string, onBytes?: (n: number) => void): AsyncGenerator<[number, string]> {
  let n = 0;
  let pending: Buffer[] = [];
  let first = true;
  const split = function* (text: string, last: boolean): Generator<[number, string]> {
    if (!text.includes("\r")) {
      if (!last || text) yield [++n, text];
      return;
    }
    const parts = text.split("\r");
    // "a\r" is "a" ended by CRLF (or, at the end of the file, by a lone CR): no empty line after it.
    if (parts.at(-1) === "" && (last || text.endsWith("\r"))) parts.pop();
    for (const p of parts) yield [++n, p];
  };
  const decoded = (bytes: Buffer): string => {
    if (!isUtf8(bytes)) throw new BadLine(n + 1, bytes);
    return bytes.toString("utf8");
  };
  for await (let chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    onBytes?.(chunk.length);
    if (first) {
      first = false;
      chunk = chunk.subarray(bomLength(chunk));
    }
    let start = 0;
    const firstNl = chunk.indexOf(0x0a);
    const lastNl = chunk.lastIndexOf(0x0a);
    const clean = firstNl < 0 || isUtf8(chunk.subarray(firstNl + 1, lastNl));
    for (let end = firstNl; end >= 0; end = chunk.indexOf(0x0a, start)) {
      const text = pending.length
        ? decoded(Buffer.concat([...pending, chunk.subarray(start, end)]))
        : clean && start > firstNl
          ? chunk.toString("utf8", start, end)
          : decoded(chunk.subarray(start, end));
      pending = [];
      yield* split(text, false);
      start = end + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length) yield* split(decoded(Buffer.concat(pending)), true);
}

export async function* readJsonl(path: string, onBytes?: (n: number) => void): AsyncGenerator<RawItem> {
  const file = basename(path);
  const lines = textLines(path, onBytes);
  for (;;) {
    let next;
    try {
      next = await lines.next();
    } catch (e) {
      if (e instanceof BadLine) throw badUtf8Line(path, e);
      throw e;
    }
    if (next.done) break;
    const [n, line] = next.value;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new ImportError(path, `line ${n}`, null, `malformed JSON (${(e as Error).message})`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new ImportError(path, `line ${n}`, null, "expected a JSON object");
    }
    yield { file, path, where: `line ${n}`, value: value as Record<string, unknown> };
  }
}

/** The error for a JSONL line that is not UTF-8: the field its bad bytes are in, where that can be told. */
function badUtf8Line(path: string, e: BadLine): ImportError {
  const at = firstInvalidUtf8(e.bytes);
  return new ImportError(
    path,
    `line ${e.n}`,
    fieldOfBadBytes(e.bytes),
    `not valid UTF-8 (byte ${at?.column ?? "?"} of the line); re-save the file as UTF-8`,
  );
}

/**
 * The field of JSON text that holds its bytes that are not UTF-8: decoded leniently, they become
 * U+FFFD, and the field holding one is where they were, unless the text also has a real U+FFFD
 * (bytes EF BF BD), which would make that ambiguous. Null when it cannot be told.
 */
function fieldOfBadBytes(bytes: Buffer): string | null {
  if (bytes.includes(Buffer.from("\ufffd"))) return null;
  try {
    const path = replacementPath(JSON.parse(bytes.subarray(bomLength(bytes)).toString("utf8")));
    return path?.length ? path.join(".") : null;
  } catch {
    return null; // not JSON either: the line and byte say where
  }
}

/** The reference ErrorMap CSV columns; the dataset comes from the file name. */
const ERRORMAP_COLUMNS = ["example_id", "model", "input_text", "output_text", "score", "correct_answer"];

/** The columns of an ErrorMap CSV that no record field takes (reported once per file, then ignored). */
function extraErrorMapColumns(header: string[]): string[] {
  return header.filter((h) => !(ERRORMAP_COLUMNS as readonly string[]).includes(h));
}

function csvValue(field: string, v: string, path: string, where: string): unknown {
  if (field === "score") {
    if (v.trim() === "") return null;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new ImportError(path, where, "score", `not a number: "${v.slice(0, 40)}"`);
    return x;
  }
  if (field === "correct") {
    const t = v.trim().toLowerCase();
    if (t === "") return null;
    if (["true", "1", "yes"].includes(t)) return true;
    if (["false", "0", "no"].includes(t)) return false;
    throw new ImportError(path, where, "correct", `not a boolean: "${v.slice(0, 40)}"`);
  }
  // A CSV cell cannot tell "absent" from "empty": an empty optional text field is absent (required
  // fields such as output stay "", and an empty instance id is refused by validation).
  if ((field === "extracted" || field === "prompt" || field === "reference_text") && v === "") return undefined;
  if (field === "metadata" || field === "source") {
    if (v.trim() === "") return undefined;
    try {
      return JSON.parse(v);
    } catch {
      throw new ImportError(path, where, field, "not valid JSON");
    }
  }
  return v;
}

export async function* readCsv(path: string, onBytes?: (n: number) => void): AsyncGenerator<RawItem> {
  // Loaded here, not at the start of every import: most imports hold no CSV file (README "Performance").
  const { parse } = await import("csv-parse");
  const file = basename(path);
  const stream = createReadStream(path);
  // The bytes are checked as they stream in (one isUtf8 call per chunk, see utf8Chunks); the cells
  // are decoded by the parser as before. Only a file that fails is parsed again to say where.
  const utf8 = utf8Chunks();
  let notUtf8 = false;
  stream.on("data", (chunk) => {
    onBytes?.(chunk.length);
    if (!notUtf8 && !utf8.push(chunk as Buffer)) notUtf8 = true;
  });
  const parser = stream.pipe(parse({ bom: true, relax_column_count: false, info: true, skip_empty_lines: true }));
  let header: string[] | null = null;
  let errormap = false;
  const dataset = basename(path, extname(path));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; records: number };
    }>) {
      if (notUtf8) throw await badCsvCell(path);
      if (!header) {
        header = record.map((h) => h.trim());
        errormap = ERRORMAP_COLUMNS.every((c) => header!.includes(c));
        continue;
      }
      const where = `row ${info.records - 1} (line ${info.lines})`;
      const value: Record<string, unknown> = {};
      header.forEach((h, i) => {
        const v = record[i];
        if (errormap) {
          const map: Record<string, string> = {
            example_id: "instance_id",
            model: "model",
            input_text: "input",
            output_text: "output",
            score: "score",
            correct_answer: "reference",
          };
          if (map[h]) value[map[h]] = csvValue(map[h], v, path, where);
        } else if (v !== undefined) {
          const val = csvValue(h, v, path, where);
          if (val !== undefined) value[h] = val;
        }
      });
      if (errormap && value.dataset === undefined) value.dataset = dataset;
      yield { file, path, where, value, ...(errormap ? { ignored: extraErrorMapColumns(header) } : {}) };
    }
    if (notUtf8 || !utf8.end()) throw await badCsvCell(path);
  } catch (e) {
    if (e instanceof ImportError) throw e;
    const err = e as { code?: string; lines?: number; records?: number; record?: unknown[]; message: string };
    if (err.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" || err.code === "CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH") {
      // The parser runs ahead of this loop, so the header may not have been seen here yet: the
      // expected count comes from the parser's message. `records` counts the header row too.
      const expected = header?.length ?? /expect (\d+)/.exec(err.message)?.[1] ?? "?";
      throw new ImportError(
        path,
        `row ${err.records} (line ${err.lines})`,
        null,
        `wrong number of columns: ${err.record?.length ?? "?"} (header has ${expected})`,
      );
    }
    throw new ImportError(path, `line ${err.lines ?? "?"}`, null, `CSV error: ${err.message}`);
  }
}

/**
 * Checks a byte stream for UTF-8 chunk by chunk: `push` says whether everything so far is UTF-8,
 * holding back a character cut by the chunk's end until the next chunk; `end` whether nothing was
 * left incomplete.
 */
function utf8Chunks(): { push(chunk: Buffer): boolean; end(): boolean } {
  let carry: Buffer | null = null;
  return {
    push(chunk) {
      const b = carry ? Buffer.concat([carry, chunk]) : chunk;
      let cut = b.length;
      // The last character is complete unless a lead byte within the last 3 bytes wants more.
      for (let i = b.length - 1; i >= 0 && i >= b.length - 4; i--) {
        const c = b[i];
        if (c < 0x80) break;
        if (c >= 0xc0) {
          if (b.length - i < (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2)) cut = i;
          break;
        }
      }
      carry = cut < b.length ? Buffer.from(b.subarray(cut)) : null;
      return isUtf8(b.subarray(0, cut));
    },
    end: () => carry === null,
  };
}

/**
 * The error for a CSV file that is not UTF-8: parsed again with the cells as bytes (csv-parse's
 * `encoding: null`), the first cell that is not UTF-8 names the row and the column.
 */
async function badCsvCell(path: string): Promise<ImportError> {
  const { parse } = await import("csv-parse");
  const head = Buffer.alloc(3);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, 3, 0);
  } finally {
    closeSync(fd);
  }
  // The parser's `bom` option would switch it back to text: start the stream after the mark instead.
  const parser = createReadStream(path, { start: bomLength(head) }).pipe(
    parse({ encoding: null, relax_column_count: true, info: true, skip_empty_lines: true }),
  );
  let header: string[] | null = null;
  const detail = (bytes: Uint8Array) =>
    `not valid UTF-8 (byte ${firstInvalidUtf8(bytes)?.column ?? "?"} of the cell); re-save the file as UTF-8`;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Uint8Array[];
      info: { lines: number; records: number };
    }>) {
      const where = header ? `row ${info.records - 1} (line ${info.lines})` : `header (line ${info.lines})`;
      for (let i = 0; i < record.length; i++) {
        if (!isUtf8(record[i]))
          return new ImportError(path, where, header?.[i] ?? `column ${i + 1}`, detail(record[i]));
      }
      header ??= record.map((h) => Buffer.from(h).toString("utf8").trim());
    }
  } catch {
    /* a CSV error further on: the whole-file message below */
  }
  return new ImportError(
    path,
    "file",
    null,
    "not valid UTF-8 (an incomplete character at the end, or outside any cell); re-save the file as UTF-8",
  );
}

/**
 * HELM run directories under `path`: the path itself when it is one, else its sub-folders that hold
 * HELM run files. A suite folder also holds folders that are not runs (HELM's `groups/`, ...): those
 * hold none of the run files and are skipped; a sub-folder with some run files but not all is an
 * error (checked when it is read).
 */
export function helmRunDirs(path: string): string[] {
  if (existsSync(join(path, "run_spec.json"))) return [path];
  const dirs = readdirSync(path, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(path, d.name))
    .filter((d) => HELM_FILES.some((f) => existsSync(join(d, f))))
    .sort();
  if (dirs.length === 0)
    throw new ImportError(
      path,
      "directory",
      "run_spec.json",
      "not a HELM run directory (no run_spec.json) and holds no run directories",
    );
  return dirs;
}

const HELM_FILES = ["run_spec.json", "instances.json", "display_predictions.json", "per_instance_stats.json"];

function readHelmJson(dir: string, name: string): unknown {
  const p = join(dir, name);
  let text: string;
  try {
    text = decodeUtf8(readFileSync(p));
  } catch (e) {
    if (e instanceof Utf8Error)
      throw new ImportError(
        p,
        `line ${e.line}`,
        fieldOfBadBytes(readFileSync(p)),
        `not valid UTF-8 (byte ${e.column} of the line); re-save the file as UTF-8`,
      );
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ImportError(p, "file", null, `malformed JSON (${(e as Error).message})`);
  }
}

interface HelmRef {
  output: { text: string };
  tags: string[];
}
interface HelmInstance {
  id: string;
  perturbation?: unknown;
  input: { text: string };
  references: HelmRef[];
  split?: string;
}
interface HelmStat {
  name: { name: string; split?: string; perturbation?: unknown };
  mean?: number;
  count?: number;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The score of a HELM run: its main stat, the first of these the run reports (exact_match for
 * multiple choice such as BBQ; generation scenarios report others).
 */
export const HELM_MAIN_STATS = [
  "exact_match",
  "quasi_exact_match",
  "math_equiv_chain_of_thought",
  "math_equiv",
  "f1_score",
  "rouge_l",
  "bleu_4",
];

/**
 * One HELM run directory. Input = instance text with its options ("A. ..."), reference = the
 * correct option's letter (text in reference_text), output = the predicted text, score = the main
 * stat (see HELM_MAIN_STATS) of the unperturbed instance, model = the run spec's model.
 * Perturbed copies of instances (HELM's robustness and fairness runs) are left out.
 */
export function* readHelmRun(dir: string, mainStats: string[] = HELM_MAIN_STATS): Generator<RawItem> {
  // Check every file first, so a folder missing one fails before anything is read.
  for (const f of HELM_FILES) {
    if (!existsSync(join(dir, f)))
      throw new ImportError(
        dir,
        "run directory",
        f,
        `missing file (a HELM run directory needs ${HELM_FILES.join(", ")})`,
      );
  }
  const spec = readHelmJson(dir, "run_spec.json") as {
    name?: string;
    adapter_spec?: { model?: string; method?: string };
    scenario_spec?: { args?: Record<string, unknown> };
  };
  const model = spec.adapter_spec?.model;
  if (!model) throw new ImportError(join(dir, "run_spec.json"), "run spec", "adapter_spec.model", "missing");
  const runName = spec.name ?? basename(dir);
  const scenario = runName.split(":")[0];
  const method = spec.adapter_spec?.method ?? "";
  // HELM numbers instances per scenario run: MMLU's per-subject runs all have an "id0". The scenario's
  // own arguments (subject=..., not the model or the adapter) make the item id unique within the dataset.
  const args = Object.entries(spec.scenario_spec?.args ?? {})
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(",");
  const itemScope = args ? `${args}/` : "";
  const instances = readHelmJson(dir, "instances.json") as HelmInstance[];
  const preds = readHelmJson(dir, "display_predictions.json") as {
    instance_id: string;
    train_trial_index?: number;
    predicted_text?: string;
    mapped_output?: string;
    perturbation?: unknown;
  }[];
  const stats = readHelmJson(dir, "per_instance_stats.json") as {
    instance_id: string;
    train_trial_index?: number;
    perturbation?: unknown;
    stats: HelmStat[];
  }[];
  const byId = new Map(instances.filter((i) => !i.perturbation).map((i) => [i.id, i]));
  const statById = new Map<string, HelmStat[]>();
  for (const s of stats) if ((s.train_trial_index ?? 0) === 0 && !s.perturbation) statById.set(s.instance_id, s.stats);
  // The run's main stat: the first of mainStats that its unperturbed stats report.
  const reported = new Set(
    [...statById.values()].flatMap((st) =>
      st.filter((x) => !x.name.perturbation && typeof x.mean === "number").map((x) => x.name.name),
    ),
  );
  const mainStat = mainStats.find((m) => reported.has(m)) ?? mainStats[0];
  const file = basename(dir);
  const predPath = join(dir, "display_predictions.json");
  for (const p of preds) {
    if ((p.train_trial_index ?? 0) !== 0 || p.perturbation) continue;
    const where = `instance ${p.instance_id}`;
    const inst = byId.get(p.instance_id);
    if (!inst)
      throw new ImportError(
        join(dir, "instances.json"),
        where,
        "id",
        "instance in display_predictions.json not found in instances.json",
      );
    const st = statById.get(p.instance_id);
    if (!st)
      throw new ImportError(join(dir, "per_instance_stats.json"), where, "instance_id", "no stats for this instance");
    const main = st.find((s) => s.name.name === mainStat && !s.name.perturbation);
    if (!main || typeof main.mean !== "number")
      throw new ImportError(join(dir, "per_instance_stats.json"), where, mainStat, "missing stat (the score)");
    const refs = inst.references ?? [];
    const correctIdx = refs.findIndex((r) => r.tags?.includes("correct"));
    if (correctIdx < 0)
      throw new ImportError(join(dir, "instances.json"), where, "references", "no reference tagged correct");
    const multipleChoice = method.startsWith("multiple_choice");
    const input = multipleChoice
      ? `${inst.input.text}\n${refs.map((r, i) => `${LETTERS[i]}. ${r.output.text}`).join("\n")}`
      : inst.input.text;
    yield {
      file,
      path: predPath,
      where,
      value: {
        dataset: scenario,
        model,
        instance_id: `${scenario}/${itemScope}${inst.id}`,
        input,
        reference: multipleChoice ? LETTERS[correctIdx] : refs[correctIdx].output.text,
        reference_text: refs[correctIdx].output.text,
        output: p.predicted_text ?? "",
        score: main.mean,
        metadata: {
          helm_run: runName,
          method,
          main_stat: mainStat,
          split: inst.split ?? null,
          ...(p.mapped_output !== undefined ? { mapped_output: p.mapped_output } : {}),
          // Every reference with its tags, in option order: scenarios tag more than "correct" (BBQ's
          // context, polarity and stereotyped target), and dataset plug-ins read them
          // (scripts/judges/heuristic/datasets).
          references: refs.map((r) => ({ text: r.output.text, tags: r.tags ?? [] })),
        },
        source: { path: `${runName}/display_predictions.json` },
      },
    };
  }
}
