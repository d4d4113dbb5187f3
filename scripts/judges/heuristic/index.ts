// The heuristic judge: deterministic, offline rules that explain what rules can explain. Rules run
// in a fixed priority order and the first that fires names the failure's leaf category; a failure
// no rule explains is labelled "Unexplained by rules", never guessed.
import type { Taxonomy } from "../../../src/lib/schemas.ts";
import type { FailureContext, RuleVerdict } from "../types.ts";
import { RULES, peerMedianLength, unexplainedSummary } from "./rules.ts";
import { heuristicTaxonomy, LEAF } from "./taxonomy.ts";

export { RULES, type Rule, type RuleHit } from "./rules.ts";
export { LEAF } from "./taxonomy.ts";

/** Version of the rule set: bump it whenever any rule's behaviour changes (it keys cached analyses). */
export const RULESET_VERSION = "rules-4";

export const HEURISTIC_TAXONOMY: Taxonomy = heuristicTaxonomy(RULESET_VERSION);

/** Rule id and title of a failure no rule explains. */
export const UNEXPLAINED_RULE = "unexplained";
export const UNEXPLAINED_TITLE = "Unexplained by rules";

/** Judges one failure: the first rule that fires, or "unexplained". */
export function judgeHeuristic(ctx: FailureContext): RuleVerdict {
  for (const rule of RULES) {
    const hit = rule.fn(ctx);
    if (hit) return { criteria: [], ...hit, rule: rule.id, category: rule.category };
  }
  return {
    criteria: [],
    title: UNEXPLAINED_TITLE,
    summary: unexplainedSummary(ctx),
    evidence: [],
    confidence: 0,
    rule: UNEXPLAINED_RULE,
    category: LEAF.unexplained,
  };
}

/**
 * What the rules read beyond the failed record itself (the other models' outputs on the item),
 * reduced to what can change a verdict. It is part of the cache key, so a new model re-judges an
 * old failure only when it changes this: on open-ended items, whether the output is far shorter
 * than the other models' outputs; for an empty output, whether the source published the model's
 * outputs on the dataset (FailureContext.sourceOutputs). (The rules do not read the item's consensus: a disputed item is
 * the pipeline's concern, settled by a person's review; README "Reviews".)
 */
export function ruleContext(ctx: FailureContext): { shorterThanPeers: boolean | null; sourceOutputs: string | null } {
  return {
    // Only an empty output is judged by whether the source published the model's outputs.
    sourceOutputs: ctx.record.output.trim() === "" ? (ctx.sourceOutputs ?? "unknown") : null,
    shorterThanPeers:
      ctx.dataset.task_type === "open_ended" ? ctx.record.output.trim().length < 0.4 * peerMedianLength(ctx) : null,
  };
}
