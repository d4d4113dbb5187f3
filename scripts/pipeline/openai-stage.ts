// The analyse, taxonomy and classify stages with the openai judge.
//
// Only new work costs a call: a failure whose record content is unchanged since an earlier release
// analysed it with the same judge model and prompt version reuses that analysis (its informative
// peers may have changed since, as new models landed, but the failure itself has not). Everything
// else goes through the judge, whose every answer is cached by the exact request.
import { itemConsensus, normaliseAnswer } from "../../src/lib/consensus.ts";
import type { Analysis, Category, Release, Taxonomy, Usage } from "../../src/lib/schemas.ts";
import { recordKey } from "../../src/lib/schemas.ts";
import type { JudgeCache } from "../judges/cache.ts";
import { createOpenAIJudge, PROMPT_VERSIONS } from "../judges/openai/index.ts";
import { ZERO_USAGE } from "../judges/openai/pricing.ts";
import type { FailureContext } from "../judges/types.ts";
import { startProgress, startTicker } from "../lib/progress.ts";
import { loadReleaseAnalyses, readTaxonomy } from "./releases.ts";
import type { RunOptions } from "./run.ts";
import { recordContentHash } from "./run.ts";

export const DEFAULT_JUDGE_MODEL = "gpt-4o-mini";

/**
 * DESIGN: failures on an item whose reference is suspect (most models, strong ones included, agree
 * on another answer) count as data noise, not as model errors, whatever the judge said. The openai
 * taxonomy therefore always has this reserved noise category, next to "Hard to analyse" and "Other".
 */
export const SUSPECT: Category = {
  id: "suspect-reference-by-consensus",
  slug: "suspect-reference-by-consensus",
  name: "Suspect reference",
  description: "Gave the answer most models, strong ones included, agree on, against a reference that is therefore likely wrong.",
  parent: null,
  facet: "noise",
  old_slugs: [],
  lineage: [],
};

export interface OpenAIStageInput extends Omit<RunOptions, "previous"> {
  contexts: FailureContext[];
  cache: JudgeCache;
  previous: Release | null;
  releaseId: string;
}

interface StageOutcome {
  analysis: Omit<Analysis, "category"> & { category?: string };
  usage: Usage;
  fresh: boolean;
}

/** Analyses of earlier releases in the chain that a new run may reuse, by record key. */
function reusable(root: string, previous: Release | null, model: string): Map<string, Analysis> {
  const out = new Map<string, Analysis>();
  if (!previous || previous.judge !== "openai" || previous.judge_model !== model) return out;
  if (previous.prompt_versions.analyse !== PROMPT_VERSIONS.analyse) return out;
  for (const a of loadReleaseAnalyses(root, previous.id)) if (a.status === "ok" && a.record_sha256) out.set(a.key, a);
  return out;
}

