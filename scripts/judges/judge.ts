// The one interface every judge implements, so a run (scripts/pipeline/run.ts) chooses a judge by
// name (registry.ts) and then calls the same three stages whatever it is: analyse the selected
// failures, build or reuse a taxonomy, classify the analyses into its leaves (docs/design.md, "The
// method, stage by stage", steps 2 to 4). A judge with a fixed taxonomy (the heuristic one) names
// each failure's leaf when it analyses it, and its taxonomy and classify stages only hand those back.
import { sha256, stableJsonLine } from "../../src/lib/jsonio.ts";
import {
  parseAnalysis,
  type Analysis,
  type EvalRecord,
  type Release,
  type Taxonomy,
  type Usage,
} from "../../src/lib/schemas.ts";
import { JUDGE_ERROR_CATEGORY } from "../../src/lib/reserved.ts";
import type { JudgeCache } from "./cache.ts";
import type { ResponseFormatMode } from "./openai/defaults.ts";
import type { FailureContext } from "./types.ts";

/** How the user set up the judge (the CLI's judge flags); a judge reads the ones it understands. */
export interface JudgeSettings {
  judgeModel?: string;
  baseURL?: string;
  apiKey?: string;
  concurrency?: number;
  maxCalls?: number;
  timeoutMs?: number;
  /** How the openai judge asks for JSON: json_schema (default), json_object or text. */
  responseFormat?: ResponseFormatMode;
  batch?: boolean;
  /** Test hook: options passed through to the openai judge (backoff bases, poll interval...). */
  judgeOptions?: Record<string, unknown>;
}

/** What a judge is given about the run it serves. */
export interface JudgeRun {
  /** The data root, where earlier releases' analyses and taxonomy are read. */
  root: string;
  /** Id of the release being built. */
  releaseId: string;
  /** The release this one follows, whose work a judge may reuse; null for the first. */
  previous: Release | null;
  /** The answer cache: every answer goes through it, so a re-run repeats no work. */
  cache: JudgeCache;
  log: (line: string) => void;
}

/** A judge's answer on one failure, before the run validates it into an Analysis. */
export interface JudgeOutcome {
  /** The analysis; `category` is set by the judge's classify stage (absent for judge errors). */
  analysis: Omit<Analysis, "category"> & { category?: string };
  /** Usage of the stored answer (cached ones included): what this release's answers cost. */
  usage: Usage;
  /** Whether the answer is new in this run (not from the cache nor an earlier release). */
  fresh: boolean;
}

/** Outcomes by record key. */
export type JudgeOutcomes = Map<string, JudgeOutcome>;

/** What a judge reports once its stages have run, for release.json and run.json. */
export interface JudgeReport {
  /** release.json's judge_model ("rules" for the heuristic judge). */
  judgeModel: string;
  /** The endpoint release.json records as base_url (redacted by the run), or null for an offline judge. */
  endpoint: string | null;
  /** release.json's prompt_versions: the versions that key the judge's cached answers. */
  promptVersions: Record<string, string>;
  /** Usage of the calls made in this run (run.json). */
  newUsage: Usage;
  taxonomyCalls: number;
  classifyCalls: number;
  /** Analyses taken from earlier releases, not asked again. */
  reused: number;
  /** Hashes of the cache entries the release is built from (cache-keys.txt, read by `errormap doctor`). */
  cacheHashes: string[];
}

export interface Judge {
  /** Analyses the selected failures, answering from the cache (or earlier releases) when it can. */
  analyse(contexts: FailureContext[]): Promise<JudgeOutcomes>;
  /** Builds the taxonomy of these outcomes, or reuses the previous release's (or the judge's fixed one). */
  taxonomy(outcomes: JudgeOutcomes): Promise<Taxonomy>;
  /** Puts every analysed ("ok") outcome in one leaf of the taxonomy (sets analysis.category); returns them. */
  classify(outcomes: JudgeOutcomes, taxonomy: Taxonomy): Promise<JudgeOutcomes>;
  report(): JudgeReport;
}

/**
 * Makes a judge for one run. It may refuse (a missing API key) by throwing: the run then writes
 * nothing.
 */
export type JudgeFactory = (settings: JudgeSettings, run: JudgeRun) => Judge;

/** Hash of the content a judge reads about one failed record, to know when an earlier analysis still applies. */
export function recordContentHash(r: EvalRecord): string {
  return sha256(stableJsonLine([r.input, r.reference, r.output, r.extracted ?? null, r.score, r.correct]));
}

/**
 * The judge's outcomes as the release's analyses, sorted by key: every analysed failure must be in
 * a leaf of the taxonomy; judge errors get their own marker category and stay out of the shares'
 * denominators (scripts/pipeline/aggregate.ts).
 */
export function analysesOf(outcomes: JudgeOutcomes, taxonomy: Taxonomy): Analysis[] {
  const leaves = new Set(
    taxonomy.categories.filter((c) => !taxonomy.categories.some((k) => k.parent === c.id)).map((c) => c.id),
  );
  return [...outcomes.values()]
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
}
