// Which format a path holds, said out loud: `errormap import` reports, per input, the format it
// detected. A file is told by its name first (samples_<task>_<time>.jsonl, *_samples.jsonl, .eval,
// .csv), then by its first bytes (an Inspect .json log, an EEE aggregate, a JSONL line's keys). A
// folder is a HELM run (run_spec.json with display files, or with scenario_state.json), or is walked:
// every file and run folder in it of a tool's format is an input; other files are skipped and
// listed. A file named on the command line that is of no known format is an error listing the formats.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { ImportError } from "../errors.ts";
import { readCsv, readHelmRun, readJsonl } from "../sources.ts";
import { aggregateOf, eeeInput, isEeeAggregate } from "./eee.ts";
import { helmStateInput } from "./helm-state.ts";
import { inspectEvalInput, inspectJsonInput } from "./inspect.ts";
import { lmEvalInput, RESULTS_NAME, SAMPLES_NAME, samplesFilesOf, tasksWithoutSamples } from "./lmeval.ts";
import { FORMATS, type DetectedInput, type FormatOptions } from "./types.ts";
import { hashFiles, head, readJsonFile } from "./util.ts";

export interface Detected {
  inputs: DetectedInput[];
  /** Files of a folder that were not read (no known format), with why; and other notes. */
  notes: string[];
}

const HELM_DISPLAY_FILES = ["run_spec.json", "instances.json", "display_predictions.json", "per_instance_stats.json"];
const HELM_ANY = [...HELM_DISPLAY_FILES, "scenario_state.json"];

export function knownFormats(): string {
  return Object.entries(FORMATS)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
}

function unknown(path: string, why: string): ImportError {
  return new ImportError(path, "path", null, `${why}; the formats errormap import reads: ${knownFormats()}`);
}

function jsonlInput(path: string): DetectedInput {
  return {
    format: "jsonl",
    path,
    bytes: statSync(path).size,
    hash: () => hashFiles([path]),
    read: (onBytes) => readJsonl(path, onBytes),
  };
}
function csvInput(path: string): DetectedInput {
  return {
    format: "csv",
    path,
    bytes: statSync(path).size,
    hash: () => hashFiles([path]),
    read: (onBytes) => readCsv(path, onBytes),
  };
}
function helmInput(dir: string): DetectedInput {
  return {
    format: "helm",
    path: dir,
    bytes: 0,
    hash: () => hashFiles(HELM_DISPLAY_FILES.map((f) => join(dir, f))),
    read: () => readHelmRun(dir),
  };
}

/** A HELM run folder: display files → the display reader (it names any missing file), else scenario_state.json. */
function helmRun(dir: string): DetectedInput {
  const has = (f: string) => existsSync(join(dir, f));
  if (!has("instances.json") && !has("display_predictions.json") && has("scenario_state.json"))
    return helmStateInput(dir);
  return helmInput(dir);
}

/** The first line's keys, to tell JSONL formats apart (a line longer than the head is read as ours). */
function sniffJsonl(path: string): "eee" | "lm-eval" | "jsonl" {
  const text = head(path);
  const first =
    text
      .replace(/^\ufeff/, "")
      .split("\n")
      .find((l) => l.trim()) ?? "";
  if (/"schema_version"\s*:/.test(first) && /"sample_id"\s*:/.test(first) && /"evaluation_name"\s*:/.test(first))
    return "eee";
  if (/"doc_id"\s*:/.test(first) && /"resps"\s*:/.test(first)) return "lm-eval";
  return "jsonl";
}

type Kind = { input: DetectedInput[] } | { skip: string };

/**
 * What one file is. `named`: the user named it (an unknown file is then an error; in a folder it is
 * skipped). Files read as part of another input (an lm-eval results file, an EEE aggregate) are
 * skipped in a folder walk, where their partner is found on its own.
 */
