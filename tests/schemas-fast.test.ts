// The fast paths of the record and analysis schemas (parseEvalRecord, parseRawRecord, parseAnalysis) against the schemas
// themselves: on real records and on every field of them set to odd values, both accept the same
// inputs and give the same records (compared as the stable JSON they are written as).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stableJsonLine } from "../src/lib/jsonio.ts";
import {
  AnalysisSchema,
  EvalRecordSchema,
  RawRecordSchema,
  parseAnalysis,
  parseEvalRecord,
  parseRawRecord,
} from "../src/lib/schemas.ts";

const raw: Record<string, unknown>[] = [
  {
    dataset: "gsm8k",
    model: "Some Model",
    instance_id: "gsm8k/1",
    input: "What is 2+2?",
    reference: "4",
    output: "The answer is 4.",
    score: 0,
    correct: false,
    extracted: "4",
    prompt: "Q: What is 2+2?",
    reference_text: "four",
    metadata: { subject: "arithmetic", n: 1 },
    source: { repo: "r", commit: "c", path: "p", extra: [1] },
  },
  {
    dataset: "theoremqa",
    model: "m",
    instance_id: 7,
    input: "",
    reference: 2.5,
    output: "",
    correct: true,
    extracted: [1, 2],
  },
  {
    dataset: "bbq",
    model: "m",
    instance_id: "x",
    input: "i",
    reference: true,
    output: "o",
    score: 1,
    extracted: null,
    metadata: null,
    source: null,
  },
];
const evaluated: Record<string, unknown>[] = [
  {
    dataset: "gsm8k",
    model: "some-model",
    instance_id: "gsm8k/1",
    input: "What is 2+2?",
    reference: "4",
    output: "The answer is 4.",
    score: null,
    correct: false,
    extracted: "4",
    prompt: "p",
    reference_text: "four",
    metadata: { subject: "arithmetic" },
    source: { file: "gsm8k.jsonl", other: 1 },
    source_model: "Some Model",
  },
  {
    dataset: "bbq",
    model: "m",
    instance_id: "x",
    input: "",
    reference: "",
    output: "",
    score: 0.5,
    correct: null,
    source_model: "M",
  },
];

const criterion = { criterion: "States the sum", present: false, quality: "absent", evidence: "" };
function analysesBase(): Record<string, unknown> {
  return {
    key: "gsm8k|m|gsm8k/2",
    dataset: "gsm8k",
    model: "m",
    instance_id: "gsm8k/2",
    judge: "heuristic",
    judge_model: "rules",
    prompt_version: "rules-4",
    status: "ok",
    rule: "unexplained",
    title: "Unexplained by rules",
    summary: "No rule applies.",
    evidence: [],
    confidence: 0,
    category: "unexplained.no-rule",
    record_sha256: "b".repeat(64),
  };
}
const analyses: Record<string, unknown>[] = [
  {
    key: "gsm8k|some-model|gsm8k/1",
    dataset: "gsm8k",
    model: "some-model",
    instance_id: "gsm8k/1",
    judge: "heuristic",
    judge_model: "rules",
    prompt_version: "rules-3",
    status: "ok",
    rule: "numeric-near-miss",
    title: "Numeric near-miss",
    summary: "Off by one.",
    evidence: ["5", "4"],
    confidence: 0.8,
    category: "numeric-near-miss",
    record_sha256: "a".repeat(64),
  },
  {
    key: "bbq|m|x",
    dataset: "bbq",
    model: "m",
    instance_id: "x",
    judge: "openai",
    judge_model: "gpt-x",
    prompt_version: "p2",
    status: "judge_error",
    rule: null,
    title: "",
    summary: "",
    evidence: [],
    confidence: 0,
    criteria: [criterion, { ...criterion, present: true, quality: "good", evidence: "4" }],
    category: "judge-error",
    error: "timeout",
  },
  // Marks of the finalise stage: a failure on a disputed item, and one a review moved.
  { ...analysesBase(), disputed: true },
  { ...analysesBase(), category: "noise.reference-error", judged_category: "numeric-near-miss" },
];

