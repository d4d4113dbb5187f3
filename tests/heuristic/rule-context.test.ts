// ruleContext: the part of an item's context the rules read, which keys cached heuristic verdicts.
// It must change exactly when a verdict could change, so new models re-judge only what they affect.
import { describe, expect, it } from "vitest";
import { judgeHeuristic, ruleContext } from "../../scripts/judges/heuristic/index.ts";
import { sources } from "../helpers/sources.ts";
import { buildContexts, contextsOf, loadDataset, type DatasetName } from "./context.ts";

/** A closed dataset with an item every model fails on a wrong reference, and an open-ended dataset. */
const SOURCES = sources<{ closed: DatasetName; item: string; open: DatasetName }>({
  generated: () => ({ closed: "demo_arith", item: "demo_arith/p08", open: "demo_instruct" }),
  shared: () => ({ closed: "gsm8k", item: "gsm8k/gsm8k-main-test-#823", open: "alpaca_eval" }),
});

describe.each(SOURCES)("ruleContext (%s data)", (_name, { closed, item, open }) => {
  it("holds no consensus: the rules do not read other models' answers (disputed items are the finalise stage's)", () => {
    const c = contextsOf(closed).failures.find((x) => x.record.instance_id === item)!;
    expect(ruleContext(c)).not.toHaveProperty("consensus");
    expect(ruleContext(c).shorterThanPeers).toBeNull();
  });

  it("does not change on a closed item when models are left out, even when the consensus goes", () => {
    const all = loadDataset(closed);
    const models = [...new Set(all.map((r) => r.model))].sort();
    expect(all.filter((r) => r.instance_id === item)).toHaveLength(models.length);
    const ctxWithout = (drop: string[]) =>
      buildContexts(
        closed,
        all.filter((r) => !drop.includes(r.model)),
      ).failures.find((x) => x.record.instance_id === item && x.record.model === models[0])!;
    const full = ctxWithout([]);
    expect(ruleContext(ctxWithout([models.at(-1)!]))).toEqual(ruleContext(full));
    // With only 4 models left there is no consensus any more: neither the key nor the verdict changes.
    const few = ctxWithout(models.slice(4));
    expect(few).toBeDefined();
    expect(ruleContext(few)).toEqual(ruleContext(full));
    expect(judgeHeuristic(few)).toEqual(judgeHeuristic(full));
  });

  it("on open-ended items, says whether the output is far shorter than the other models'", () => {
    const fails = contextsOf(open).failures;
    expect(fails.some((x) => judgeHeuristic(x).rule === "far-too-short")).toBe(true);
    expect(fails.every((c) => typeof ruleContext(c).shorterThanPeers === "boolean")).toBe(true);
    for (const c of fails.filter((x) => judgeHeuristic(x).rule === "far-too-short"))
      expect(ruleContext(c).shorterThanPeers).toBe(true);
  });
});
