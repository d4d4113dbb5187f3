// The openai judge: item analyses, taxonomy induction and classification against any
// OpenAI-compatible endpoint, every answer cached (see caller.ts for retries and the budget,
// taxonomy.ts for the induction, batch.ts for the Batch API mode).
//
// Budget: `maxCalls` bounds the HTTP requests of a run (retries and batch lines included). Items
// it leaves unanswered are NOT judge errors: they are absent from analyseAll's map and listed by
// `unanalysed()` (counted in stats), so the next run (with budget) analyses them. Judge errors are
// answers that stayed invalid or faulty after every retry: LlmVerdict with verdict null and error.
//
// Usage: LlmVerdict.usage is this run's call (0s when cached). OpenAIVerdict.answerUsage is the
// usage stored with the answer in the cache, so a release can total every answer it is built from
// (`answerUsage()`), the same on every re-run.
import type { Taxonomy, Usage } from "../../../src/lib/schemas.ts";
import { JudgeVerdictSchema, recordKey } from "../../../src/lib/schemas.ts";
import { type JudgeCache, cacheHash } from "../cache.ts";
import type { FailureContext, LlmVerdict } from "../types.ts";
import { runBatches, type BatchReport } from "./batch.ts";
import { normaliseVerdict } from "./answers.ts";
import { type CallerOptions, EndpointError, StructuredCaller } from "./caller.ts";
import { ZERO_USAGE, addUsage } from "./pricing.ts";
import {
  ANALYSE_PROMPT_VERSION,
  CLASSIFY_PROMPT_VERSION,
  TAXONOMY_PROMPT_VERSION,
  analyseMessages,
} from "./prompts.ts";
import { TaxonomyEngine, type TaxonomyCounters, type TaxonomyOptions, type TitleItem } from "./taxonomy.ts";

export { ANALYSE_PROMPT_VERSION, CLASSIFY_PROMPT_VERSION, TAXONOMY_PROMPT_VERSION };
export { EndpointError };
export { HARD, OTHER, maxPerNode } from "./taxonomy.ts";
export type { TitleItem, TaxonomyOptions };

export const PROMPT_VERSIONS = {
  analyse: ANALYSE_PROMPT_VERSION,
  taxonomy: TAXONOMY_PROMPT_VERSION,
  classify: CLASSIFY_PROMPT_VERSION,
} as const;

export interface OpenAIJudgeOptions extends CallerOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  cache: JudgeCache;
  /** Item analyses through the Batch API (default false). */
  batch?: boolean;
  /** Time between polls of a batch (default 30 s). */
  pollIntervalMs?: number;
  onProgress?: (p: { done: number; total: number; errors: number }) => void;
  taxonomy?: TaxonomyOptions;
}

/** An LlmVerdict with the usage stored with its answer and the answer's cache hash. */
export interface OpenAIVerdict extends LlmVerdict {
  answerUsage: Usage;
  hash: string;
  /** What was normalised in the answer (a confidence of 57 read as 0.57, ...); absent when nothing. */
  notes?: string[];
}

export interface OpenAIJudgeStats extends TaxonomyCounters {
  /** Item analyses that needed a new judge call in this run (batch lines included). */
  analysis_calls: number;
  /** Item analyses answered from the cache. */
  cached: number;
  judge_errors: number;
  /** Items left unanalysed because the call budget ran out. */
  unanalysed: number;
  /** HTTP requests made for judge answers (every attempt, batch lines included). */
  http_requests: number;
  /** New answers whose JSON was taken out of a fence, prose or a reasoning preamble. */
  extracted: number;
  /** New answers with a non-essential field normalised (noted in the verdict). */
  normalised: number;
  /** Answers cut short (finish_reason length) and asked again with more room. */
  length_retries: number;
  /** New calls of this run only. */
  usage: Usage;
}

export interface OpenAIJudge {
  readonly model: string;
  readonly promptVersions: typeof PROMPT_VERSIONS;
  analyseAll(ctxs: FailureContext[]): Promise<Map<string, OpenAIVerdict>>;
  induceTaxonomy(items: TitleItem[], previous?: Taxonomy, releaseId?: string): Promise<Taxonomy>;
  classifyAll(items: TitleItem[], taxonomy: Taxonomy): Promise<Map<string, string>>;
  stats(): OpenAIJudgeStats;
  /** Usage stored with the analysis answer of a record (by record key), once analysed. */
  usageOf(key: string): Usage | undefined;
  /** Total usage of every distinct answer this judge used (cached or new): the release's usage. */
  answerUsage(): Usage;
  /** Cache hashes of every distinct answer this judge used (analyses, taxonomy, classification), sorted. */
  usedHashes(): string[];
  /** Record keys left unanalysed by the budget, sorted. */
  unanalysed(): string[];
  /** What the last batch run did (batch mode only). */
  lastBatch(): BatchReport | undefined;
}