const ODD: unknown[] = [
  undefined,
  null,
  "",
  "Upper Case",
  "ok-id",
  0,
  -1.5,
  Infinity,
  NaN,
  true,
  false,
  [],
  [1, "a"],
  {},
  { a: 1 },
  { repo: 1 },
  JSON.parse('{"__proto__": {"x": 1}}'),
  new Date(0),
  Object.create({ inherited: 1 }),
];

const RECORD_OPTIONAL = [
  "score",
  "correct",
  "extracted",
  "prompt",
  "reference_text",
  "metadata",
  "source",
  "source_model",
];

/** The value, with each field (and each optional one, and an unknown one) removed or set to each odd value. */
function variants(base: Record<string, unknown>, optional = RECORD_OPTIONAL): unknown[] {
  const out: unknown[] = [base, null, [], "x", 1];
  for (const k of [...Object.keys(base), ...optional, "unknown_key"]) {
    for (const v of ODD) {
      const copy: Record<string, unknown> = { ...base };
      if (v === undefined) delete copy[k];
      else copy[k] = v;
      out.push(copy);
    }
  }
  return out;
}

const same = (a: { success: boolean; data?: unknown }, b: { success: boolean; data?: unknown }) => {
  expect(a.success).toBe(b.success);
  if (a.success) expect(stableJsonLine(a.data)).toBe(stableJsonLine(b.data));
};

describe("record schema fast paths", () => {
  it("parseRawRecord agrees with RawRecordSchema", () => {
    let n = 0;
    for (const base of raw)
      for (const v of variants(base)) {
        same(parseRawRecord(v), RawRecordSchema.safeParse(v));
        n++;
      }
    expect(n).toBeGreaterThan(500);
  });

  it("parseEvalRecord agrees with EvalRecordSchema, and returns a valid record as it is", () => {
    for (const base of evaluated)
      for (const v of variants(base)) same(parseEvalRecord(v), EvalRecordSchema.safeParse(v));
    const r = parseEvalRecord(evaluated[0]);
    expect(r.success && r.data).toBe(evaluated[0]);
  });

  it("parseAnalysis agrees with AnalysisSchema, and returns a valid analysis as it is", () => {
    let n = 0;
    const more = (base: Record<string, unknown>) => [
      ...variants(base, ["criteria", "error", "record_sha256", "rule", "disputed", "judged_category"]),
      // criteria with odd items: an extra key (the schema strips it), a wrong quality, a missing field
      ...[
        { ...criterion, extra: 1 },
        { ...criterion, quality: "fine" },
        { criterion: "c", present: true, quality: "good" },
        ...ODD,
      ].map((c) => ({ ...base, criteria: [c] })),
      { ...base, evidence: ["a", 1] },
      { ...base, confidence: 1.5 },
      { ...base, record_sha256: "short" },
    ];
    for (const base of analyses)
      for (const v of more(base)) {
        same(parseAnalysis(v), AnalysisSchema.safeParse(v));
        n++;
      }
    expect(n).toBeGreaterThan(500);
    for (const a of analyses) {
      const r = parseAnalysis(a);
      expect(r.success && r.data).toBe(a);
    }
  });

  it("agrees on the demo releases' analyses", () => {
    const releases = join(import.meta.dirname, "../data/releases");
    let n = 0;
    for (const id of readdirSync(releases))
      for (const line of readFileSync(join(releases, id, "analyses.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)) {
        const v = JSON.parse(line);
        same(parseAnalysis(v), AnalysisSchema.safeParse(v));
        expect(parseAnalysis(v).success).toBe(true);
        n++;
      }
    expect(n).toBeGreaterThan(100);
  });

  it("agrees on the demo snapshot's records", () => {
    const demo = join(import.meta.dirname, "../data/snapshots/demo");
    const manifest = JSON.parse(readFileSync(join(demo, "manifest.json"), "utf8")) as {
      datasets: Record<string, { file: string }>;
    };
    for (const { file } of Object.values(manifest.datasets))
      for (const line of readFileSync(join(demo, file), "utf8").split("\n").filter(Boolean)) {
        const v = JSON.parse(line);
        same(parseEvalRecord(v), EvalRecordSchema.safeParse(v));
      }
  });
});
