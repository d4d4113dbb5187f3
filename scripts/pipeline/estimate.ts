// `errormap run ... --estimate`: what the run would cost, before it runs. It makes no request and
// writes nothing; it selects the same failures as the run (select.ts), takes out the same work
// (analyses reused from the previous release, answers already in the judge's cache: they cost
// nothing) and counts the rest:
//
// - analysis calls: the exact requests the run would send (one per distinct request: the judge
//   sends identical requests once), their prompt tokens counted with the judge model's tokenizer
//   (tokens.ts); completion tokens per answer are the mean of this judge model's answers already
//   in the cache for these failures when there are at least MEASURED_MIN of them, else the tokens
//   of TYPICAL_ANALYSIS, a typical answer of the analysis schema (4 criteria, an 8-word title, a
//   two-sentence summary, 2 quoted spans: what gpt-4o-class judges write for this prompt).
// - taxonomy and classification calls: when every analysis is known (reused or cached), the
//   taxonomy engine is replayed against the cache, and costs nothing if every request it makes is
//   there. Otherwise the engine's requests are rebuilt with the real prompt builders on stand-ins:
//   each new analysis is assumed to bring a distinct title (of TYPICAL_ANALYSIS's size; known titles
//   as they are; when the judge's titles are known for at least MEASURED_MIN of the failures, new
//   titles repeat as often as those do), each level gets as many categories as its limit allows (maxPerNode; continuing a
//   previous taxonomy, as many as it had, within the limit), titles are split evenly among them,
//   categories larger than the split threshold get sub-categories (maxDepth 2), and every request
//   is taken to be new. The classification the run repeats after induction is answered from the
//   cache, as in the run. So this part is an upper bound for a judge whose titles repeat, or when a
//   continued taxonomy asks some requests a run already asked.
//
// The price is the judge model's (pricing.ts): analysis calls at the Batch API's half price with
// --batch (taxonomy and classification are always synchronous); prompt tokens priced as uncached.
// `cost_usd_prompt_cached` is the same with the analysis prompts' shared prefixes (prefix-share.ts)
// priced at the cached-input rate: what a provider's prompt cache could save at best.
import { hasReleaseJson } from "../../src/lib/data/release.ts";
import { layout } from "../../src/lib/paths.ts";
import { loadRegistry } from "../lib/registry.ts";
import { RESERVED_CATEGORY_IDS } from "../../src/lib/reserved.ts";
import {
  JudgeVerdictSchema,
  recordKey,
  type Category,
  type DatasetEntry,
  type JudgeVerdict,
  type Taxonomy,
} from "../../src/lib/schemas.ts";
import { JudgeCache, cacheHash } from "../judges/cache.ts";
import { type CallResult, StructuredCaller } from "../judges/openai/caller.ts";
import { DEFAULT_CONCURRENCY, DEFAULT_JUDGE_MODEL } from "../judges/openai/defaults.ts";
import { type PrefixShare, analysisPrefixShare, sharedPrefixShare, promptText } from "../judges/openai/prefix-share.ts";
import type { FailureContext } from "../judges/types.ts";
import { type Price, costOf, priceOf } from "../judges/openai/pricing.ts";
import {
  ANALYSE_PROMPT_VERSION,
  analyseMessages,
  classifyMessages,
  taxonomyMessages,
} from "../judges/openai/prompts.ts";
import {
  DraftAnswerSchema,
  HARD,
  TaxonomyEngine,
  classificationSchema,
  distinctTitles,
  maxPerNode,
  type TaxonomyOptions,
  type TitleItem,
} from "../judges/openai/taxonomy.ts";
import { splitReusable } from "../judges/openai/stage.ts";
import { TokenCounter, type Encoding } from "../judges/openai/tokens.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { findPrevious, loadRelease, readTaxonomy } from "./releases.ts";
import type { RunOptions } from "./options.ts";
import { buildContexts, failurePredicate, selectFailures } from "./select.ts";

