// The openai judge in a run (the Judge interface, ../judge.ts): the analyse, taxonomy and classify
// stages.
//
// Only new work costs a call: a failure whose record content is unchanged since an earlier release
// analysed it with the same judge model and prompt version reuses that analysis (its informative
// peers may have changed since, as new models landed, but the failure itself has not). Everything
// else goes through the judge, whose every answer is cached by the exact request.
import { REFERENCE_ERROR, RESERVED_CATEGORY_IDS } from "../../../src/lib/reserved.ts";
import type { Analysis, Release, Taxonomy } from "../../../src/lib/schemas.ts";
import { recordKey } from "../../../src/lib/schemas.ts";
import { recordContentHash, type JudgeFactory, type JudgeOutcomes } from "../judge.ts";
import type { FailureContext } from "../types.ts";
import { startProgress, startTicker, type Progress } from "../../lib/progress.ts";
import { loadReleaseAnalyses, readTaxonomy } from "../../pipeline/releases.ts";
import { DEFAULT_CONCURRENCY, DEFAULT_JUDGE_MODEL, DEFAULT_TIMEOUT_MS } from "./defaults.ts";
import { createOpenAIJudge, PROMPT_VERSIONS, type TitleItem } from "./index.ts";
import { ZERO_USAGE } from "./pricing.ts";

// The induced taxonomy always ends with the reserved category of reviewed reference errors
// (src/lib/reserved.ts), at the top level; only a person's review moves failures into it (the
// finalise stage). Releases made before it had a "suspect reference" category in its place: both
// are the pipeline's (RESERVED_CATEGORY_IDS), never shown to the judge as categories to keep.

/** Analyses of earlier releases in the chain that a new run may reuse, by record key. */
function reusable(root: string, previous: Release | null, model: string): Map<string, Analysis> {
  const out = new Map<string, Analysis>();
  if (previous?.judge !== "openai" || previous.judge_model !== model) return out;
  if (previous.prompt_versions.analyse !== PROMPT_VERSIONS.analyse) return out;
  for (const a of loadReleaseAnalyses(root, previous.id)) if (a.status === "ok" && a.record_sha256) out.set(a.key, a);
  return out;
}

/**
 * The failures whose analysis the previous release gives (their record unchanged since), and the
 * ones the judge must answer (from its cache or by a call), in the order given. Also used by
 * `errormap run --estimate` (estimate.ts), so it counts the same work the run does.
 */