export async function runOpenAI(input: OpenAIStageInput) {
  const model = input.judgeModel || DEFAULT_JUDGE_MODEL;
  const baseURL = input.baseURL || "https://api.openai.com/v1";
  const apiKey = input.apiKey || (input.baseURL ? "none" : "");
  if (!apiKey) throw new Error("the openai judge needs OPENAI_API_KEY (or --base-url for a local endpoint that takes no key)");

  let bar = startProgress("analyse", input.contexts.length, "failures");
  const judge = createOpenAIJudge({
    baseURL,
    apiKey,
    model,
    cache: input.cache,
    concurrency: input.concurrency ?? 16,
    maxCalls: input.maxCalls,
    timeoutMs: input.timeoutMs ?? 60_000,
    batch: input.batch,
    onProgress: (p) => bar.set(p.done, p.errors),
    ...(input.judgeOptions ?? {}),
  });

  // Analyse: reuse what earlier releases judged on unchanged records, ask the judge the rest.
  const earlier = reusable(input.root, input.previous, model);
  const outcomes = new Map<string, StageOutcome>();
  const toJudge: FailureContext[] = [];
  for (const ctx of input.contexts) {
    const key = recordKey(ctx.record);
    const prev = earlier.get(key);
    if (prev && prev.record_sha256 === recordContentHash(ctx.record)) {
      const { category: _c, ...rest } = prev;
      outcomes.set(key, { analysis: rest, usage: ZERO_USAGE, fresh: false });
    } else toJudge.push(ctx);
  }
  const verdicts = await judge.analyseAll(toJudge);
  bar.stop();
  const left = judge.unanalysed().length;
  if (left) {
    // No release from half the evidence: what was answered is cached, the next run asks the rest.
    const s = judge.stats();
    throw new Error(
      `call budget (--max-calls ${input.maxCalls}) exhausted: ${s.analysis_calls} failures analysed by new calls, ${s.cached} cached, ${left} left; answers are cached, run again to continue`,
    );
  }
  for (const ctx of toJudge) {
    const r = ctx.record;
    const key = recordKey(r);
    const v = verdicts.get(key);
    if (!v) continue; // left unanalysed by the call budget: the next run asks for it
    const base = {
      key,
      dataset: r.dataset,
      model: r.model,
      instance_id: r.instance_id,
      judge: "openai" as const,
      judge_model: model,
      prompt_version: PROMPT_VERSIONS.analyse,
      rule: null,
      record_sha256: recordContentHash(r),
    };
    if (v.verdict) {
      outcomes.set(key, {
        analysis: {
          ...base,
          status: "ok",
          title: v.verdict.title,
          summary: v.verdict.summary,
          evidence: v.verdict.evidence,
          confidence: v.verdict.confidence,
          criteria: v.verdict.criteria,
        },
        usage: v.answerUsage,
        fresh: !v.cached,
      });
    } else {
      outcomes.set(key, {
        analysis: { ...base, status: "judge_error", title: "Judge error", summary: v.error ?? "no valid answer", evidence: [], confidence: 0, error: v.error },
        usage: ZERO_USAGE,
        fresh: true,
      });
    }
  }

  // Taxonomy: from the previous release's when it was induced by the same kind of judge.
  const items = [...outcomes.values()]
    .filter((o) => o.analysis.status === "ok")
    .map((o) => ({ key: o.analysis.key, title: o.analysis.title, summary: o.analysis.summary }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const prevRead: Taxonomy | undefined = input.previous?.judge === "openai" ? readTaxonomy(input.root, input.previous.id) : undefined;
  // The reserved category is the pipeline's, not the judge's: the judge never sees it.
  const previousTaxonomy = prevRead && { ...prevRead, categories: prevRead.categories.filter((c) => c.id !== SUSPECT.id) };
  const ticker = startTicker("taxonomy", () => {
    const st = judge.stats();
    return `${st.taxonomy_calls} taxonomy calls, ${st.classify_calls} classify calls`;
  });
  const induced = await judge.induceTaxonomy(items, previousTaxonomy, input.releaseId).finally(() => ticker.stop());
  const taxonomy: Taxonomy = { ...induced, categories: [...induced.categories, SUSPECT] };

  // Classify every title into one leaf.
  bar = startProgress("classify", items.length, "titles");
  const classes = await judge.classifyAll(items, taxonomy);
  bar.stop();
  for (const it of items) {
    const o = outcomes.get(it.key)!;
    o.analysis.category = classes.get(it.key);
  }
  moveSuspectToNoise(input.contexts, outcomes);

  const stats = judge.stats();
  const fresh = [...outcomes.values()].filter((o) => o.fresh).length;
  return {
    outcomes,
    taxonomy,
    judgeModel: model,
    promptVersions: { ...PROMPT_VERSIONS },
    newUsage: stats.usage,
    taxonomyCalls: stats.taxonomy_calls,
    classifyCalls: stats.classify_calls,
    reused: input.contexts.length - toJudge.length,
    fresh,
    cacheHashes: judge.usedHashes(),
  };
}

/** Puts failures that give their item's consensus answer against a suspect reference into SUSPECT. */
function moveSuspectToNoise(contexts: FailureContext[], outcomes: Map<string, StageOutcome>): number {
  const memo = new Map<string, string | null>();
  let moved = 0;
  for (const ctx of contexts) {
    const o = outcomes.get(recordKey(ctx.record));
    if (!o || o.analysis.status !== "ok") continue;
    const item = `${ctx.record.dataset}|${ctx.record.instance_id}`;
    if (!memo.has(item)) memo.set(item, itemConsensus(ctx.itemRecords, ctx.modelAccuracy, { taskType: ctx.dataset.task_type })?.canonical ?? null);
    const consensus = memo.get(item);
    if (consensus !== null && consensus !== undefined && normaliseAnswer(ctx.record) === consensus) {
      o.analysis.category = SUSPECT.id;
      moved++;
    }
  }
  return moved;
}