export interface EstimatePart {
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface RunEstimate {
  judge: "heuristic" | "openai";
  judge_model: string;
  batch: boolean;
  /** Failures the run would analyse (after sampling). */
  failures: number;
  /** Of those, analyses reused from the previous release (unchanged records): free. */
  reused: number;
  /** Of those, answers already in the judge's cache: free. */
  cached: number;
  analysis: EstimatePart;
  taxonomy: EstimatePart;
  classify: EstimatePart;
  total: EstimatePart;
  /** US$, prompt tokens priced as uncached; 0 for a model without a known price. */
  cost_usd: number;
  /** US$ with the analysis prompts' shared prefixes at the cached-input price (at best). */
  cost_usd_prompt_cached: number;
  /** The judge model's price (US$ per million tokens), null when unknown. */
  price: Price | null;
  tokenizer: Encoding | null;
  /** How the completion tokens of an analysis were estimated. */
  completion_basis: "measured" | "typical" | "none";
  /** How taxonomy and classification were estimated. */
  taxonomy_basis: "cached" | "modelled" | "none";
  /** Distinct titles the new analyses are expected to bring (modelled taxonomy). */
  new_titles: number;
  /** Share of the analysis prompts' characters in a prefix shared with another request. */
  prefix_share: number;
}

/** A typical answer of the analysis schema, for completion tokens when no answer was measured. */
export const TYPICAL_ANALYSIS: JudgeVerdict = {
  criteria: [
    {
      criterion: "Identifies every quantity the question gives and what it asks for",
      present: true,
      quality: "good",
      evidence: "The train leaves at 3 pm and travels 120 miles",
    },
    {
      criterion: "Sets up the relation between the quantities correctly",
      present: false,
      quality: "poor",
      evidence: "so the speed is 120 / 3 = 40 miles per hour",
    },
    {
      criterion: "Carries out each step of the computation without slips",
      present: false,
      quality: "partial",
      evidence: "40 * 2.5 = 90",
    },
    {
      criterion: "States one final answer in the format asked for",
      present: true,
      quality: "good",
      evidence: "The answer is 90.",
    },
  ],
  title: "Misread the elapsed time as the clock time",
  summary:
    "The output took the departure time of 3 pm as the duration of the trip, so the speed it derives and every later step are wrong. The final answer of 90 follows from that first misreading.",
  evidence: ["so the speed is 120 / 3 = 40 miles per hour", "The answer is 90."],
  confidence: 0.8,
};
/** Cached answers needed before their mean completion tokens replace the typical answer's. */
export const MEASURED_MIN = 10;

const STAND_IN_CATEGORY = {
  name: "Multi-step arithmetic slips",
  description:
    "Errors in carrying out a computation the output set up correctly: a wrong sum, product or rounding in one of the steps.",
  facet: "skill" as const,
};

const ZERO = (): EstimatePart => ({ calls: 0, prompt_tokens: 0, completion_tokens: 0 });
const add = (a: EstimatePart, b: EstimatePart): EstimatePart => ({
  calls: a.calls + b.calls,
  prompt_tokens: a.prompt_tokens + b.prompt_tokens,
  completion_tokens: a.completion_tokens + b.completion_tokens,
});

class CacheMiss extends Error {}

/** A caller that answers only from the cache: a miss stops the replay (nothing is ever sent). */
class CacheOnlyCaller extends StructuredCaller {
  override async call<T>(
    schema: import("zod").ZodType<T>,
    body: Parameters<StructuredCaller["call"]>[1],
    promptVersion: string,
  ): Promise<CallResult<T>> {
    const key = this.key(body, promptVersion);
    const hit = this.cached(schema, key);
    if (!hit) throw new CacheMiss();
    return {
      ok: true,
      value: hit.answer,
      cached: true,
      hash: cacheHash(key),
      answerUsage: hit.usage,
      callUsage: hit.usage,
      notes: [],
    };
  }
}

/** The failures a run of a snapshot would analyse, selected as the run does (run.ts), and their contexts. */
export function selectContexts(opts: Pick<RunOptions, "root" | "snapshot" | "sample" | "seed">): {
  selected: number;
  contexts: () => FailureContext[];
} {
  const sample = opts.sample ?? 1;
  if (!(sample > 0 && sample <= 1)) throw new Error(`--sample must be in (0, 1], got ${sample}`);
  const registry = loadRegistry(opts.root);
  const manifest = loadManifest(opts.root, opts.snapshot);
  const records = loadRecords(opts.root, manifest);
  const failed = failurePredicate(manifest);
  const datasets = new Map<string, DatasetEntry>(registry.datasets.map((d) => [d.id, d]));
  const selected = selectFailures(records, failed, sample, opts.seed ?? 0);
  return { selected: selected.length, contexts: () => buildContexts(selected, records, failed, datasets) };
}

/**
 * The share of the analysis prompts' characters that lie in a prefix shared with another request
 * (prefix-share.ts), over every failure of a snapshot: what `npm run bench` reports. No server.
 */
export function snapshotPrefixShare(root: string, snapshot: string): PrefixShare {
  return analysisPrefixShare(selectContexts({ root, snapshot }).contexts());
}

export async function estimateRun(opts: RunOptions): Promise<RunEstimate> {
  const L = layout(opts.root);
  const judge = opts.judge ?? "heuristic";
  const selection = selectContexts(opts);
  const base: RunEstimate = {
    judge,
    judge_model: "rules",
    batch: Boolean(opts.batch),
    failures: selection.selected,
    reused: 0,
    cached: 0,
    analysis: ZERO(),
    taxonomy: ZERO(),
    classify: ZERO(),
    total: ZERO(),
    cost_usd: 0,
    cost_usd_prompt_cached: 0,
    price: null,
    tokenizer: null,
    completion_basis: "none",
    taxonomy_basis: "none",
    new_titles: 0,
    prefix_share: 0,
  };
  if (judge === "heuristic") return base; // offline rules: no call, no cost

  const model = opts.judgeModel || DEFAULT_JUDGE_MODEL;
  const contexts = selection.contexts();
  const existing = hasReleaseJson(opts.root, opts.release) ? loadRelease(opts.root, opts.release) : null;
  // The run would refuse it (run.ts): no estimate of a run that cannot happen.
  if (existing?.published)
    throw new Error(
      `release "${opts.release}" is published and immutable; it cannot be re-run. Start a new release id.`,
    );
  const previousId =
    opts.previous !== undefined ? opts.previous : existing ? existing.previous : findPrevious(opts.root, opts.release);
  const previous = previousId ? loadRelease(opts.root, previousId) : null;
  if (previousId && !previous) throw new Error(`previous release "${previousId}" not found`);

  const cache = new JudgeCache(L.cache);
  // The client is built but never used to send anything: only request bodies and cache keys.
  const callerOpts = {
    baseURL: opts.baseURL || "https://api.openai.com/v1",
    apiKey: "estimate",
    model,
    cache,
    concurrency: DEFAULT_CONCURRENCY,
    responseFormat: opts.responseFormat,
  };
  const caller = new StructuredCaller(callerOpts);
  const counter = await TokenCounter.forModel(model);

  // Analyses.
  const { reused, toJudge } = splitReusable(opts.root, previous, model, contexts);
  const items: TitleItem[] = reused.map((a) => ({ key: a.key, title: a.title, summary: a.summary }));
  const fresh = new Map<string, { prompt: number; text: string; n: number }>(); // hash → request
  let cached = 0;
  const measured: number[] = [];
  const pending: { key: string; n: number }[] = [];
  for (const ctx of toJudge) {
    const messages = analyseMessages(ctx);
    const body = caller.request(messages, JudgeVerdictSchema, "error_analysis");
    const key = caller.key(body, ANALYSE_PROMPT_VERSION);
    const hit = caller.cached(JudgeVerdictSchema, key);
    const k = recordKey(ctx.record);
    if (hit) {
      cached++;
      items.push({ key: k, title: hit.answer.title, summary: hit.answer.summary });
      if (hit.usage.completion_tokens > 0) measured.push(hit.usage.completion_tokens);
      continue;
    }
    const hash = cacheHash(key);
    if (!fresh.has(hash))
      fresh.set(hash, { prompt: counter.prompt(body), text: promptText(body.messages), n: fresh.size + 1 });
    pending.push({ key: k, n: fresh.get(hash)!.n });
  }
  // A stand-in title per new request (identical requests get one answer, so one title): distinct
  // ones, or, when this judge's titles are known for at least MEASURED_MIN of these failures, as
  // many distinct ones as its titles repeat there.
  const known = items.length;
  const repeat = known >= MEASURED_MIN ? distinctTitles(items).length / known : 1;
  const standIns = Math.max(1, Math.round(fresh.size * repeat));
  for (const p of pending)
    items.push({
      key: p.key,
      title: `${TYPICAL_ANALYSIS.title} #${((p.n - 1) % standIns) + 1}`,
      summary: TYPICAL_ANALYSIS.summary,
    });
  const completionEach =
    measured.length >= MEASURED_MIN
      ? Math.round(measured.reduce((s, x) => s + x, 0) / measured.length)
      : counter.text(JSON.stringify(TYPICAL_ANALYSIS));
  const analysis: EstimatePart = {
    calls: fresh.size,
    prompt_tokens: [...fresh.values()].reduce((s, r) => s + r.prompt, 0),
    completion_tokens: fresh.size * completionEach,
  };
  const prefix = sharedPrefixShare([...fresh.values()].map((r) => r.text));

  // Taxonomy and classification.
  const taxOpts: Required<TaxonomyOptions> = {
    batchSize: 100,
    classifyBatchSize: 50,
    minSplit: 20,
    maxDepth: 2,
    ...((opts.judgeOptions?.taxonomy as TaxonomyOptions | undefined) ?? {}),
  };
  const prevTaxonomy: Taxonomy | undefined =
    previous?.judge === "openai" ? readTaxonomy(opts.root, previous.id) : undefined;
  let taxonomy = ZERO();
  let classify = ZERO();
  let basis: RunEstimate["taxonomy_basis"] = "modelled";
  if (fresh.size === 0 && (await replaysFromCache(callerOpts, items, prevTaxonomy, taxOpts))) basis = "cached";
  else ({ taxonomy, classify } = modelTaxonomy(counter, caller, items, prevTaxonomy, taxOpts));

  const total = add(add(analysis, taxonomy), classify);
  const price = priceOf(model) ?? null;
  const batch = Boolean(opts.batch);
  const cost = (cachedAnalysisTokens: number) =>
    Math.round(
      (costOf(model, analysis.prompt_tokens, analysis.completion_tokens, batch, cachedAnalysisTokens) +
        costOf(
          model,
          taxonomy.prompt_tokens + classify.prompt_tokens,
          taxonomy.completion_tokens + classify.completion_tokens,
        )) *
        1e6,
    ) / 1e6;
  return {
    ...base,
    judge_model: model,
    reused: reused.length,
    cached,
    analysis,
    taxonomy,
    classify,
    total,
    cost_usd: cost(0),
    cost_usd_prompt_cached: cost(Math.round(analysis.prompt_tokens * prefix.share)),
    price,
    tokenizer: counter.encoding,
    completion_basis: fresh.size === 0 ? "none" : measured.length >= MEASURED_MIN ? "measured" : "typical",
    taxonomy_basis: basis,
    new_titles: fresh.size ? standIns : 0,
    prefix_share: prefix.share,
  };
}

/** Whether the run's taxonomy induction and classification would be answered wholly from the cache. */
async function replaysFromCache(
  callerOpts: ConstructorParameters<typeof StructuredCaller>[0],
  items: TitleItem[],
  previous: Taxonomy | undefined,
  taxOpts: TaxonomyOptions,
): Promise<boolean> {
  const counters = { taxonomy_calls: 0, classify_calls: 0, taxonomy_repairs: 0, classify_errors: 0, classify_other: 0 };
  const engine = new TaxonomyEngine(new CacheOnlyCaller(callerOpts), counters, () => {}, taxOpts);
  const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : 1));
  const prev = previous && {
    ...previous,
    categories: previous.categories.filter((c) => !RESERVED_CATEGORY_IDS.has(c.id)),
  };
  try {
    const induced = await engine.induce(sorted, prev, "estimate");
    await engine.classify(sorted, induced);
    return true;
  } catch (e) {
    if (e instanceof CacheMiss) return false;
    throw e;
  }
}

