// The analyse, taxonomy and classify stages with the openai judge.
//
// Only new work costs a call: a failure whose record content is unchanged since an earlier release
// analysed it with the same judge model and prompt version reuses that analysis (its informative
// peers may have changed since, as new models landed, but the failure itself has not). Everything
// else goes through the judge, whose every answer is cached by the exact request.
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import type { Analysis, Release, Taxonomy, Usage } from "../../src/lib/schemas.ts";
import { recordKey } from "../../src/lib/schemas.ts";
import type { JudgeCache } from "../judges/cache.ts";
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from "../judges/openai/defaults.ts";
import { createOpenAIJudge, PROMPT_VERSIONS } from "../judges/openai/index.ts";
import { ZERO_USAGE } from "../judges/openai/pricing.ts";
import type { FailureContext } from "../judges/types.ts";
import { startProgress, startTicker } from "../lib/progress.ts";
import { loadReleaseAnalyses, readTaxonomy } from "./releases.ts";
import type { RunOptions } from "./run.ts";
import { recordContentHash } from "./run.ts";

export const DEFAULT_JUDGE_MODEL = "gpt-4o-mini";

/**
 * The induced taxonomy always ends with the reserved category of reviewed reference errors
 * (src/lib/reserved.ts), at the top level; only a person's review moves failures into it (the
 * finalise stage). Releases made before it had a "suspect reference" category in its place: both
 * are the pipeline's, never shown to the judge as categories to keep.
 */
const RESERVED_IDS = new Set([REFERENCE_ERROR.id, "suspect-reference-by-consensus"]);

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

/**
 * The failures whose analysis the previous release gives (their record unchanged since), and the
 * ones the judge must answer (from its cache or by a call), in the order given. Also used by
 * `errormap run --estimate` (estimate.ts), so it counts the same work the run does.
 */
export function splitReusable(root: string, previous: Release | null, model: string, contexts: FailureContext[]): { reused: Analysis[]; toJudge: FailureContext[] } {
  const earlier = reusable(root, previous, model);
  const reused: Analysis[] = [];
  const toJudge: FailureContext[] = [];
  for (const ctx of contexts) {
    const prev = earlier.get(recordKey(ctx.record));
    if (prev && prev.record_sha256 === recordContentHash(ctx.record)) reused.push(prev);
    else toJudge.push(ctx);
  }
  return { reused, toJudge };
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
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
    maxCalls: input.maxCalls,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    responseFormat: input.responseFormat,
    batch: input.batch,
    onProgress: (p) => bar.set(p.done, p.errors),
    ...(input.judgeOptions ?? {}),
  });

  // Analyse: reuse what earlier releases judged on unchanged records, ask the judge the rest.
  const { reused, toJudge } = splitReusable(input.root, input.previous, model, input.contexts);
  const outcomes = new Map<string, StageOutcome>();
  for (const prev of reused) {
    const { category: _c, ...rest } = prev;
    outcomes.set(prev.key, { analysis: rest, usage: ZERO_USAGE, fresh: false });
  }
  // A wrong endpoint stops here (fail fast: EndpointError names it and what came back).
  const verdicts = await judge.analyseAll(toJudge).finally(() => bar.stop());
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

  // A run in which the judge analysed nothing writes no release: every answer was an error.
  const answered = [...outcomes.values()].filter((o) => o.analysis.status === "ok").length;
  if (toJudge.length > 0 && answered === 0) {
    const first = [...verdicts.values()].find((v) => v.error)?.error ?? "no valid answer";
    throw new Error(`nothing was analysed: all ${toJudge.length} judge calls ended in errors (the first: ${first}); no release written`);
  }
  {
    const s = judge.stats();
    const log = input.log ?? (() => {});
    if (s.extracted) log(`${s.extracted} judge answers were not bare JSON (a code fence, text or reasoning around them): the JSON was taken out`);
    if (s.normalised) {
      const example = [...verdicts.values()].find((v) => v.notes?.length)?.notes?.[0];
      log(`${s.normalised} judge answers had a non-essential field normalised${example ? ` (for example: ${example})` : ""}`);
    }
    if (s.length_retries) log(`${s.length_retries} judge answers were cut short (finish_reason length) and asked again with more room`);
  }

  // Taxonomy: from the previous release's when it was induced by the same kind of judge.
  const items = [...outcomes.values()]
    .filter((o) => o.analysis.status === "ok")
    .map((o) => ({ key: o.analysis.key, title: o.analysis.title, summary: o.analysis.summary }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const prevRead: Taxonomy | undefined = input.previous?.judge === "openai" ? readTaxonomy(input.root, input.previous.id) : undefined;
  // The reserved category is the pipeline's, not the judge's: the judge never sees it.
  const previousTaxonomy = prevRead && { ...prevRead, categories: prevRead.categories.filter((c) => !RESERVED_IDS.has(c.id)) };
  const ticker = startTicker("taxonomy", () => {
    const st = judge.stats();
    return `${st.taxonomy_calls} taxonomy calls, ${st.classify_calls} classify calls`;
  });
  const induced = await judge.induceTaxonomy(items, previousTaxonomy, input.releaseId).finally(() => ticker.stop());
  const taxonomy: Taxonomy = { ...induced, categories: [...induced.categories, REFERENCE_ERROR] };

  // Classify every title into one leaf.
  bar = startProgress("classify", items.length, "titles");
  // Against the induced categories only: the reserved one is never the judge's choice.
  const classes = await judge.classifyAll(items, induced);
  bar.stop();
  for (const it of items) {
    const o = outcomes.get(it.key)!;
    o.analysis.category = classes.get(it.key);
  }

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