export function createOpenAIJudge(opts: OpenAIJudgeOptions): OpenAIJudge {
  const caller = new StructuredCaller(opts);
  const counters: TaxonomyCounters = {
    taxonomy_calls: 0,
    classify_calls: 0,
    taxonomy_repairs: 0,
    classify_errors: 0,
    classify_other: 0,
  };
  const runStats = { analysis_calls: 0, cached: 0, judge_errors: 0 };
  const answers = new Map<string, Usage>(); // hash → usage stored with the answer
  const byRecord = new Map<string, Usage>();
  const left = new Set<string>();
  let lastBatch: BatchReport | undefined;
  const used = (hash: string, usage: Usage) => answers.set(hash, usage);
  const engine = new TaxonomyEngine(caller, counters, used, opts.taxonomy);

  async function analyseAll(ctxs: FailureContext[]): Promise<Map<string, OpenAIVerdict>> {
    const jobs = ctxs.map((ctx) => {
      const body = caller.request(analyseMessages(ctx), JudgeVerdictSchema, "error_analysis");
      const key = caller.key(body, ANALYSE_PROMPT_VERSION);
      return { ctx, rk: recordKey(ctx.record), body, key };
    });
    const fresh = new Set<string>(); // hashes answered by this run's batch
    if (opts.batch) {
      lastBatch = await runBatches(
        caller,
        JudgeVerdictSchema,
        jobs.map((j) => ({ hash: cacheHash(j.key), key: j.key, body: j.body })),
        { pollIntervalMs: opts.pollIntervalMs ?? 30_000, signal: opts.signal, normalise: normaliseVerdict },
      );
      for (const h of lastBatch.ingested) fresh.add(h);
    }
    const out = new Map<string, OpenAIVerdict>();
    let done = 0;
    let errors = 0;
    // Sent item by item (dataset, item, model): the failures of one item share the head of their
    // requests (prompts.ts analyseMessages), which a provider's prompt cache then still holds when
    // the next one goes out. The answers come back in the order of the contexts given.
    const itemOf = (j: (typeof jobs)[number]) =>
      `${j.ctx.record.dataset}\u0000${j.ctx.record.instance_id}\u0000${j.ctx.record.model}`;
    const dispatch = jobs
      .map((j) => ({ j, k: itemOf(j) }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
      .map((x) => x.j);
    const settled = await Promise.allSettled(
      dispatch.map(async (j) => {
        const r = await caller.call(JudgeVerdictSchema, j.body, ANALYSE_PROMPT_VERSION, normaliseVerdict);
        done++;
        if (!r.ok && r.budget) {
          left.add(j.rk);
        } else if (!r.ok) {
          errors++;
          runStats.judge_errors++;
          runStats.analysis_calls++;
          out.set(j.rk, {
            verdict: null,
            error: r.error,
            cached: false,
            usage: r.callUsage,
            answerUsage: { ...ZERO_USAGE },
            hash: r.hash,
          });
        } else {
          const viaBatch = r.cached && fresh.has(r.hash);
          if (r.cached && !viaBatch) runStats.cached++;
          else runStats.analysis_calls++;
          used(r.hash, r.answerUsage);
          byRecord.set(j.rk, r.answerUsage);
          out.set(j.rk, {
            verdict: r.value,
            cached: r.cached && !viaBatch,
            usage: viaBatch ? r.answerUsage : r.callUsage,
            answerUsage: r.answerUsage,
            hash: r.hash,
            ...(r.notes.length ? { notes: r.notes } : {}),
          });
        }
        opts.onProgress?.({ done, total: jobs.length, errors });
      }),
    );
    // Fail fast first: the in-flight calls it aborted reject with it too, or with their abort.
    if (caller.fatal) throw caller.fatal;
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    // Stable order: the order of the contexts given.
    return new Map(jobs.filter((j) => out.has(j.rk)).map((j) => [j.rk, out.get(j.rk)!]));
  }

  return {
    model: opts.model,
    promptVersions: PROMPT_VERSIONS,
    analyseAll,
    induceTaxonomy: (items, previous, releaseId) =>
      engine.induce(items, previous, releaseId ?? `openai-${opts.model}-${TAXONOMY_PROMPT_VERSION}`),
    classifyAll: (items, taxonomy) => engine.classify(items, taxonomy),
    stats: () => ({
      ...runStats,
      ...counters,
      unanalysed: left.size,
      http_requests: caller.attempts,
      extracted: caller.extracted,
      normalised: caller.normalised,
      length_retries: caller.lengthRetries,
      usage: { ...caller.usage },
    }),
    usageOf: (key) => byRecord.get(key),
    answerUsage: () => [...answers.values()].reduce(addUsage, { ...ZERO_USAGE }),
    usedHashes: () => [...answers.keys()].sort(),
    unanalysed: () => [...left].sort(),
    lastBatch: () => lastBatch,
  };
}