/** The taxonomy engine's requests rebuilt on stand-ins (see the head of this file), counted. */
function modelTaxonomy(
  counter: TokenCounter,
  caller: StructuredCaller,
  items: TitleItem[],
  previous: Taxonomy | undefined,
  o: Required<TaxonomyOptions>,
): { taxonomy: EstimatePart; classify: EstimatePart } {
  const taxonomy = ZERO();
  const classify = ZERO();
  const titles = distinctTitles(items).map((t) => ({ title: t.title, summary: t.summary }));
  const standIns = (n: number, parent?: string) =>
    Array.from({ length: n }, (_, i) => ({
      ...STAND_IN_CATEGORY,
      name: `${STAND_IN_CATEGORY.name} ${parent ?? ""}${i + 1}`.replace(/\s+/g, " "),
    }));
  const draftAnswer = (cats: { name: string; description: string; facet: string }[]) =>
    JSON.stringify({ categories: cats.map((c) => ({ ...c, from: [c.name] })) });
  const asCategory = (c: { name: string; description: string }, i: number, parent?: string): Category => ({
    id: `${parent ? `${parent}.` : ""}multi-step-arithmetic-slips-${i + 1}`,
    slug: `multi-step-arithmetic-slips-${i + 1}`,
    name: c.name,
    description: c.description,
    parent: parent ?? null,
    facet: "skill",
    old_slugs: [],
    lineage: [],
  });
  const chunk = <T>(xs: T[], n: number) =>
    Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
  const count = (part: EstimatePart, body: ReturnType<StructuredCaller["request"]>, answer: string) => {
    part.calls++;
    part.prompt_tokens += counter.prompt(body);
    part.completion_tokens += counter.text(answer);
  };

  const level = (
    level: { title: string; summary: string }[],
    parent: { name: string; description: string } | null,
    start: { name: string; description: string; facet: "skill" | "format" | "noise" }[],
    parentId?: string,
  ) => {
    if (level.length === 0) return [];
    const limit = maxPerNode(level.length);
    // As many categories as the limit allows; a continued taxonomy keeps the number it had.
    const cats = standIns(start.length > 0 ? Math.min(limit, start.length) : limit, parentId);
    const batches = chunk(level, o.batchSize);
    let current = start;
    batches.forEach((b, i) => {
      const step = i === 0 && current.length === 0 ? "generate" : "update";
      const messages = taxonomyMessages({
        step,
        limit,
        parent,
        current: current.map(({ name, description, facet }) => ({ name, description, facet })),
        titles: b,
      });
      count(taxonomy, caller.request(messages, DraftAnswerSchema, "taxonomy"), draftAnswer(cats));
      current = cats;
    });
    const spreadTitles =
      level.length <= o.batchSize
        ? level
        : Array.from({ length: o.batchSize }, (_, i) => level[Math.floor((i * level.length) / o.batchSize)]!);
    count(
      taxonomy,
      caller.request(
        taxonomyMessages({ step: "review", limit, parent, current: cats, titles: spreadTitles }),
        DraftAnswerSchema,
        "taxonomy",
      ),
      draftAnswer(cats),
    );
    // Classification into this level's categories (and "hard to analyse" at the top).
    const choices = cats.map((c, i) => asCategory(c, i, parentId));
    const offered = parentId ? choices : [...choices, HARD];
    const schema = classificationSchema(offered.map((c) => c.id));
    for (const b of chunk(level, o.classifyBatchSize)) {
      const answer = JSON.stringify({
        assignments: b.map((_, n) => ({ n, category: offered[n % offered.length]!.id })),
      });
      count(classify, caller.request(classifyMessages(offered, b), schema, "classification"), answer);
    }
    return choices;
  };

  const prevTop = (previous?.categories ?? [])
    .filter(
      (c) =>
        c.parent === null &&
        (c.facet === "skill" || c.facet === "format" || c.facet === "noise") &&
        !RESERVED_CATEGORY_IDS.has(c.id),
    )
    .map((c) => ({ name: c.name, description: c.description, facet: c.facet as "skill" | "format" | "noise" }));
  const top = level(titles, null, prevTop);
  if (o.maxDepth >= 2 && top.length > 0) {
    // Titles split evenly among the top categories; the large ones get sub-categories.
    top.forEach((c, i) => {
      const mine = titles.filter((_, t) => t % top.length === i);
      if (mine.length >= o.minSplit && maxPerNode(mine.length) >= 2)
        level(mine, { name: c.name, description: c.description }, [], c.id);
    });
  }
  return { taxonomy, classify };
}

