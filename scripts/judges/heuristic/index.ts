// The heuristic judge: deterministic, offline rules that explain what rules can explain. Rules run
// in a fixed priority order and the first that fires names the failure's leaf category; a failure
// no rule explains is labelled "Unexplained by rules", never guessed.
import type { Taxonomy } from "../../../src/lib/schemas.ts";
import type { FailureContext, RuleVerdict } from "../types.ts";
import { RULES, consensusOf, peerMedianLength } from "./rules.ts";
import { heuristicTaxonomy, LEAF } from "./taxonomy.ts";

export { RULES, type Rule, type RuleHit } from "./rules.ts";
export { LEAF } from "./taxonomy.ts";

/** Version of the rule set: bump it whenever any rule's behaviour changes (it keys cached analyses). */
export const RULESET_VERSION = "rules-3";

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
    summary: "The output gives a well-formed answer that differs from the reference, and no offline rule explains why.",
    evidence: [],
    confidence: 0,
    rule: UNEXPLAINED_RULE,
    category: LEAF.unexplained,
  };
}

/**
 * What the rules read beyond the failed record itself (the other models' answers on the item),
 * reduced to what can change a verdict. It is part of the cache key, so a new model re-judges an
 * old failure only when it changes this: the item's consensus answer against the reference, or, on
 * open-ended items, whether the output is far shorter than the other models' outputs. (Verdicts
 * therefore hold nothing else that depends on other models, such as how many agree.)
 */
export function ruleContext(ctx: FailureContext): { consensus: string | null; shorterThanPeers: boolean | null } {
  const c = consensusOf(ctx);
  return {
    consensus: c ? c.canonical : null,
    shorterThanPeers: ctx.dataset.task_type === "open_ended" ? ctx.record.output.trim().length < 0.4 * peerMedianLength(ctx) : null,
  };
}
