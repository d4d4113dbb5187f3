// The widened arithmetic-slip finder (TeX fractions and roots, π, currency inside a computation,
// "≈", lines with a percentage elsewhere), the wider declarations of "unanswerable", true/false
// answers stated in prose, and TheoremQA's "true/false where a number is asked", on hand-written
// records. Real-data precision is checked by hand (docs/validation/rules-d.md).
import { describe, expect, it } from "vitest";
import { carriedSlip, findFalseComputations } from "../../scripts/judges/heuristic/arith.ts";
import { verdictForNumber } from "../../scripts/judges/heuristic/datasets/theoremqa.ts";
import { judgeHeuristic, LEAF } from "../../scripts/judges/heuristic/index.ts";
import { canonical, proseVerdict, recordAnswer } from "../../scripts/lib/consensus.ts";
import type { EvalRecord } from "../../src/lib/schemas.ts";
import { toyContext, toyRecord } from "./context.ts";

const rec = toyRecord;
const ctxOf = toyContext;

const found = (s: string) => findFalseComputations(s).map((f) => [f.text, Number(f.value.toPrecision(6))]);

describe("arithmetic in TeX, with π, roots, currency and ≈", () => {
  it("reads \\frac, \\sqrt, √ and π as arithmetic", () => {
    expect(found("We get \\frac{3}{4} + \\frac{1}{4} = 5 here")).toEqual([["\\frac{3}{4} + \\frac{1}{4} = 5", 1]]);
    expect(found("then \\dfrac{120}{4 \\times 3} = 12 so")).toEqual([["\\dfrac{120}{4 \\times 3} = 12", 10]]);
    expect(found("so \\sqrt{16} + 3 = 9 and")).toEqual([["\\sqrt{16} + 3 = 9", 7]]);
    expect(found("so √16 + 3 = 9 and")).toEqual([["√16 + 3 = 9", 7]]);
    expect(found("the period is 2\\pi \\times 0.05 = 0.1 s")).toEqual([["2\\pi \\times 0.05 = 0.1", 0.314159]]);
    // True ones, rounded as shown (π as 3.14 included), stay silent.
    expect(
      found("We get \\frac{3}{4} + \\frac{1}{4} = 1 here, 2\\sqrt{2} = 2.83, 2π * 3 = 18.84 and 2\\pi(0.05) = 0.314"),
    ).toEqual([]);
  });

  it("leaves ambiguous TeX alone: mixed numbers, divisions before an implied product, subscripts", () => {
    expect(found("x = 2\\frac{1}{3} = 7")).toEqual([]);
    expect(found("The period is T = 2\\pi/5\\pi = 0.4 s")).toEqual([]);
    expect(found("ratio = \\frac{4}{3}\\pi (36)^3 / 4\\pi (36)^2 = 12")).toEqual([]);
    expect(found("C = \\frac{1}{2} \\log_2 (1 + \\frac{2}{1}) = 1 bit")).toEqual([]);
  });

  it("reads dollar amounts inside a computation, quoting the first dollar sign", () => {
    expect(found("So the total is $300 + $257.02 = $567.04 for both.")).toEqual([["$300 + $257.02 = $567.04", 557.02]]);
    expect(found("So the total is $300 + $257.02 = $557.02 for both.")).toEqual([]);
    expect(found("he keeps $10,000 + (-$500) = $10,500 in the end")).toEqual([["$10,000 + (-$500) = $10,500", 9500]]);
  });

  it("reads ≈ as a coarse rounding: only more than 2% off is false", () => {
    expect(found("S ≈ (256 * 3.14) / 3 ≈ 803.51")).toEqual([["(256 * 3.14) / 3 ≈ 803.51", 267.947]]);
    expect(found("so \\( \\left(\\frac{49}{60}\\right)^7 \\approx 0.236 \\)")).toEqual([
      ["(\\frac{49}{60}\\right)^7 \\approx 0.236", 0.242278],
    ]);
    expect(found("S ≈ (256 * 3.14) / 3 ≈ 270")).toEqual([]);
  });

  it("reads a line with a percentage elsewhere, but not a computation that touches one", () => {
    expect(found("The total is 15 + 10 + 12 + 13 = 40 before the 10% discount.")).toEqual([
      ["15 + 10 + 12 + 13 = 40", 50],
    ]);
    expect(found("the rate is 0.25 * 0.2 = 0.06 = 6%")).toEqual([]);
    expect(found("Interest = 500 * 0.67% = 3.35")).toEqual([]);
  });

  it("counts the slip only when carried on, as before", () => {
    const out = "The area is (5√2 * 5√2) / 2 = 50.\nSo the area is 50 square units.";
    expect(carriedSlip(out, "What is the area?", 50)).toMatchObject({ text: "(5√2 * 5√2) / 2 = 50", final: true });
    expect(carriedSlip("The area is (5√2 * 5√2) / 2 = 50, no wait, it is 25.", "What is the area?", 25)).toBeNull();
  });
});

