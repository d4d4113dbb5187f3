// Answer normalisation and consensus against the reference, on hand-written answers and on the
// real shared data (two known suspect items, GSM8K and MMLU-Pro, must be found).
import { describe, expect, it } from "vitest";
import {
  canonical,
  findSuspectItems,
  normaliseAnswer,
  normaliseReference,
  parseNumber,
  strongerHalf,
} from "../../scripts/lib/consensus.ts";
import { SuspectItemSchema, type EvalRecord } from "../../src/lib/schemas.ts";
import { describeShared } from "../helpers/evaldata.ts";
import { DATASETS, contextsOf, isFailure, plantedKinds, type DatasetName } from "./context.ts";

const EXACT = DATASETS.filter((d) => ["mmlu_pro", "gsm8k", "math_l5", "bbq", "demo_arith", "demo_quiz"].includes(d));
const OPEN = DATASETS.filter((d) => d === "alpaca_eval" || d === "demo_instruct");

describe("answer normalisation", () => {
  it("treats equivalent forms of one answer (18.0 and 18, fractions, units) as equal", () => {
    expect(canonical("18.0", "number")).toBe(canonical("18", "number"));
    expect(canonical("\\frac{1}{2}", "number")).toBe(canonical("0.5", "number"));
    expect(canonical("\\dfrac{1}{2}", "text")).toBe(canonical("0.5", "number"));
    expect(canonical("$1,000", "number")).toBe(canonical("1000", "number"));
    expect(canonical("# 14", "number")).toBe("14");
    expect(canonical("230 miles", "number")).toBe("230");
    expect(canonical("\\boxed{3/4}", "number")).toBe(canonical("0.75", "number"));
    expect(canonical("1.5 \\times 10^{3}", "number")).toBe("1500");
    expect(canonical("(b)", "choice")).toBe("B");
  });

  it("keeps different answers apart", () => {
    expect(canonical("45/2", "number")).not.toBe(canonical("45", "number"));
    expect(canonical("18.01", "number")).not.toBe(canonical("18", "number"));
    expect(canonical("2\\sqrt{3}", "text")).not.toBe(canonical("\\sqrt{3}", "text"));
    expect(parseNumber("2πx")).toBeNull();
    expect(parseNumber("6,000 and 10,000")).toBeNull();
  });

  it("reads the answer of a record whose scorer found none", () => {
    const base: EvalRecord = {
      dataset: "d",
      model: "m",
      instance_id: "1",
      input: "Which?\nA. one\nB. two\nC. three",
      reference: "B",
      output: "",
      score: null,
      correct: false,
      source_model: "m",
    };
    expect(normaliseAnswer({ ...base, output: "Reasoning... so the answer is: B. two" })).toBe("B");
    expect(normaliseAnswer({ ...base, output: "Thus the answer is two." })).toBe("B");
    expect(normaliseAnswer({ ...base, output: "The" })).toBeNull();
    expect(normaliseAnswer({ ...base, output: "", extracted: "C" })).toBe("C");
    const json = { ...base, input: "How many?", reference: "# 7", prompt: 'reply in json with "answer"' };
    expect(normaliseAnswer({ ...json, output: '{"reasoning": "3 + 4", "answer": "7.0"}' })).toBe("7");
    expect(normaliseAnswer({ ...json, output: "so we get $\\boxed{\\frac{14}{2}}$" })).toBe("7");
    // TheoremQA's scorer writes 0 when it finds nothing (its dataset plug-in knows): a 0 the output
    // never states is not the record's answer. Elsewhere a 0 is an answer.
    expect(
      normaliseAnswer({ ...json, dataset: "theoremqa", output: "Therefore, the answer is 12.", extracted: "0" }),
    ).toBe("12");
    expect(normaliseAnswer({ ...json, output: "Therefore, the answer is 12.", extracted: "0" })).toBe("0");
  });

  it("orders models by accuracy for the stronger half", () => {
    const acc = new Map([
      ["a", 0.9],
      ["b", 0.2],
      ["c", 0.5],
      ["d", 0.7],
      ["e", 0.1],
    ]);
    expect([...strongerHalf(["a", "b", "c", "d", "e"], acc)].sort()).toEqual(["a", "c", "d"]);
  });
});

describe("normaliseAnswer on generated and real records", () => {
  it.each(EXACT)("agrees with the reference on nearly every correct %s record", (name) => {
    const { corrects } = contextsOf(name);
    const agree = corrects.filter((c) => normaliseAnswer(c.record) === normaliseReference(c.record)).length;
    expect(agree / corrects.length).toBeGreaterThan(0.97);
  });

  it.each(OPEN)("gives no comparable answer on open-ended items (%s)", (name) => {
    const { records } = contextsOf(name);
    const withAnswer = records.filter((r) => normaliseAnswer(r) !== null).length;
    expect(withAnswer / records.length).toBeLessThan(0.02);
  });
});

