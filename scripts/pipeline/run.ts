// `errormap run`: select → analyse → taxonomy → classify → finalise (disputes, reviews, aggregate),
// written as a release.
//
// The release files (release.json, taxonomy.json, analyses.jsonl, aggregates.json, reviews.json,
// registry.json) depend only on the inputs (snapshot, registry, judge answers, reviews, seed), so
// re-running gives byte-identical files.
// What a particular run did (calls made, cache hits, wall time) goes to run.json beside them.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { removeStaleTemps, replaceDir, sha256, stableJson, stableJsonLine, writeFileAtomic, writeJsonAtomic } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import { loadRegistry } from "../../src/lib/registry.ts";
import {
  parseAnalysis,
  IdSchema,
  RegistrySchema,
  ReleaseSchema,
  RunLogSchema,
  TaxonomySchema,
  recordKey,
  type Analysis,
  type DatasetEntry,
  type EvalRecord,
  type JudgeName,
  type Release,
  type RunLog,
  type Taxonomy,
  type Usage,
} from "../../src/lib/schemas.ts";
import { JudgeCache, cacheHash } from "../judges/cache.ts";
import { ZERO_USAGE, addUsage } from "../judges/openai/pricing.ts";
import type { ResponseFormatMode } from "../judges/openai/defaults.ts";
import { CACHE_KEYS_FILE } from "./doctor.ts";
import { HEURISTIC_TAXONOMY, RULESET_VERSION, judgeHeuristic, ruleContext } from "../judges/heuristic/index.ts";
import type { FailureContext } from "../judges/types.ts";
import { startProgress } from "../lib/progress.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { readReviews } from "../review/store.ts";
import { FINALISED_FILES, finalise, withFinalised } from "./finalise.ts";
import { neverDisputedHook } from "./disputes.ts";
import { buildContexts, failurePredicate, selectFailures } from "./select.ts";
import { findPrevious, loadRelease } from "./releases.ts";
import { assertNotRecorded } from "./published.ts";
import { assertStillWritable, lockRelease, lockRun } from "./locks.ts";
import type { Lock } from "../../src/lib/lock.ts";

export const CODE_VERSION: string = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
/** Category id of failures the judge could not analyse (status judge_error); not a taxonomy leaf. */
export const JUDGE_ERROR_CATEGORY = "judge-error";