function classifyFile(path: string, opts: FormatOptions, named: boolean, notes: string[]): Kind {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  if (ext === ".eval") return { input: [inspectEvalInput(path, opts)] };
  if (SAMPLES_NAME.test(name)) return { input: [lmEvalInput(path, opts)] };
  if (RESULTS_NAME.test(name)) {
    const samples = samplesFilesOf(path);
    const missing = tasksWithoutSamples(path);
    if (missing.length)
      notes.push(`${path}: tasks without a samples file (groups, or samples not logged): ${missing.join(", ")}`);
    if (!named) return { skip: "read with its samples files" };
    if (samples.length === 0)
      throw new ImportError(
        path,
        "file",
        null,
        "an lm-evaluation-harness results file without samples files beside it (run lm_eval with --log_samples): no per-item results to import",
      );
    return { input: samples.map((s) => lmEvalInput(s, opts)) };
  }
  if (name.endsWith("_samples.jsonl")) return { input: [eeeInput(path)] };
  if (ext === ".jsonl" || ext === ".ndjson") {
    const kind = sniffJsonl(path);
    if (kind === "eee") return { input: [eeeInput(path)] };
    if (kind === "lm-eval")
      throw new ImportError(
        path,
        "path",
        null,
        "an lm-evaluation-harness samples file must keep its name (samples_<task>_<time>.jsonl): the task and the results file are found from it",
      );
    return named
      ? { input: [jsonlInput(path)] }
      : { skip: "a JSONL file in a folder: name it on the command line to import it as records" };
  }
  if (ext === ".csv")
    return named
      ? { input: [csvInput(path)] }
      : { skip: "a CSV file in a folder: name it on the command line to import it as records" };
  if (ext === ".json") {
    const start = head(path, 4096);
    if (/"eval"\s*:\s*\{/.test(head(path)) && /"(version|status)"\s*:/.test(start))
      return { input: [inspectJsonInput(path, opts)] };
    if (/"schema_version"\s*:/.test(start) && /"evaluation_id"\s*:/.test(start)) {
      const v = readJsonFile(path);
      if (isEeeAggregate(v)) {
        const samples = join(path.slice(0, -".json".length) + "_samples.jsonl");
        if (existsSync(samples) && aggregateOf(samples) === path)
          return named ? { input: [eeeInput(samples)] } : { skip: "read with its _samples.jsonl" };
        if (named)
          throw new ImportError(
            path,
            "file",
            "detailed_evaluation_results",
            "an Every Eval Ever aggregate file without its instance-level <uuid>_samples.jsonl beside it: no per-item results to import",
          );
        return { skip: "an Every Eval Ever aggregate without instance-level samples" };
      }
    }
    if (named)
      throw unknown(
        path,
        "a JSON file of no known format (not an Inspect log, an lm-eval results file or an EEE aggregate)",
      );
    return { skip: "JSON of no known format" };
  }
  if (named) throw unknown(path, `unsupported file type "${ext}"`);
  return { skip: "no known format" };
}

/** Every input under `path`, in a fixed order (sorted names). */
export function detectInputs(path: string, opts: FormatOptions = {}): Detected {
  if (!existsSync(path)) throw new ImportError(path, "path", null, "no such file or directory");
  const notes: string[] = [];
  if (!statSync(path).isDirectory()) {
    const k = classifyFile(path, opts, true, notes);
    return { inputs: "input" in k ? k.input : [], notes };
  }
  if (existsSync(join(path, "run_spec.json"))) return { inputs: [helmRun(path)], notes };
  const inputs: DetectedInput[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      if (d.name.startsWith(".")) continue;
      const p = join(dir, d.name);
      if (d.isDirectory()) {
        // A run folder: HELM's own files (one missing is named when it is read).
        if (HELM_ANY.some((f) => existsSync(join(p, f)))) inputs.push(helmRun(p));
        else walk(p);
      } else if (d.isFile()) {
        const k = classifyFile(p, opts, false, notes);
        if ("input" in k) inputs.push(...k.input);
        // Files read with their partner (an lm-eval results file, an EEE aggregate) are not news.
        else if (!/\.(md|txt)$/i.test(d.name) && !k.skip.startsWith("read with")) notes.push(`skipped ${p}: ${k.skip}`);
      }
    }
  };
  walk(path);
  if (inputs.length === 0) {
    throw new ImportError(
      path,
      "directory",
      "run_spec.json",
      `not a HELM run directory (no run_spec.json) and holds no input of a known format (${Object.keys(FORMATS).join(", ")})`,
    );
  }
  return { inputs, notes };
}
