// ruleContext: the part of an item's context the rules read, which keys cached heuristic verdicts.
// It must change exactly when a verdict could change, so new models re-judge only what they affect.
import { describe, expect, it } from "vitest";
import { judgeHeuristic, ruleContext } from "../../scripts/judges/heuristic/index.ts";
import { hasEvaldata } from "../helpers/evaldata.ts";
import { buildContexts, contextsOf, loadDataset } from "./context.ts";

describe.skipIf(!hasEvaldata)("ruleContext", () => {
  it("holds the consensus answer of a suspect item, and no count of agreeing models", () => {
    const c = contextsOf("gsm8k").failures.find((x) => x.record.instance_id === "gsm8k/gsm8k-main-test-#823")!;
    expect(ruleContext(c)).toEqual({ consensus: "18", shorterThanPeers: null });
  });

  it("does not change when a model is left out but the consensus stays; changes when the consensus goes", () => {
    const all = loadDataset("gsm8k");
    const models = [...new Set(all.map((r) => r.model))].sort();
    const item = "gsm8k/gsm8k-main-test-#823";
    const ctxWithout = (drop: string[]) =>
      buildContexts("gsm8k", all.filter((r) => !drop.includes(r.model))).failures.find((x) => x.record.instance_id === item && x.record.model === models[0])!;
    const full = ctxWithout([]);
    expect(ruleContext(ctxWithout([models[9]]))).toEqual(ruleContext(full));
    // With only 4 models left there is no consensus any more (at least 5 are needed): the key changes,
    // and so does the verdict.
    const few = ctxWithout(models.slice(4));
    expect(ruleContext(few).consensus).toBeNull();
    expect(judgeHeuristic(few).rule).not.toBe("suspect-reference");
    expect(judgeHeuristic(full).rule).toBe("suspect-reference");
  });

  it("on open-ended items, says whether the output is far shorter than the other models'", () => {
    const fails = contextsOf("alpaca_eval").failures;
    expect(fails.every((c) => typeof ruleContext(c).shorterThanPeers === "boolean")).toBe(true);
    for (const c of fails.filter((x) => judgeHeuristic(x).rule === "far-too-short")) expect(ruleContext(c).shorterThanPeers).toBe(true);
  });
});