describe("findSuspectItems on generated and real data", () => {
  it.each(DATASETS)("on %s, every suspect item meets the documented thresholds", (name) => {
    checkThresholds(name);
  });

  it("finds exactly the generated items whose reference was made wrong, every model agreeing", () => {
    const planted = plantedKinds();
    for (const name of ["demo_arith", "demo_quiz", "demo_instruct"] as const) {
      const { records, accuracy } = contextsOf(name);
      const wrongKey = [
        ...new Set(
          records
            .filter((r) => planted.get(`${r.dataset}|${r.model}|${r.instance_id}`) === "suspect")
            .map((r) => r.instance_id),
        ),
      ];
      const found = findSuspectItems(records, accuracy);
      expect(
        found.map((s) => s.instance_id),
        name,
      ).toEqual(wrongKey.sort());
      for (const s of found) expect(s.agreeing).toHaveLength(s.models);
      // Stricter options: all models agree here, so unanimity keeps them; more models than there are finds none.
      expect(findSuspectItems(records, accuracy, { minShare: 1 })).toEqual(found);
      expect(findSuspectItems(records, accuracy, { minModels: modelCount(records) + 1 })).toEqual([]);
      expect(findSuspectItems(records, accuracy, { taskType: "open_ended" })).toEqual([]);
    }
  });
});

/** How many models answered the dataset. */
const modelCount = (records: readonly EvalRecord[]) => new Set(records.map((r) => r.model)).size;

function checkThresholds(name: DatasetName) {
  const { records, accuracy, items } = contextsOf(name);
  const suspects = findSuspectItems(records, accuracy);
  for (const s of suspects) {
    expect(SuspectItemSchema.parse(s)).toEqual(s);
    const item = items.get(s.instance_id)!;
    expect(item.length).toBeGreaterThanOrEqual(5);
    expect(s.agreeing.length).toBeGreaterThanOrEqual(0.7 * s.models);
    const strong = strongerHalf([...new Set(item.map((r) => r.model))], accuracy);
    expect(s.agreeing.some((m) => strong.has(m))).toBe(true);
    const agreeing = item.filter((r) => s.agreeing.includes(r.model));
    // Every agreeing record failed, and gives the same answer, which is not the reference.
    expect(agreeing.every(isFailure)).toBe(true);
    expect(new Set(agreeing.map(normaliseAnswer)).size).toBe(1);
    expect(normaliseAnswer(agreeing[0]!)).not.toBe(normaliseReference(agreeing[0]!));
  }
  // Sorted, deterministic.
  expect(suspects.map((s) => s.instance_id)).toEqual([...suspects.map((s) => s.instance_id)].sort());
  expect(findSuspectItems(records, accuracy)).toEqual(suspects);
}

describeShared("findSuspectItems on the named real items", () => {
  it("finds the GSM8K item where all 10 models answer 18 against a reference of 14", () => {
    const { records, accuracy } = contextsOf("gsm8k");
    const item = findSuspectItems(records, accuracy).find((s) => s.instance_id === "gsm8k/gsm8k-main-test-#823");
    expect(item).toBeDefined();
    expect(item!.consensus).toBe("18");
    expect(canonical(item!.reference, "number")).toBe("14");
    expect(item!.agreeing).toHaveLength(10);
    expect(item!.models).toBe(10);
  });

  it("finds the MMLU-Pro speech-codes item where all 10 models answer freedom of speech", () => {
    const { records, accuracy } = contextsOf("mmlu_pro");
    const item = findSuspectItems(records, accuracy).find((s) => s.instance_id === "mmlu_pro/11005");
    expect(item).toBeDefined();
    expect(item!.consensus).toMatch(/^A \(freedom of speech\)$/);
    expect(item!.reference).toMatch(/^B \(freedom of the press\)$/);
    expect(item!.agreeing).toHaveLength(10);
  });

  it("is stricter with stricter options, and silent on open-ended data", () => {
    const { records, accuracy } = contextsOf("mmlu_pro");
    const loose = findSuspectItems(records, accuracy);
    const unanimous = findSuspectItems(records, accuracy, { minShare: 1 });
    expect(unanimous.length).toBeGreaterThan(0);
    expect(unanimous.length).toBeLessThan(loose.length);
    expect(unanimous.every((s) => s.agreeing.length === s.models)).toBe(true);
    expect(unanimous.map((s) => s.instance_id)).toContain("mmlu_pro/11005");
    expect(findSuspectItems(records, accuracy, { minModels: 11 })).toEqual([]);
    expect(findSuspectItems(records, accuracy, { taskType: "open_ended" })).toEqual([]);
    const alpaca = contextsOf("alpaca_eval");
    expect(findSuspectItems(alpaca.records, alpaca.accuracy)).toEqual([]);
  });
});
