// The rules that relate the final answer to the reference (opposite sign, a power of ten, several
// final answers), on hand-written records. Their precision on real failures is checked by hand
// (docs/validation/rules-c.md).
import { describe, expect, it } from "vitest";
import { judgeHeuristic, LEAF, RULES } from "../../scripts/judges/heuristic/index.ts";
import {
  severalChoiceAnswers,
  severalNumberAnswers,
  significantDigits,
  statedUnitPowers,
} from "../../scripts/judges/heuristic/relations.ts";
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import { toyContext, toyRecord } from "./context.ts";

const rec = toyRecord;
const ctxOf = toyContext;

const rule = (id: string) => RULES.find((r) => r.id === id)!;
const fires = (id: string, r: EvalRecord, task: DatasetEntry["task_type"] = "math") => rule(id).fn(ctxOf(r, task));

const OPTIONS = "Which gas do plants take in?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Helium";

describe("helpers", () => {
  it("reads significant digits", () => {
    expect(significantDigits(1.12)).toBe("112");
    expect(significantDigits(51200)).toBe("512");
    expect(significantDigits(0.016)).toBe("16");
    expect(significantDigits(-40)).toBe("4");
  });

  it("reads the powers of ten a question states its unit in", () => {
    expect(statedUnitPowers("How fast is it? (Unit: 10^3 m/s)")).toEqual([3]);
    expect(statedUnitPowers("The force is $Y \\times 10^{-9}$ N; find Y.")).toEqual([-9]);
    expect(statedUnitPowers("A car drives 40 km.")).toEqual([]);
  });
});

describe("sign error", () => {
  it("fires on the reference's negative, for a specific value", () => {
    const r = rec({
      input: "Find the sum.",
      reference: "247",
      output: "Adding the terms, the sum is -247.",
      extracted: "-247",
    });
    const hit = fires("sign-error", r);
    expect(hit?.title).toBe("Right magnitude, wrong sign");
    expect(hit?.summary).toContain("-247");
    expect(hit?.evidence[0]).toContain("the sum is -247");
    expect(fires("sign-error", rec({ reference: "-0.35", output: "So x = 0.35.", extracted: "0.35" }))).not.toBeNull();
  });

  it("stays silent on small whole numbers, zero, and other wrong answers", () => {
    expect(fires("sign-error", rec({ reference: "3", output: "The answer is -3.", extracted: "-3" }))).toBeNull();
    expect(fires("sign-error", rec({ reference: "-1", output: "The answer is 1.", extracted: "1" }))).toBeNull();
    expect(fires("sign-error", rec({ reference: "80", output: "The answer is -80.", extracted: "-80" }))).toBeNull();
    expect(fires("sign-error", rec({ reference: "247", output: "The answer is 246.", extracted: "246" }))).toBeNull();
    expect(fires("sign-error", rec({ reference: "0", output: "The answer is 0.", extracted: "-0" }))).toBeNull();
  });
});

describe("power of ten", () => {
  it("states the factor, and says only that the scale differs", () => {
    const r = rec({ reference: "3.6", output: "The speed is 36 m/s. Therefore, the answer is 36.", extracted: "36" });
    const hit = fires("power-of-ten", r);
    expect(hit?.title).toBe("Off by a factor of 10");
    expect(hit?.summary).toBe(
      "The final answer 36 is 10 times the reference 3.6: the significant digits agree, the scale (a power of ten) does not.",
    );
    const small = fires("power-of-ten", rec({ reference: "2450", output: "Total: 2.45", extracted: "2.45" }));
    expect(small?.title).toBe("Off by a factor of 1,000");
    expect(small?.summary).toContain("1/1,000 of the reference 2450");
  });

  it("names a quantity given in base units when the question states its unit as a power of ten", () => {
    const r = rec({
      input: "Find the frequency. (Unit: 10^6 Hz)",
      reference: "2.5",
      output: "f = 2.5 x 10^6 Hz.",
      extracted: "2500000",
    });
    const hit = fires("power-of-ten", r);
    expect(hit?.title).toBe("Answered in base units, not the unit asked for");
    expect(hit?.summary).toContain("10^6");
  });

  it("stays silent on small whole numbers, percentages of a fraction, and other factors", () => {
    expect(fires("power-of-ten", rec({ reference: "6", output: "There are 60 ways.", extracted: "60" }))).toBeNull();
    expect(
      fires("power-of-ten", rec({ reference: "55", output: "It spins at 550 m/s.", extracted: "550" })),
    ).toBeNull();
    expect(fires("power-of-ten", rec({ reference: "0.23", output: "The return is 23%.", extracted: "23" }))).toBeNull();
    expect(fires("power-of-ten", rec({ reference: "3.6", output: "The answer is 7.2.", extracted: "7.2" }))).toBeNull();
    expect(fires("power-of-ten", rec({ reference: "3.6", output: "The answer is 3.6.", extracted: "3.6" }))).toBeNull();
  });
});

