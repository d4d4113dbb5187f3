// The fast paths of the record schemas (parseEvalRecord, parseRawRecord) against the schemas
// themselves: on real records and on every field of them set to odd values, both accept the same
// inputs and give the same records (compared as the stable JSON they are written as).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stableJsonLine } from "../src/lib/jsonio.ts";
import { EvalRecordSchema, RawRecordSchema, parseEvalRecord, parseRawRecord } from "../src/lib/schemas.ts";

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
  { dataset: "theoremqa", model: "m", instance_id: 7, input: "", reference: 2.5, output: "", correct: true, extracted: [1, 2] },
  { dataset: "bbq", model: "m", instance_id: "x", input: "i", reference: true, output: "o", score: 1, extracted: null, metadata: null, source: null },
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
  { dataset: "bbq", model: "m", instance_id: "x", input: "", reference: "", output: "", score: 0.5, correct: null, source_model: "M" },
];

const ODD: unknown[] = [
  undefined, null, "", "Upper Case", "ok-id", 0, -1.5, Infinity, NaN, true, false, [], [1, "a"], {}, { a: 1 }, { repo: 1 },
  JSON.parse('{"__proto__": {"x": 1}}'), new Date(0), Object.create({ inherited: 1 }),
];

function variants(base: Record<string, unknown>): unknown[] {
  const out: unknown[] = [base, null, [], "x", 1];
  for (const k of [...Object.keys(base), "score", "correct", "extracted", "prompt", "reference_text", "metadata", "source", "source_model", "unknown_key"]) {
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
    for (const base of raw) for (const v of variants(base)) (same(parseRawRecord(v), RawRecordSchema.safeParse(v)), n++);
    expect(n).toBeGreaterThan(500);
  });

  it("parseEvalRecord agrees with EvalRecordSchema, and returns a valid record as it is", () => {
    for (const base of evaluated) for (const v of variants(base)) same(parseEvalRecord(v), EvalRecordSchema.safeParse(v));
    const r = parseEvalRecord(evaluated[0]);
    expect(r.success && r.data).toBe(evaluated[0]);
  });

  it("agrees on the demo snapshot's records", () => {
    const demo = join(import.meta.dirname, "../data/snapshots/demo");
    const manifest = JSON.parse(readFileSync(join(demo, "manifest.json"), "utf8")) as { datasets: Record<string, { file: string }> };
    for (const { file } of Object.values(manifest.datasets))
      for (const line of readFileSync(join(demo, file), "utf8").split("\n").filter(Boolean)) {
        const v = JSON.parse(line);
        same(parseEvalRecord(v), EvalRecordSchema.safeParse(v));
      }
  });
});
