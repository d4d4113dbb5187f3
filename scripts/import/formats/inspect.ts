// The UK AISI's Inspect AI logs: `.eval` (a zip: header.json, samples/<id>_epoch_<n>.json, ...; its
// entries deflate before inspect 0.3.206 and zstd, zip method 93, since) and `.json` (one object).
//
// One record per (sample, epoch): model = eval.model; dataset = eval.task less its package prefix
// ("inspect_evals/gsm8k" → "gsm8k"); input = the sample's input (its user messages when it is a chat),
// with the choices as "A. ..." lines for multiple choice; output = output.completion, else the text
// parts of the first choice's message; reference = target; score from one scorer (--scorer, else
// the first of eval.scorers): "C" correct, "I" incorrect, "N" no answer (incorrect), "P" partial
// (score 0.5), numbers, booleans. `attachment://` (and 0.3.41's `tc://`) texts are resolved from the
// sample's attachments. A sample without that score, a log still running (no header.json) or a
// truncated zip stops the import with the file, the entry or sample, and the field.
//
// `.eval` samples are read one zip entry at a time (memory holds one sample); a `.json` log is read whole.
import { statSync } from "node:fs";
import { basename } from "node:path";
import { crc32, inflateRawSync, zstdDecompressSync } from "node:zlib";
import yauzl from "yauzl";
import { z } from "zod";
import { ImportError, fromZod } from "../errors.ts";
import type { RawItem } from "../sources.ts";
import type { DetectedInput, FormatOptions, Note } from "./types.ts";
import { hashFiles, readJsonFile, utf8Text } from "./util.ts";

const Text = z.string();
const ContentPart = z
  .object({ type: z.string(), text: z.string().optional(), reasoning: z.string().optional() })
  .passthrough();
const Content = z.union([Text, z.array(ContentPart)]);
const Message = z.object({ role: z.string(), content: Content }).passthrough();

const ScoreSchema = z
  .object({ value: z.unknown(), answer: z.string().nullish(), explanation: z.string().nullish() })
  .passthrough();
export const InspectSampleSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    epoch: z.number().int().positive().default(1),
    input: z.union([Text, z.array(Message)]),
    choices: z.array(z.string()).nullish(),
    target: z.union([Text, z.array(z.string())]).default(""),
    output: z
      .object({
        completion: z.string().nullish(),
        choices: z
          .array(z.object({ message: z.object({ content: Content.nullish() }).passthrough() }).passthrough())
          .default([]),
      })
      .passthrough()
      .default({ choices: [] }),
    scores: z.record(z.string(), ScoreSchema).nullish(),
    attachments: z.record(z.string(), z.string()).nullish(),
    error: z.unknown().optional(),
  })
  .passthrough();
type InspectSample = z.infer<typeof InspectSampleSchema>;