describe("declared-unanswerable: declarations in the answer field", () => {
  const judge = (answer: string, reference = "129") =>
    judgeHeuristic(ctxOf(rec({ output: `{"reasoning": "We tried all cases.", "answer": "${answer}"}`, reference })));

  it("fires on 'No solution', 'Error in problem setup', 'requires more information'", () => {
    for (const a of [
      "No solution",
      "There are no solutions.",
      "The problem has no valid solution",
      "Error in problem setup",
      "Error: The problem description is flawed.",
      "This problem requires more information to solve.",
      "Not possible with the given conditions",
      "Cannot be determined due to a contradiction in the problem statement",
    ])
      expect(judge(a).rule, a).toBe("declared-unanswerable");
  });

  it("stays silent on answers: undefined, infinitely many, a value", () => {
    for (const a of ["undefined", "infinitely many", "\\\\infty", "No solution exists for x < 0, so x = 3"])
      expect(judge(a).rule, a).not.toBe("declared-unanswerable");
  });
});

describe("true/false answers stated in prose", () => {
  it("reads a leading yes/no or 'therefore true', unless hedged", () => {
    expect(proseVerdict("Yes, the sequence is in the image of T")).toBe("true");
    expect(proseVerdict("No, such a function does not exist.")).toBe("false");
    expect(proseVerdict("therefore true")).toBe("true");
    expect(proseVerdict("Yes, but only if n is positive")).toBeNull();
    expect(proseVerdict("Yesterday it rained")).toBeNull();
    expect(canonical("Yes, it is invertible", "bool")).toBe("true");
    expect(canonical("Yes, it is invertible", "text")).not.toBe("true");
  });

  it("takes an output's first-word verdict as its answer when nothing later contradicts it", () => {
    const yes = rec({
      dataset: "theoremqa",
      output: "Yes, there is such a basis. Any basis works since every vector is fixed.",
      reference: "true",
      extracted: "0",
    });
    expect(recordAnswer(yes)).toMatchObject({ source: "statement" });
    expect(judgeHeuristic(ctxOf(yes, "short_answer")).rule).toBe("equivalent-answer");
    const turn = rec({
      dataset: "theoremqa",
      output: "Yes, at first sight. On reflection the statement is false.",
      reference: "true",
      extracted: "0",
    });
    expect(recordAnswer(turn)).toBeNull();
  });
});

describe("TheoremQA: true/false where a number is asked", () => {
  const tq = (p: Partial<EvalRecord>) =>
    rec({
      dataset: "theoremqa",
      input: "How many bytes of payload does the datagram carry?",
      output: "The payload would be negative, so the values are inconsistent. Therefore, the answer is False.",
      reference: "140",
      extracted: "false",
      metadata: { answer_type: "integer" },
      ...p,
    });

  it("fires on a verdict for an integer or float item, naming both types", () => {
    const hit = verdictForNumber(ctxOf(tq({}), "short_answer"));
    expect(hit?.summary).toContain('answer type "integer"');
    expect(hit?.evidence[0]).toContain("the answer is False");
    expect(judgeHeuristic(ctxOf(tq({}), "short_answer"))).toMatchObject({
      rule: "theoremqa-verdict-for-number",
      category: LEAF.wrongAnswerType,
    });
  });

  it("stays silent when the question asks for a verdict, the type is not numeric, or the output does not state it", () => {
    expect(verdictForNumber(ctxOf(tq({ input: "Should they switch apartments? Answer Yes or No." })))).toBeNull();
    expect(
      verdictForNumber(ctxOf(tq({ input: "Is there a holomorphic map onto C? Here C is the plane." }))),
    ).toBeNull();
    expect(verdictForNumber(ctxOf(tq({ metadata: { answer_type: "bool" }, reference: "true" })))).toBeNull();
    expect(verdictForNumber(ctxOf(tq({ output: "The payload is 140 bytes." })))).toBeNull();
    expect(verdictForNumber(ctxOf(tq({ dataset: "gsm8k" })))).not.toBeNull(); // the plug-in's rules run only on TheoremQA (DATASET_RULES)
    expect(judgeHeuristic(ctxOf(tq({ dataset: "gsm8k" }))).rule).not.toBe("theoremqa-verdict-for-number");
  });
});