export function splitReusable(
  root: string,
  previous: Release | null,
  model: string,
  contexts: FailureContext[],
): { reused: Analysis[]; toJudge: FailureContext[] } {
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

export const openaiJudge: JudgeFactory = (settings, run) => {
  const model = settings.judgeModel || DEFAULT_JUDGE_MODEL;
  const baseURL = settings.baseURL || "https://api.openai.com/v1";
  const apiKey = settings.apiKey || (settings.baseURL ? "none" : "");
  if (!apiKey)
    throw new Error("the openai judge needs OPENAI_API_KEY (or --base-url for a local endpoint that takes no key)");

  let bar: Progress | undefined;
  const judge = createOpenAIJudge({
    baseURL,
    apiKey,
    model,
    cache: run.cache,
    concurrency: settings.concurrency ?? DEFAULT_CONCURRENCY,
    maxCalls: settings.maxCalls,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    responseFormat: settings.responseFormat,
    batch: settings.batch,
    onProgress: (p) => bar?.set(p.done, p.errors),
    ...(settings.judgeOptions ?? {}),
  });
  let reusedCount = 0;
  // What the taxonomy stage induced from (the analysed titles) and induced (without the reserved
  // category): the classify stage works on exactly these.
  let items: TitleItem[] = [];
  let induced: Taxonomy | undefined;

  return {
    async analyse(contexts) {
      bar = startProgress("analyse", contexts.length, "failures");
      // Reuse what earlier releases judged on unchanged records, ask the judge the rest.
      const { reused, toJudge } = splitReusable(run.root, run.previous, model, contexts);
      reusedCount = contexts.length - toJudge.length;
      const outcomes: JudgeOutcomes = new Map();
      for (const prev of reused) {
        const { category: _c, ...rest } = prev;
        outcomes.set(prev.key, { analysis: rest, usage: ZERO_USAGE, fresh: false });
      }
      // A wrong endpoint stops here (fail fast: EndpointError names it and what came back).
      const verdicts = await judge.analyseAll(toJudge).finally(() => bar!.stop());
      const left = judge.unanalysed().length;
      if (left) {
        // No release from half the evidence: what was answered is cached, the next run asks the rest.
        const s = judge.stats();
        throw new Error(
          `call budget (--max-calls ${settings.maxCalls}) exhausted: ${s.analysis_calls} failures analysed by new calls, ${s.cached} cached, ${left} left; answers are cached, run again to continue`,
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
            analysis: {
              ...base,
              status: "judge_error",
              title: "Judge error",
              summary: v.error ?? "no valid answer",
              evidence: [],
              confidence: 0,
              error: v.error,
            },
            usage: ZERO_USAGE,
            fresh: true,
          });
        }
      }

      // A run in which the judge analysed nothing writes no release: every answer was an error.
      const answered = [...outcomes.values()].filter((o) => o.analysis.status === "ok").length;
      if (toJudge.length > 0 && answered === 0) {
        const first = [...verdicts.values()].find((v) => v.error)?.error ?? "no valid answer";
        throw new Error(
          `nothing was analysed: all ${toJudge.length} judge calls ended in errors (the first: ${first}); no release written`,
        );
      }
      const s = judge.stats();
      if (s.extracted)
        run.log(
          `${s.extracted} judge answers were not bare JSON (a code fence, text or reasoning around them): the JSON was taken out`,
        );
      if (s.normalised) {
        const example = [...verdicts.values()].find((v) => v.notes?.length)?.notes?.[0];
        run.log(
          `${s.normalised} judge answers had a non-essential field normalised${example ? ` (for example: ${example})` : ""}`,
        );
      }
      if (s.length_retries)
        run.log(
          `${s.length_retries} judge answers were cut short (finish_reason length) and asked again with more room`,
        );
      return outcomes;
    },

    async taxonomy(outcomes) {
      // From the previous release's when it was induced by the same kind of judge.
      items = [...outcomes.values()]
        .filter((o) => o.analysis.status === "ok")
        .map((o) => ({ key: o.analysis.key, title: o.analysis.title, summary: o.analysis.summary }))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const prevRead: Taxonomy | undefined =
        run.previous?.judge === "openai" ? readTaxonomy(run.root, run.previous.id) : undefined;
      // The reserved category is the pipeline's, not the judge's: the judge never sees it.
      const previousTaxonomy = prevRead && {
        ...prevRead,
        categories: prevRead.categories.filter((c) => !RESERVED_CATEGORY_IDS.has(c.id)),
      };
      const ticker = startTicker("taxonomy", () => {
        const st = judge.stats();
        return `${st.taxonomy_calls} taxonomy calls, ${st.classify_calls} classify calls`;
      });
      induced = await judge.induceTaxonomy(items, previousTaxonomy, run.releaseId).finally(() => ticker.stop());
      return { ...induced, categories: [...induced.categories, REFERENCE_ERROR] };
    },

    async classify(outcomes) {
      if (!induced) throw new Error("the openai judge classifies after its taxonomy stage");
      // Every title into one leaf: of the induced categories only, the reserved one is never the judge's choice.
      bar = startProgress("classify", items.length, "titles");
      const classes = await judge.classifyAll(items, induced);
      bar.stop();
      for (const it of items) {
        const o = outcomes.get(it.key)!;
        o.analysis.category = classes.get(it.key);
      }
      return outcomes;
    },

    report() {
      const stats = judge.stats();
      return {
        judgeModel: model,
        // As given, else $OPENAI_BASE_URL, else OpenAI's (the CLI passes --base-url or $OPENAI_BASE_URL).
        endpoint: settings.baseURL ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
        promptVersions: { ...PROMPT_VERSIONS },
        newUsage: stats.usage,
        taxonomyCalls: stats.taxonomy_calls,
        classifyCalls: stats.classify_calls,
        reused: reusedCount,
        cacheHashes: judge.usedHashes(),
      };
    },
  };
};
