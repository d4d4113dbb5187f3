// `errormap run`: select → analyse → taxonomy → classify → finalise (disputes, reviews, aggregate),
// written as a release (docs/design.md, "The method, stage by stage"). This module orchestrates
// only: selection is select.ts; analyse, taxonomy and classify are the chosen judge's stages (the
// Judge interface, scripts/judges/judge.ts, chosen by name in scripts/judges/registry.ts);
// finalising is finalise.ts.
//
// The release files (release.json, taxonomy.json, analyses.jsonl, aggregates.json, reviews.json,
// registry.json) depend only on the inputs (snapshot, registry, judge answers, reviews, seed), so
// re-running gives byte-identical files.
// What a particular run did (calls made, cache hits, wall time) goes to run.json beside them.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { removeStaleTemps, replaceDir, sha256, writeFileAtomic, writeJsonAtomic } from "../../src/lib/jsonio.ts";
import { hasReleaseJson } from "../../src/lib/data/release.ts";
import { releaseRegistryText } from "../../src/lib/data/registry.ts";
import { taxonomyText as taxonomyTextOf } from "../../src/lib/data/taxonomy.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import { loadRegistry } from "../lib/registry.ts";
import {
  IdSchema,
  ReleaseSchema,
  RunLogSchema,
  type DatasetEntry,
  type JudgeName,
  type Release,
  type RunLog,
  type Taxonomy,
} from "../../src/lib/schemas.ts";
import type { Lock } from "../lib/lock.ts";
import { JudgeCache, cacheKeysText } from "../judges/cache.ts";
import { analysesOf, type JudgeOutcomes, type JudgeReport } from "../judges/judge.ts";
import { ZERO_USAGE, addUsage } from "../judges/openai/pricing.ts";
import { loadJudge } from "../judges/registry.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { readReviews } from "../review/store.ts";
import { neverDisputedHook } from "./disputes.ts";
import { FINALISED_FILES, finalise, withFinalised } from "./finalise.ts";
import { assertStillWritable, lockRelease, lockRun } from "./locks.ts";
import type { RunOptions, RunResult } from "./options.ts";
import { assertNotRecorded } from "./published.ts";
import { findPrevious, loadRelease } from "./releases.ts";
import { buildContexts, failurePredicate, selectFailures } from "./select.ts";

export const CODE_VERSION: string = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
).version;

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
  const judgeName: JudgeName = opts.judge ?? "heuristic";
  const seed = opts.seed ?? 0;
  const sample = opts.sample ?? 1;
  if (!(sample > 0 && sample <= 1)) throw new Error(`--sample must be in (0, 1], got ${sample}`);
  const idCheck = IdSchema.safeParse(opts.release);
  if (!idCheck.success) throw new Error(`release id "${opts.release}": ${idCheck.error.issues[0].message}`);

  const final = L.release(opts.release);
  const existing = hasReleaseJson(opts.root, opts.release) ? loadRelease(opts.root, opts.release) : null;
  if (existing?.published) {
    throw new Error(
      `release "${opts.release}" is published and immutable; it cannot be re-run or overwritten (even with --force). Start a new release id.`,
    );
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
  const previousId =
    opts.previous !== undefined ? opts.previous : existing ? existing.previous : findPrevious(opts.root, opts.release);
  const previous = previousId ? loadRelease(opts.root, previousId) : null;
  if (previousId && !previous) throw new Error(`previous release "${previousId}" not found`);

  const cache = new JudgeCache(L.cache);
  let outcomes: JudgeOutcomes;
  let report: JudgeReport;

  stage("select");
  // Analyse, taxonomy, classify: the chosen judge's stages (scripts/judges/judge.ts). The answers
  // go to the cache's journal as they arrive; the flush files them into the shards, also when the
  // judge stops early (call budget, abort): answers paid for are kept.
  let taxonomy: Taxonomy;
  try {
    const judge = (await loadJudge(judgeName))(opts, {
      root: opts.root,
      releaseId: opts.release,
      previous,
      cache,
      log,
    });
    outcomes = await judge.analyse(contexts);
    taxonomy = await judge.taxonomy(outcomes);
    outcomes = await judge.classify(outcomes, taxonomy);
    report = judge.report();
  } finally {
    cache.flush();
  }

  stage("judge");
  // Every analysed failure in one leaf, judge errors under their marker category.
  const analyses = analysesOf(outcomes, taxonomy);

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
  const taxonomyText = taxonomyTextOf(taxonomy);
  // The registry entries as they were: a release's pages keep their names even if the registry changes.
  const used = new Set(manifest.models);
  const registryText = releaseRegistryText({
    models: registry.models.filter((m) => used.has(m.id)),
    datasets: registry.datasets.filter((d) => d.id in manifest.datasets),
  });
  const release: Release = withFinalised(
    ReleaseSchema.parse({
      id: opts.release,
      title: opts.title ?? existing?.title ?? `Release ${opts.release}`,
      snapshot: manifest.id,
      snapshot_sha256: manifest.sha256,
      previous: previousId ?? null,
      judge: judgeName,
      judge_model: report.judgeModel,
      base_url: report.endpoint === null ? null : redactUrl(report.endpoint),
      prompt_versions: report.promptVersions,
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
        [RELEASE_FILE.registry]: sha256(registryText),
        [RELEASE_FILE.taxonomy]: sha256(taxonomyText),
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
    taxonomy_calls: report.taxonomyCalls,
    classify_calls: report.classifyCalls,
    usage: report.newUsage,
    wall_seconds: Math.round((Date.now() - t0) / 100) / 10,
    stages,
  });
  if (report.reused) log(`reused ${report.reused} analyses of earlier releases for unchanged failures`);

  writeRelease(opts.root, opts.release, releaseLock, log, {
    [RELEASE_FILE.taxonomy]: taxonomyText,
    ...Object.fromEntries(FINALISED_FILES.map((f) => [f, finalised.texts[f]])),
    [RELEASE_FILE.registry]: registryText,
    [RELEASE_FILE.release]: release,
    [RELEASE_FILE.run]: run,
    // Which cache entries this release is built from, so `errormap doctor` can tell orphans.
    [RELEASE_FILE.cacheKeys]: cacheKeysText(report.cacheHashes),
  });
  return { release, run };
}

/**
 * Writes the release's files (text as it is, objects as JSON) into a temporary folder, then renames
 * it into place, so the release is at every moment either the old one or the new one.
 */
function writeRelease(
  root: string,
  id: string,
  lock: Lock,
  log: (line: string) => void,
  files: Record<string, string | object>,
): void {
  const L = layout(root);
  mkdirSync(L.releases, { recursive: true });
  for (const t of removeStaleTemps(L.releases, id)) log(`removed ${t}, left by a run that was killed`);
  const tmp = join(L.releases, `.tmp-${id}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [name, content] of Object.entries(files)) {
      if (typeof content === "string") writeFileAtomic(join(tmp, name), content);
      else writeJsonAtomic(join(tmp, name), content);
    }
    // Checked again at the last moment: the release may have been published meanwhile by someone
    // who deleted this run's lock by hand; a published release is never replaced.
    assertStillWritable(
      root,
      id,
      lock,
      "This run's judge answers are cached: running it again (under a new release id if that one is published) repeats no call.",
    );
    replaceDir(tmp, L.release(id));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
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
