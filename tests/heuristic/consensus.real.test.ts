// The two known suspect items of the real evaluation data (the real-data layer, README "Set-up"):
// GSM8K's item where all 10 models answer 18 against a reference of 14, and MMLU-Pro's speech-codes
// item. The same behaviour on generated and hand-written items is consensus.test.ts.
import { describe, expect, it } from "vitest";
import { canonical, findSuspectItems } from "../../scripts/lib/consensus.ts";
import { contextsOf } from "./context.ts";

describe("findSuspectItems on the named real items", () => {
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