describe("several final answers", () => {
  it("finds a final statement naming two or more options", () => {
    expect(severalChoiceAnswers("Both gases matter here. The answer is (A) and (B).", OPTIONS)?.answers).toEqual([
      "A",
      "B",
    ]);
    expect(severalChoiceAnswers("So the answer is (B) or (C)", OPTIONS)?.answers).toEqual(["B", "C"]);
    expect(severalChoiceAnswers("The correct options are A, B and D.", OPTIONS)?.answers).toEqual(["A", "B", "D"]);
    expect(severalChoiceAnswers("The answer is a combination of options (A) and (C): both.", OPTIONS)?.answers).toEqual(
      ["A", "C"],
    );
    expect(severalChoiceAnswers("The answer is (A) for part one and (C) for part two.", OPTIONS)?.answers).toEqual([
      "A",
      "C",
    ]);
  });

  it("does not fire on an output that lists options and then picks one", () => {
    expect(severalChoiceAnswers("Options (A) and (B) both look plausible. The answer is (B).", OPTIONS)).toBeNull();
    expect(
      severalChoiceAnswers("The answer is (A) and (B). However, only one can be chosen, so (B).", OPTIONS),
    ).toBeNull();
    expect(severalChoiceAnswers("The answer is (A) or (B). If I had to pick one, it would be B.", OPTIONS)).toBeNull();
    expect(severalChoiceAnswers("The answer is (B) and (B).", OPTIONS)).toBeNull();
    expect(severalChoiceAnswers("The answer is (B) and I am sure of it.", OPTIONS)).toBeNull();
    expect(severalChoiceAnswers("The answer is (A) and (C). Then (D) follows from it.", OPTIONS)).toBeNull();
    expect(severalChoiceAnswers("The answer is (A) and (E).", OPTIONS)).toBeNull(); // E is no option here
  });

  it("finds two numbers offered as the final answer, but not one value in two forms", () => {
    expect(
      severalNumberAnswers("A good threshold is around 6 or 7. Therefore, the answer is 6 or 7.")?.answers,
    ).toEqual(["6", "7"]);
    expect(severalNumberAnswers("So x can be \\boxed{4} or \\boxed{-4}.")?.answers).toEqual(["4", "-4"]);
    expect(severalNumberAnswers("The answer is 0.25 or 25%.")).toBeNull();
    expect(severalNumberAnswers("The answer is 6 or 7, but 7 is the best answer.")).toBeNull();
    expect(
      severalNumberAnswers("First \\boxed{3} was wrong; after checking every case again we get \\boxed{5}."),
    ).toBeNull();
  });

  it("labels the failure, and says whether the reference is among the answers", () => {
    const r = rec({
      input: OPTIONS,
      reference: "B",
      output: "Plants use it. The answer is (A) and (B).",
      extracted: "A",
    });
    const v = judgeHeuristic(ctxOf(r, "multiple_choice"));
    expect(v.category).toBe(LEAF.severalAnswers);
    expect(v.title).toBe("Gave more than one final answer");
    expect(v.summary).toContain("(A) and (B)");
    expect(v.summary).toContain("the reference, B, is one of them");
    const other = rec({ input: OPTIONS, reference: "C", output: "The answer is (A) and (B).", extracted: "A" });
    expect(fires("several-answers", other, "multiple_choice")?.summary).toContain("the reference is C");
  });
});
