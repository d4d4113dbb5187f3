// Answer normalisation and consensus against the reference, on hand-written answers and generated
// records (and on the real data when it is there); the two known suspect items of the real data,
// GSM8K and MMLU-Pro, are consensus.real.test.ts (the real-data layer, README "Set-up").
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

/** One model's failed answer on a hand-written item. */
function answerOn(
  item: Partial<EvalRecord> & { instance_id: string; reference: string },
  model: string,
  output: string,
) {
  return {
    dataset: "toy",
    input: "Q?",
    score: 0,
    correct: false,
    ...item,
    model,
    output,
    source_model: model,
  } as EvalRecord;
}

// What the real-data layer checks on two named real items (consensus.real.test.ts), on hand-written
// items: the consensus and the reference as a reader sees them, and the options that make it stricter.
describe("findSuspectItems on hand-written items", () => {
  const models = ["m1", "m2", "m3", "m4", "m5"];
  const accuracy = new Map(models.map((m, i) => [m, 0.9 - i * 0.1]));

  it("finds a number item where every model answers 18 against a reference of 14", () => {
    const item = { instance_id: "toy/823", reference: "14" };
    const records = models.map((m) => answerOn(item, m, "4 + 14 = 18. The answer is 18."));
    const [found] = findSuspectItems(records, accuracy);
    expect(found).toMatchObject({ instance_id: "toy/823", consensus: "18", agreeing: models, models: 5 });
    expect(canonical(found!.reference, "number")).toBe("14");
  });

  it("shows a multiple-choice consensus and reference with their option texts", () => {
    const input = "Which right do speech codes restrict?\nA. freedom of speech\nB. freedom of the press\nC. assembly";
    const records = models.map((m) =>
      answerOn({ instance_id: "toy/11005", reference: "B", input }, m, "The answer is (A)."),
    );
    const [found] = findSuspectItems(records, accuracy);
    expect(found!.consensus).toBe("A (freedom of speech)");
    expect(found!.reference).toBe("B (freedom of the press)");
    expect(found!.agreeing).toHaveLength(5);
  });

  it("is stricter with stricter options, and silent on open-ended items", () => {
    // Four of five agree (80%): a consensus by default (70%), not when unanimity is asked.
    const item = { instance_id: "toy/7", reference: "14" };
    const records = models.map((m, i) => answerOn(item, m, i === 4 ? "The answer is 12." : "The answer is 18."));
    const loose = findSuspectItems(records, accuracy);
    expect(loose.map((s) => s.agreeing)).toEqual([["m1", "m2", "m3", "m4"]]);
    expect(findSuspectItems(records, accuracy, { minShare: 1 })).toEqual([]);
    expect(findSuspectItems(records, accuracy, { minModels: 6 })).toEqual([]);
    expect(findSuspectItems(records, accuracy, { taskType: "open_ended" })).toEqual([]);
    // No consensus when the stronger half is not among the agreeing models.
    const weakOnly = models.map((m, i) => answerOn(item, m, i >= 1 ? "The answer is 18." : "The answer is 11."));
    expect(findSuspectItems(weakOnly, accuracy, { minStrong: 3 })).toEqual([]);
    expect(findSuspectItems(weakOnly, accuracy)).toHaveLength(1);
  });
});