export interface RunOptions {
  root: string;
  snapshot: string;
  release: string;
  judge?: JudgeName;
  judgeModel?: string;
  baseURL?: string;
  apiKey?: string;
  concurrency?: number;
  maxCalls?: number;
  timeoutMs?: number;
  /** How the openai judge asks for JSON: json_schema (default), json_object or text. */
  responseFormat?: ResponseFormatMode;
  batch?: boolean;
  sample?: number;
  seed?: number;
  force?: boolean;
  previous?: string | null;
  title?: string;
  /** Test hook: options passed through to the openai judge (backoff bases, poll interval...). */
  judgeOptions?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface RunResult {
  release: Release;
  run: RunLog;
}


/** Hash of the content a judge reads about one failed record, to know when an earlier analysis still applies. */
export function recordContentHash(r: EvalRecord): string {
  return sha256(stableJsonLine([r.input, r.reference, r.output, r.extracted ?? null, r.score, r.correct]));
}

interface Outcome {
  analysis: Omit<Analysis, "category"> & { category?: string };
  /** Usage of the stored answer (cached ones included): what this release's answers cost. */
  usage: Usage;
  fresh: boolean;
}

// ---------------------------------------------------------------------------------------------
// The heuristic judge: rules over the record and its item's consensus, cached like any judge.

function analyseHeuristic(contexts: FailureContext[], cache: JudgeCache): { outcomes: Map<string, Outcome>; cacheHashes: string[] } {
  const outcomes = new Map<string, Outcome>();
  const cacheHashes: string[] = [];
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
    let v = cache.get<ReturnType<typeof judgeHeuristic>>(key, hash);
    const fresh = v === undefined;
    if (!v) {
      v = judgeHeuristic(ctx);
      cache.put(key, v, hash);
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
  return { outcomes, cacheHashes };
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs the pipeline holding the data root's run lock and the release's lock (scripts/pipeline/locks.ts:
 * one run per data root, one writer per release); both are released when it ends, and a killed
 * run's are taken over by the next command.
 */
export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const idCheck = IdSchema.safeParse(opts.release);
  if (!idCheck.success) throw new Error(`release id "${opts.release}": ${idCheck.error.issues[0].message}`);
  const command = `errormap run --snapshot ${opts.snapshot} --release ${opts.release}${opts.force ? " --force" : ""}`;
  const runLock = lockRun(opts.root, opts.release, command);
  try {
    const releaseLock = lockRelease(opts.root, opts.release, command, "write");
    try {
      return await runLocked(opts, releaseLock);
    } finally {
      releaseLock.release();
    }
  } finally {
    runLock.release();
  }
}

async function runLocked(opts: RunOptions, releaseLock: Lock): Promise<RunResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const L = layout(opts.root);
  const judge: JudgeName = opts.judge ?? "heuristic";
  const seed = opts.seed ?? 0;
  const sample = opts.sample ?? 1;
  if (!(sample > 0 && sample <= 1)) throw new Error(`--sample must be in (0, 1], got ${sample}`);
  const idCheck = IdSchema.safeParse(opts.release);
  if (!idCheck.success) throw new Error(`release id "${opts.release}": ${idCheck.error.issues[0].message}`);

  const final = L.release(opts.release);
  const existing = existsSync(join(final, "release.json")) ? loadRelease(opts.root, opts.release) : null;
  if (existing?.published) {
    throw new Error(`release "${opts.release}" is published and immutable; it cannot be re-run or overwritten (even with --force). Start a new release id.`);
  }
  // Published once is published for good, even if its folder was since replaced or removed (data/published.json).
  assertNotRecorded(opts.root, opts.release);
  if (existsSync(final) && !opts.force) {
    throw new Error(`release "${opts.release}" already exists; pass --force to re-run it, or choose a new id`);
  }

  // Wall time per stage, for run.json (and `npm run bench`).
  const stages: Record<string, number> = {};
  let lap = Date.now();
  const stage = (name: string) => {
    const now = Date.now();
    stages[name] = Math.round((now - lap) / 10) / 100;
    lap = now;
  };

  // Select.
  const registry = loadRegistry(opts.root);
  const manifest = loadManifest(opts.root, opts.snapshot);
  const records = loadRecords(opts.root, manifest);
  const failed = failurePredicate(manifest);
  const datasets = new Map<string, DatasetEntry>(registry.datasets.map((d) => [d.id, d]));
  const failuresAll = records.filter(failed);
  const selected = selectFailures(records, failed, sample, seed);
  const contexts = buildContexts(selected, records, failed, datasets);

  // The release this one follows: explicit, or kept from an earlier run of the same id, or the newest.
  const previousId = opts.previous !== undefined ? opts.previous : existing ? existing.previous : findPrevious(opts.root, opts.release);
  const previous = previousId ? loadRelease(opts.root, previousId) : null;
  if (previousId && !previous) throw new Error(`previous release "${previousId}" not found`);

  const cache = new JudgeCache(L.cache);
  let outcomes: Map<string, Outcome>;
  let taxonomy: Taxonomy;
  let judgeModel = "rules";
  let promptVersions: Record<string, string>;
  let newUsage: Usage = ZERO_USAGE;
  let taxonomyCalls = 0;
  let classifyCalls = 0;
  let reused = 0;
  let cacheHashes: string[] = [];

  stage("select");
  // The answers go to the cache's journal as they arrive; the flush files them into the shards,
  // also when the judge stage stops early (call budget, abort): answers paid for are kept.
  try {
    if (judge === "heuristic") {
      ({ outcomes, cacheHashes } = analyseHeuristic(contexts, cache));
      taxonomy = HEURISTIC_TAXONOMY;
      promptVersions = { rules: RULESET_VERSION };
    } else {
      const { runOpenAI } = await import("./openai-stage.ts");
      const r = await runOpenAI({ ...opts, contexts, cache, previous, releaseId: opts.release, log });
      outcomes = r.outcomes;
      taxonomy = r.taxonomy;
      judgeModel = r.judgeModel;
      promptVersions = r.promptVersions;
      newUsage = r.newUsage;
      taxonomyCalls = r.taxonomyCalls;
      classifyCalls = r.classifyCalls;
      reused = r.reused;
      cacheHashes = r.cacheHashes;
    }
  } finally {
    cache.flush();
  }

  stage("judge");
  // Classify: heuristic verdicts carry their leaf; LLM ones were classified above. Judge errors
  // keep their own marker category and stay out of the shares' denominators.
  const leaves = new Set(taxonomy.categories.filter((c) => !taxonomy.categories.some((k) => k.parent === c.id)).map((c) => c.id));
  const analyses: Analysis[] = [...outcomes.values()]
    .map((o) => {
      const category = o.analysis.status === "judge_error" ? JUDGE_ERROR_CATEGORY : o.analysis.category;
      if (o.analysis.status === "ok" && (!category || !leaves.has(category))) {
        throw new Error(`analysis ${o.analysis.key}: category "${category}" is not a leaf of the taxonomy`);
      }
      const r = parseAnalysis({ ...o.analysis, category });
      if (!r.success) throw r.error;
      return r.data;
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  // Finalise: disputed items, the reviews of the data root, aggregates (scripts/pipeline/finalise.ts).
  stage("classify");
  const finalised = finalise({
    records,
    isFailure: failed,
    datasets: registry.datasets.filter((d) => d.id in manifest.datasets),
    taxonomy,
    analyses,
    seed,
    reviews: readReviews(opts.root),
    neverDisputed: neverDisputedHook(),
  });
  const answerUsage = [...outcomes.values()].reduce((u, o) => addUsage(u, o.usage), ZERO_USAGE);

  stage("aggregate");
  // Write: every file into a temporary folder, validated, then renamed into place.
  const taxonomyText = stableJson(TaxonomySchema.parse(taxonomy));
  // The registry entries as they were: a release's pages keep their names even if the registry changes.
  const used = new Set(manifest.models);
  const registryText = stableJson(
    RegistrySchema.parse({
      models: registry.models.filter((m) => used.has(m.id)).sort((a, b) => (a.id < b.id ? -1 : 1)),
      datasets: registry.datasets.filter((d) => d.id in manifest.datasets).sort((a, b) => (a.id < b.id ? -1 : 1)),
    }),
  );
  const release: Release = withFinalised(
    ReleaseSchema.parse({
      id: opts.release,
      title: opts.title ?? existing?.title ?? `Release ${opts.release}`,
      snapshot: manifest.id,
      snapshot_sha256: manifest.sha256,
      previous: previousId ?? null,
      judge,
      judge_model: judgeModel,
      base_url: judge === "openai" ? redactUrl(opts.baseURL ?? process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1") : null,
      prompt_versions: promptVersions,
      seed,
      sample,
      code_version: CODE_VERSION,
      counts: {
        records: records.length,
        failures: failuresAll.length,
        selected: selected.length,
        datasets: Object.keys(manifest.datasets).length,
        models: manifest.models.length,
        ...finalised.counts,
      },
      usage: answerUsage,
      files: {
        "registry.json": sha256(registryText),
        "taxonomy.json": sha256(taxonomyText),
      },
      published: null,
    }),
    finalised,
  );
  const ok = finalised.analyses.filter((a) => a.status === "ok");

  const fresh = [...outcomes.values()].filter((o) => o.fresh).length;
  const run: RunLog = RunLogSchema.parse({
    release: opts.release,
    failures: failuresAll.length,
    analysed: ok.length,
    analysis_calls: fresh,
    cached: outcomes.size - fresh,
    judge_errors: analyses.length - ok.length,
    taxonomy_calls: taxonomyCalls,
    classify_calls: classifyCalls,
    usage: newUsage,
    wall_seconds: Math.round((Date.now() - t0) / 100) / 10,
    stages,
  });
  if (reused) log(`reused ${reused} analyses of earlier releases for unchanged failures`);

  mkdirSync(L.releases, { recursive: true });
  for (const t of removeStaleTemps(L.releases, opts.release)) log(`removed ${t}, left by a run that was killed`);
  const tmp = join(L.releases, `.tmp-${opts.release}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileAtomic(join(tmp, "taxonomy.json"), taxonomyText);
    for (const f of FINALISED_FILES) writeFileAtomic(join(tmp, f), finalised.texts[f]);
    writeFileAtomic(join(tmp, "registry.json"), registryText);
    writeJsonAtomic(join(tmp, "release.json"), release);
    writeJsonAtomic(join(tmp, "run.json"), run);
    // Which cache entries this release is built from, so `errormap doctor` can tell orphans.
    writeFileAtomic(join(tmp, CACHE_KEYS_FILE), [...new Set(cacheHashes)].sort().join("\n") + "\n");
    // Checked again at the last moment: the release may have been published meanwhile by someone
    // who deleted this run's lock by hand; a published release is never replaced.
    assertStillWritable(opts.root, opts.release, releaseLock, "This run's judge answers are cached: running it again (under a new release id if that one is published) repeats no call.");
    replaceDir(tmp, final);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { release, run };
}

/** A base URL without credentials or query, safe to publish. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}