/** The estimate as a person reads it (the CLI prints it on stdout). */
export function formatEstimate(e: RunEstimate, release: string): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const usd = (x: number) => `$${x.toFixed(x >= 1 ? 2 : 4)}`;
  const row = (name: string, p: EstimatePart) => [name, n(p.calls), n(p.prompt_tokens), n(p.completion_tokens)];
  const rows = [
    ["", "calls", "prompt tokens", "completion tokens"],
    row("analysis", e.analysis),
    row("taxonomy", e.taxonomy),
    row("classify", e.classify),
    row("total", e.total),
  ];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [
    `estimate for release ${release}, judge ${e.judge}${e.judge === "openai" ? ` (${e.judge_model}${e.batch ? ", analyses through the Batch API" : ""})` : ""}: no request was made, nothing was written`,
    `failures to analyse: ${n(e.failures)}; free: ${n(e.reused)} reused from the previous release, ${n(e.cached)} answered from the cache`,
    "",
    ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ")),
    "",
  ];
  if (e.judge === "heuristic") return [...lines, "the heuristic judge is offline: no call, no cost"].join("\n");
  const p = e.price;
  lines.push(
    p
      ? `price of ${e.judge_model}: $${p.input} input, ${p.cached_input === undefined ? "no cached price" : `$${p.cached_input} cached input`}, $${p.output} output per million tokens${e.batch ? " (analyses at the Batch API's half price)" : ""}`
      : `price of ${e.judge_model}: unknown (a local or unlisted model): cost 0`,
    `cost: ${usd(e.cost_usd)}${p?.cached_input !== undefined && e.cost_usd_prompt_cached < e.cost_usd ? `; at best ${usd(e.cost_usd_prompt_cached)} if the provider's prompt cache serves the shared prefixes (${Math.round(e.prefix_share * 100)}% of the analysis prompts' characters)` : ""}`,
    `tokens counted with ${e.tokenizer}; completion per analysis: ${e.completion_basis === "measured" ? "the mean of this model's cached answers" : e.completion_basis === "typical" ? "a typical answer of the schema" : "none needed"}; taxonomy and classification: ${e.taxonomy_basis === "cached" ? "answered from the cache" : `modelled (${n(e.new_titles)} new distinct titles expected; every request taken as new: an upper bound)`}`,
  );
  return lines.join("\n");
}
