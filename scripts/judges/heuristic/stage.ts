// The heuristic judge in a run (the Judge interface, ../judge.ts): rules over the record and its
// item's context, cached like any judge's answers. Its taxonomy is fixed (taxonomy.ts) and every
// rule names its leaf, so analysing a failure also classifies it.
import { recordKey } from "../../../src/lib/schemas.ts";
import { cacheHash } from "../cache.ts";
import { recordContentHash, type JudgeFactory, type JudgeOutcomes } from "../judge.ts";
import { ZERO_USAGE } from "../openai/pricing.ts";
import { startProgress } from "../../lib/progress.ts";
import { HEURISTIC_TAXONOMY, RULESET_VERSION, judgeHeuristic, ruleContext } from "./index.ts";

export const heuristicJudge: JudgeFactory = (_settings, run) => {
  const cacheHashes: string[] = [];
  return {
    async analyse(contexts) {
      const outcomes: JudgeOutcomes = new Map();
      const bar = startProgress("analyse", contexts.length, "failures");
      for (const ctx of contexts) {
        const r = ctx.record;
        const content = recordContentHash(r);
        // The request is what the rules read: the record itself, and the item's context reduced to
        // what can change a verdict (see ruleContext), so a new model on the item changes the key only
        // if it changes that.
        const key = {
          judge: "heuristic",
          judgeModel: "rules",
          promptVersion: RULESET_VERSION,
          request: { key: recordKey(r), content, context: ruleContext(ctx), task: ctx.dataset.task_type },
        };
        const hash = cacheHash(key);
        cacheHashes.push(hash);
        let v = run.cache.get<ReturnType<typeof judgeHeuristic>>(key, hash);
        const fresh = v === undefined;
        if (!v) {
          v = judgeHeuristic(ctx);
          run.cache.put(key, v, hash);
        }
        outcomes.set(recordKey(r), {
          // Keys in sorted order: the analysis is then written as it is, not copied to sort them.
          analysis: {
            category: v.category,
            confidence: v.confidence,
            dataset: r.dataset,
            evidence: v.evidence,
            instance_id: r.instance_id,
            judge: "heuristic",
            judge_model: "rules",
            key: recordKey(r),
            model: r.model,
            prompt_version: RULESET_VERSION,
            record_sha256: content,
            rule: v.rule,
            status: "ok",
            summary: v.summary,
            title: v.title,
          },
          usage: ZERO_USAGE,
          fresh,
        });
        bar.tick();
      }
      bar.stop();
      return outcomes;
    },
    async taxonomy() {
      return HEURISTIC_TAXONOMY;
    },
    async classify(outcomes) {
      return outcomes; // each verdict carries its rule's leaf
    },
    report() {
      return {
        judgeModel: "rules",
        endpoint: null,
        promptVersions: { rules: RULESET_VERSION },
        newUsage: ZERO_USAGE,
        taxonomyCalls: 0,
        classifyCalls: 0,
        reused: 0,
        cacheHashes,
      };
    },
  };
};