export const InspectHeaderSchema = z
  .object({
    version: z.number().optional(),
    status: z.string().optional(),
    eval: z
      .object({
        task: z.string().min(1),
        model: z.string().min(1),
        dataset: z.object({ name: z.string().nullish() }).passthrough().nullish(),
        scorers: z.array(z.object({ name: z.string() }).passthrough()).nullish(),
        config: z.object({ epochs: z.number().nullish() }).passthrough().nullish(),
        packages: z.record(z.string(), z.string()).nullish(),
      })
      .passthrough(),
    results: z
      .object({
        scores: z.array(z.object({ name: z.string(), scorer: z.string().optional() }).passthrough()).nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();
type InspectHeader = z.infer<typeof InspectHeaderSchema>;

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const REF = /^(?:attachment|tc):\/\/([0-9a-zA-Z_-]+)$/;

/** A text, its attachment reference resolved. */
function resolved(text: string, sample: InspectSample, where: () => [string, string], field: string): string {
  const m = REF.exec(text);
  if (!m) return text;
  const got = sample.attachments?.[m[1]];
  if (got === undefined) {
    const [file, at] = where();
    throw new ImportError(file, at, field, `refers to ${text}, which is not in the sample's attachments`);
  }
  return got;
}

function contentText(
  c: z.infer<typeof Content> | null | undefined,
  sample: InspectSample,
  where: () => [string, string],
  field: string,
): string {
  if (c === null || c === undefined) return "";
  if (typeof c === "string") return resolved(c, sample, where, field);
  return c
    .filter((p) => p.type === "text" && typeof p.text === "string")
    .map((p, i) => resolved(p.text!, sample, where, `${field}.${i}.text`))
    .join("");
}

/** The scorer whose value is the score: --scorer, else the log's first scorer, else the sample's first. */
function scorerOf(header: InspectHeader, wanted: string | undefined): string | null {
  if (wanted) return wanted;
  return (
    header.eval.scorers?.[0]?.name ?? header.results?.scores?.[0]?.scorer ?? header.results?.scores?.[0]?.name ?? null
  );
}

/** A score value as (score, correct): C/I/P/N letters, numbers, booleans; a dict by its first entry. */
function scoreValue(v: unknown): { score: number; correct: boolean | null } | null {
  if (typeof v === "boolean") return { score: v ? 1 : 0, correct: v };
  if (typeof v === "number" && Number.isFinite(v)) return { score: v, correct: null };
  if (typeof v === "string") {
    const t = v.trim().toUpperCase();
    if (t === "C" || t === "CORRECT") return { score: 1, correct: true };
    if (t === "I" || t === "INCORRECT") return { score: 0, correct: false };
    if (t === "N" || t === "NOANSWER") return { score: 0, correct: false };
    if (t === "P" || t === "PARTIAL") return { score: 0.5, correct: null };
    const x = Number(v);
    if (v.trim() !== "" && Number.isFinite(x)) return { score: x, correct: null };
    return null;
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const first = Object.values(v)[0];
    return first === undefined || (first && typeof first === "object") ? null : scoreValue(first);
  }
  return null;
}

/** One sample as a record. `where` names the file and the zip entry or sample. */
function sampleRecord(
  header: InspectHeader,
  sample: InspectSample,
  opts: { scorer: string | null; multiEpoch: boolean; file: string; path: string; where: string },
): RawItem {
  const at = (): [string, string] => [opts.path, opts.where];
  const id = String(sample.id);
  const scores = sample.scores ?? {};
  const names = Object.keys(scores);
  if (names.length === 0) {
    throw new ImportError(
      opts.path,
      opts.where,
      "scores",
      `sample ${id} (epoch ${sample.epoch}) has no score${sample.error ? " (the sample ended in an error)" : ""}; score the log first (inspect score), or leave this log out`,
    );
  }
  const scorer = opts.scorer ?? names[0];
  const s = scores[scorer];
  if (!s)
    throw new ImportError(
      opts.path,
      opts.where,
      `scores.${scorer}`,
      `sample ${id} (epoch ${sample.epoch}) has no score from scorer "${scorer}" (it has: ${names.join(", ")}); choose one with --scorer`,
    );
  const sv = scoreValue(s.value);
  if (!sv)
    throw new ImportError(
      opts.path,
      opts.where,
      `scores.${scorer}.value`,
      `sample ${id}: score value ${JSON.stringify(s.value)?.slice(0, 60)} is not C/I/P/N, a number or a boolean`,
    );

  let input: string;
  if (typeof sample.input === "string") input = resolved(sample.input, sample, at, "input");
  else {
    const users = sample.input.map((m, i) => [m, i] as const).filter(([m]) => m.role === "user");
    input = (users.length ? users : sample.input.map((m, i) => [m, i] as const))
      .map(([m, i]) => contentText(m.content, sample, at, `input.${i}.content`))
      .join("\n\n");
  }
  const choices = sample.choices?.length ? sample.choices.map((c, i) => resolved(c, sample, at, `choices.${i}`)) : null;
  if (choices) input = `${input}\n${choices.map((c, i) => `${LETTERS[i]}. ${c}`).join("\n")}`;
  const target =
    typeof sample.target === "string"
      ? resolved(sample.target, sample, at, "target")
      : sample.target.map((t, i) => resolved(t, sample, at, `target.${i}`));
  const reference: string | string[] = Array.isArray(target) && target.length === 1 ? target[0] : target;
  let referenceText: string | undefined;
  if (choices && typeof reference === "string" && /^[A-Z]$/.test(reference.trim()))
    referenceText = choices[LETTERS.indexOf(reference.trim())];
  const completion = sample.output.completion;
  const output =
    typeof completion === "string" && completion !== ""
      ? resolved(completion, sample, at, "output.completion")
      : contentText(sample.output.choices[0]?.message.content, sample, at, "output.choices.0.message.content");

  const metadata: Record<string, unknown> = {
    inspect_task: header.eval.task,
    scorer,
    score_value: s.value,
    epoch: sample.epoch,
  };
  if (header.eval.dataset?.name) metadata.inspect_dataset = header.eval.dataset.name;
  if (s.explanation)
    metadata.score_explanation = s.explanation.length > 4000 ? `${s.explanation.slice(0, 4000)}…` : s.explanation;
  if (names.length > 1)
    metadata.other_scores = Object.fromEntries(names.filter((n) => n !== scorer).map((n) => [n, scores[n].value]));
  const task = header.eval.task;
  return {
    file: opts.file,
    path: opts.path,
    where: opts.where,
    value: {
      dataset: task.includes("/") ? task.slice(task.lastIndexOf("/") + 1) : task,
      model: header.eval.model,
      instance_id: opts.multiEpoch ? `${id}/epoch-${sample.epoch}` : id,
      input,
      reference,
      ...(referenceText !== undefined ? { reference_text: referenceText } : {}),
      output,
      ...(typeof s.answer === "string" ? { extracted: resolved(s.answer, sample, at, `scores.${scorer}.answer`) } : {}),
      score: sv.score,
      ...(sv.correct !== null ? { correct: sv.correct } : {}),
      metadata,
    },
  };
}

function parseHeader(v: unknown, path: string, where: string): InspectHeader {
  const parsed = InspectHeaderSchema.safeParse(v);
  if (!parsed.success) throw fromZod(path, where, parsed.error);
  if (parsed.data.status === "started")
    throw new ImportError(
      path,
      where,
      "status",
      "the log is still running (status started): import it when the eval has finished",
    );
  return parsed.data;
}

function parseSample(v: unknown, path: string, where: string): InspectSample {
  const parsed = InspectSampleSchema.safeParse(v);
  if (!parsed.success) throw fromZod(path, where, parsed.error);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// .json logs

export function inspectJsonInput(path: string, opts: FormatOptions): DetectedInput {
  return {
    format: "inspect-json",
    path,
    bytes: statSync(path).size,
    hash: () => hashFiles([path]),
    *read(onBytes) {
      const log = readJsonFile(path) as Record<string, unknown>;
      onBytes(statSync(path).size);
      const header = parseHeader(log, path, "log");
      const samples = log.samples;
      if (!Array.isArray(samples) || samples.length === 0)
        throw new ImportError(
          path,
          "log",
          "samples",
          "the log holds no samples (written without samples, e.g. --no-log-samples)",
        );
      const scorer = scorerOf(header, opts.scorer);
      const parsed = samples.map((s, i) => parseSample(s, path, `samples.${i}`));
      const multiEpoch = (header.eval.config?.epochs ?? 1) > 1 || parsed.some((s) => s.epoch > 1);
      for (const [i, s] of parsed.entries()) {
        yield sampleRecord(header, s, {
          scorer,
          multiEpoch,
          file: basename(path),
          path,
          where: `samples.${i} (sample ${s.id}, epoch ${s.epoch})`,
        });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// .eval logs (zip)

type Entry = yauzl.Entry;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true }, (err, zip) => {
      if (err)
        rej(
          new ImportError(
            path,
            "zip",
            null,
            `not a complete .eval zip (${err.message}): truncated, or still being written`,
          ),
        );
      else res(zip);
    }),
  );
}

function entriesOf(zip: yauzl.ZipFile, path: string): Promise<Entry[]> {
  return new Promise((res, rej) => {
    const out: Entry[] = [];
    zip.on("entry", (e: Entry) => {
      out.push(e);
      zip.readEntry();
    });
    zip.on("end", () => res(out));
    zip.on("error", (err: Error) => rej(new ImportError(path, "zip", null, `broken zip directory (${err.message})`)));
    zip.readEntry();
  });
}

/** An entry's bytes: stored, deflate (8) or zstd (93), checked against its CRC-32 and size. */
function readEntry(zip: yauzl.ZipFile, e: Entry, path: string): Promise<Buffer> {
  const where = `zip entry ${e.fileName}`;
  return new Promise((res, rej) => {
    zip.openReadStream(e, { decodeFileData: false } as yauzl.ZipFileOptions, (err, stream) => {
      if (err || !stream)
        return rej(
          new ImportError(path, where, null, `cannot read (${err?.message}): the zip is truncated or damaged`),
        );
      const parts: Buffer[] = [];
      stream.on("data", (b: Buffer) => parts.push(b));
      stream.on("error", (er: Error) =>
        rej(new ImportError(path, where, null, `cannot read (${er.message}): the zip is truncated or damaged`)),
      );
      stream.on("end", () => {
        const raw = Buffer.concat(parts);
        let data: Buffer;
        try {
          if (e.compressionMethod === 0) data = raw;
          else if (e.compressionMethod === 8) data = inflateRawSync(raw);
          else if (e.compressionMethod === 93) data = zstdDecompressSync(raw);
          else
            return rej(
              new ImportError(
                path,
                where,
                null,
                `compression method ${e.compressionMethod} is not supported (Inspect writes deflate, 8, and zstd, 93)`,
              ),
            );
        } catch (er) {
          return rej(
            new ImportError(
              path,
              where,
              null,
              `cannot decompress (${(er as Error).message}): the zip is truncated or damaged`,
            ),
          );
        }
        if (data.length !== e.uncompressedSize || crc32(data) >>> 0 !== e.crc32 >>> 0) {
          return rej(
            new ImportError(
              path,
              where,
              null,
              "the entry's size or CRC-32 does not match its zip directory: the zip is damaged",
            ),
          );
        }
        res(data);
      });
    });
  });
}

async function entryJson(zip: yauzl.ZipFile, e: Entry, path: string): Promise<unknown> {
  const text = utf8Text(await readEntry(zip, e, path), path, `zip entry ${e.fileName}`);
  try {
    return JSON.parse(text);
  } catch (er) {
    throw new ImportError(path, `zip entry ${e.fileName}`, null, `malformed JSON (${(er as Error).message})`);
  }
}

const SAMPLE_ENTRY = /^samples\/(.+)_epoch_(\d+)\.json$/;

export function inspectEvalInput(path: string, opts: FormatOptions): DetectedInput {
  return {
    format: "inspect-eval",
    path,
    bytes: statSync(path).size,
    hash: () => hashFiles([path]),
    read: (onBytes, note) => readEval(path, opts, onBytes, note),
  };
}

async function* readEval(
  path: string,
  opts: FormatOptions,
  onBytes: (n: number) => void,
  note: Note,
): AsyncGenerator<RawItem> {
  const zip = await openZip(path);
  try {
    const entries = await entriesOf(zip, path);
    const byName = new Map(entries.map((e) => [e.fileName, e]));
    const headerEntry = byName.get("header.json");
    if (!headerEntry) {
      const started = byName.has("_journal/start.json");
      throw new ImportError(
        path,
        "zip entry header.json",
        null,
        started
          ? "missing: the log is still running or was interrupted (only _journal/start.json); import it when the eval has finished"
          : "missing: not an Inspect .eval log",
      );
    }
    const header = parseHeader(await entryJson(zip, headerEntry, path), path, "zip entry header.json");
    if (header.status && header.status !== "success")
      note(`${basename(path)}: the log's status is "${header.status}"; its samples are imported as they are`);
    const samples = entries
      .map((e) => ({ e, m: SAMPLE_ENTRY.exec(e.fileName) }))
      .filter((x) => x.m)
      .sort((a, b) => (a.e.fileName < b.e.fileName ? -1 : 1));
    if (samples.length === 0)
      throw new ImportError(
        path,
        "zip",
        "samples/",
        "the log holds no samples (written without samples, e.g. --no-log-samples)",
      );
    const multiEpoch = (header.eval.config?.epochs ?? 1) > 1 || samples.some((x) => Number(x.m![2]) > 1);
    const scorer = scorerOf(header, opts.scorer);
    for (const { e } of samples) {
      const where = `zip entry ${e.fileName}`;
      const sample = parseSample(await entryJson(zip, e, path), path, where);
      onBytes(e.compressedSize);
      yield sampleRecord(header, sample, {
        scorer,
        multiEpoch,
        file: basename(path),
        path,
        where: `${where} (sample ${sample.id}, epoch ${sample.epoch})`,
      });
    }
  } finally {
    zip.close();
  }
}
