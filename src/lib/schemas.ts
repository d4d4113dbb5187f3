// The single source of every data shape of ErrorAtlas. The build scripts (scripts/) and the
// site (src/) both import from here; nothing else defines these shapes.
import { z } from "zod";
import { fastParser, isPlain } from "./fastparse.ts";

// ---------------------------------------------------------------------------------------------
// Identifiers

/** Canonical ids of models, datasets, snapshots, releases: lower-case, URL-safe, stable. */
const ID_RE = /^[a-z0-9][a-z0-9._-]*$/;
export const IdSchema = z
  .string()
  .min(1)
  .regex(ID_RE, "must be lower-case letters, digits, '.', '_' or '-'")
  .describe("A canonical, URL-safe identifier (lower-case letters, digits, '.', '_', '-').");

const NonEmpty = z.string().min(1, "must not be empty");
/** A name as sources spell it: whitespace alone names nothing (with --register it would become a new entry). */
const Named = NonEmpty.regex(/\S/, "must not be blank");

// ---------------------------------------------------------------------------------------------
// Registry

export const ModelEntrySchema = z
  .object({
    id: IdSchema.describe("Canonical model id, used in URLs and records."),
    name: NonEmpty.describe("Display name."),
    aliases: z.array(NonEmpty).describe("Names this model has in sources (matched case-insensitively)."),
    organisation: NonEmpty.describe("Organisation that trained or serves the model."),
    family: NonEmpty.describe("Model family, e.g. 'GPT-4', 'Llama 3.1', 'Claude 3'."),
    open_weights: z.boolean().nullable().describe("Whether the weights are public; null when unknown."),
    parameters_b: z.number().positive().nullable().describe("Parameter count in billions where public, else null."),
    released: z.string().nullable().describe("Release or snapshot date (YYYY-MM or YYYY-MM-DD) where known."),
    notes: z.string().optional().describe("Why aliases were merged or kept apart, caveats on the name."),
  })
  .strict();
export type ModelEntry = z.infer<typeof ModelEntrySchema>;

export const TaskTypeSchema = z
  .enum(["multiple_choice", "math", "short_answer", "open_ended", "code", "classification"])
  .describe("Kind of task the dataset poses.");

export const DatasetEntrySchema = z
  .object({
    id: IdSchema.describe("Canonical dataset id."),
    name: NonEmpty.describe("Display name."),
    aliases: z.array(NonEmpty).describe("Names this dataset has in sources (matched case-insensitively)."),
    task_type: TaskTypeSchema.describe("Kind of task the dataset poses."),
    metric: NonEmpty.describe("The score's metric, e.g. 'exact_match', 'judge_preference'."),
    exact_match: z.boolean().describe("Whether scores are 0/1 exact-match (default threshold 1) or graded."),
    success_threshold: z
      .number()
      .nullable()
      .describe(
        "A record with only a score fails when score < threshold; null = default (1 for exact match, else 0.7 × mean).",
      ),
    skill: NonEmpty.describe("The skill the dataset claims to test, in a few words."),
    description: NonEmpty.describe("One or two sentences on the dataset."),
    source: NonEmpty.describe("Where the dataset and the results come from (repository or paper)."),
    licence: NonEmpty.describe("Licence of the dataset (and of the results, where different)."),
  })
  .strict();
export type DatasetEntry = z.infer<typeof DatasetEntrySchema>;

export const RegistrySchema = z.object({
  models: z.array(ModelEntrySchema).describe("Every known model, sorted by id."),
  datasets: z.array(DatasetEntrySchema).describe("Every known dataset, sorted by id."),
});
export type Registry = z.infer<typeof RegistrySchema>;

// ---------------------------------------------------------------------------------------------
// Evaluation records

/** Where a record came from; free-form beyond these fields. */
export const SourceSchema = z
  .object({
    repo: z.string().optional().describe("Repository the result was taken from."),
    commit: z.string().optional().describe("Commit of that repository."),
    path: z.string().optional().describe("Path of the file inside it."),
    file: z.string().optional().describe("File name the importer read (base name only, for determinism)."),
  })
  .catchall(z.unknown());

/** An answer as sources give it: text, or a JSON number / boolean / list (TheoremQA), kept as text. */
const AnswerValue = z
  .union([z.string(), z.number(), z.boolean(), z.array(z.unknown())])
  .nullable()
  .transform((v) => (v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v)));

/**
 * What an importer reads: one model's answer to one item, before names are mapped to canonical
 * ids. `score` or `correct` (or both) must be present.
 */
export const RawRecordSchema = z
  .object({
    dataset: Named.describe("Dataset name as the source spells it."),
    model: Named.describe("Model name as the source spells it."),
    instance_id: z.union([NonEmpty, z.number()]).transform(String).describe("Item id, unique within the dataset."),
    input: z.string().describe("The item as posed (question, with options for multiple choice)."),
    reference: AnswerValue.refine((v) => v !== undefined, "missing required field")
      .transform((v) => v ?? "")
      .describe("The reference (gold) answer; numbers, booleans and lists are kept as their JSON text."),
    output: z.string().describe("The model's raw output; may be empty (an empty output is a real failure)."),
    score: z.number().finite().nullable().optional().describe("Numeric score of the output."),
    correct: z.boolean().nullable().optional().describe("Whether the output was judged correct."),
    extracted: AnswerValue.optional().describe("The answer the original scorer extracted from the output."),
    prompt: z
      .string()
      .nullable()
      .optional()
      .transform((v) => v ?? undefined)
      .describe("The full prompt sent, where known."),
    reference_text: z
      .string()
      .nullable()
      .optional()
      .transform((v) => v ?? undefined)
      .describe("Text of the reference option."),
    metadata: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .transform((v) => v ?? undefined)
      .describe("Subject, prompting style, ..."),
    source: SourceSchema.nullable()
      .optional()
      .transform((v) => v ?? undefined)
      .describe("Provenance of the record."),
  })
  .refine((r) => (r.score !== undefined && r.score !== null) || (r.correct !== undefined && r.correct !== null), {
    message: "a record needs a score or a correct flag",
    path: ["score"],
  });
export type RawRecord = z.infer<typeof RawRecordSchema>;

/** A record as stored in a snapshot: canonical ids, and the name the source used. */
export const EvalRecordSchema = z
  .object({
    dataset: IdSchema.describe("Canonical dataset id."),
    model: IdSchema.describe("Canonical model id."),
    instance_id: NonEmpty.describe("Item id, unique within the dataset."),
    input: z.string().describe("The item as posed."),
    reference: z.string().describe("The reference answer."),
    output: z.string().describe("The model's raw output."),
    score: z.number().nullable().describe("Numeric score, or null when the source gave only correct/incorrect."),
    correct: z.boolean().nullable().describe("Correctness from the source, or null when only a score was given."),
    extracted: z.string().optional().describe("Answer the original scorer extracted."),
    prompt: z.string().optional().describe("The full prompt sent."),
    reference_text: z.string().optional().describe("Text of the reference option."),
    metadata: z.record(z.string(), z.unknown()).optional().describe("Subject, prompting style, ..."),
    source: SourceSchema.optional().describe("Provenance."),
    source_model: NonEmpty.describe("The model name as the source spelled it, before alias mapping."),
  })
  .strict();
export type EvalRecord = z.infer<typeof EvalRecordSchema>;

// ---------------------------------------------------------------------------------------------
// Fast paths of the record schemas. Every command reads every record of a snapshot (tens of
// thousands), and the schemas' own parse costs ~10 µs a record. EvalRecord's is compiled from the
// schema (src/lib/fastparse.ts); RawRecord's, which converts answers, is written out below. Both
// accept only values the schema accepts and returns the same for; anything else (every invalid
// record among them) goes through the schema itself, so what is accepted and the error messages
// stay the schema's. tests/schemas-fast.test.ts checks them against the schemas.

const isString = (v: unknown): v is string => typeof v === "string";
const isNonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;
/** Named's test: a printable ASCII first character settles it without a regular expression. */
const isNamed = (v: unknown): v is string => {
  if (typeof v !== "string") return false;
  const c = v.charCodeAt(0);
  return (c > 32 && c < 127) || /\S/.test(v);
};
const isOptString = (v: unknown) => v === undefined || typeof v === "string";
const isSource = (v: unknown) =>
  isPlain(v) && isOptString(v.repo) && isOptString(v.commit) && isOptString(v.path) && isOptString(v.file);

/** EvalRecordSchema.safeParse with a fast path compiled from the schema (src/lib/fastparse.ts): a valid record comes back as is. */
export const parseEvalRecord = fastParser(EvalRecordSchema);

/** An answer as AnswerValue reads it, or null when the fast path does not apply (use the schema). */
function answerText(v: unknown): { text: string | undefined } | null {
  if (v === null) return { text: undefined };
  if (typeof v === "string") return { text: v };
  if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean" || Array.isArray(v))
    return { text: JSON.stringify(v) };
  return null;
}

/** RawRecordSchema.safeParse, with the fast path above: the same RawRecord the schema gives. */
export function parseRawRecord(v: unknown): z.ZodSafeParseResult<RawRecord> {
  if (
    isPlain(v) &&
    isNamed(v.dataset) &&
    isNamed(v.model) &&
    isNonEmpty(v.instance_id) &&
    isString(v.input) &&
    isString(v.output) &&
    (v.score == null || (typeof v.score === "number" && Number.isFinite(v.score))) &&
    (v.correct == null || typeof v.correct === "boolean") &&
    (v.score != null || v.correct != null) &&
    (v.prompt == null || typeof v.prompt === "string") &&
    (v.reference_text == null || typeof v.reference_text === "string") &&
    (v.metadata == null || isPlain(v.metadata)) &&
    (v.source == null || isSource(v.source))
  ) {
    const reference = answerText(v.reference);
    const extracted = v.extracted === undefined ? { text: undefined } : answerText(v.extracted);
    if (reference?.text !== undefined && extracted) {
      return {
        success: true,
        data: {
          dataset: v.dataset,
          model: v.model,
          instance_id: v.instance_id,
          input: v.input,
          reference: reference.text,
          output: v.output,
          score: v.score as number | null | undefined,
          correct: v.correct as boolean | null | undefined,
          extracted: extracted.text,
          prompt: (v.prompt ?? undefined) as string | undefined,
          reference_text: (v.reference_text ?? undefined) as string | undefined,
          metadata: (v.metadata ?? undefined) as Record<string, unknown> | undefined,
          source: (v.source ?? undefined) as RawRecord["source"],
        },
      };
    }
  }
  return RawRecordSchema.safeParse(v);
}

/** The stable key of a record: one model's answer to one item of one dataset. */
export function recordKey(r: Pick<EvalRecord, "dataset" | "model" | "instance_id">): string {
  return `${r.dataset}|${r.model}|${r.instance_id}`;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export const SnapshotDatasetSchema = z.object({
  records: z.number().int().nonnegative().describe("Records of this dataset."),
  failures: z.number().int().nonnegative().describe("Records that count as failures."),
  items: z.number().int().nonnegative().describe("Distinct instance ids."),
  models: z.array(IdSchema).describe("Models with records on it, sorted."),
  threshold: z.number().nullable().describe("Score threshold in force (null when every record has a correct flag)."),
  mean_score: z.number().nullable().describe("Mean score over records that have one."),
  file: NonEmpty.describe("Records file, relative to the snapshot folder."),
  sha256: z.string().length(64).describe("SHA-256 of the records file."),
});

export const SnapshotManifestSchema = z
  .object({
    id: IdSchema.describe("Snapshot id."),
    base: IdSchema.nullable().describe("Snapshot this one was started from, if any."),
    records: z.number().int().nonnegative().describe("Total records."),
    failures: z.number().int().nonnegative().describe("Total failures."),
    datasets: z.record(IdSchema, SnapshotDatasetSchema).describe("Per dataset, keyed by id."),
    models: z.array(IdSchema).describe("Every model in the snapshot, sorted."),
    inputs: z
      .array(z.object({ name: NonEmpty, sha256: z.string().length(64), records: z.number().int() }))
      .describe("Files imported into this snapshot (base names), with their hashes; base snapshots' inputs first."),
    registry_sha256: z.string().length(64).describe("Hash of the registry the records were mapped with."),
    sha256: z.string().length(64).describe("Hash over every records file: the snapshot's content hash."),
  })
  .strict();
export type SnapshotManifest = z.infer<typeof SnapshotManifestSchema>;

// ---------------------------------------------------------------------------------------------
// Judges and analyses

export const JudgeNameSchema = z.enum(["heuristic", "openai"]).describe("Which judge produced an analysis.");
export type JudgeName = z.infer<typeof JudgeNameSchema>;

/** One criterion a correct answer needs, checked against the failed output (openai judge). */
export const CriterionSchema = z.object({
  criterion: z.string().describe("What a correct answer needs."),
  present: z.boolean().describe("Whether the failed output meets it."),
  quality: z.enum(["good", "partial", "poor", "absent"]).describe("How well it meets it."),
  evidence: z.string().describe("A span quoted from the failed output, or empty."),
});

/** What a judge says about one failure. The openai judge's structured output has this shape. */
export const JudgeVerdictSchema = z.object({
  criteria: z.array(CriterionSchema).describe("Criteria a correct answer needs, each checked."),
  title: z.string().describe("Short name of the first major error: the missing skill, not the symptom."),
  summary: z.string().describe("One or two sentences explaining the error."),
  evidence: z.array(z.string()).describe("Spans quoted from the output (or input/reference) that show it."),
  confidence: z.number().min(0).max(1).describe("The judge's confidence, 0 to 1."),
});
export type JudgeVerdict = z.infer<typeof JudgeVerdictSchema>;

export const AnalysisSchema = z
  .object({
    key: NonEmpty.describe("Record key: dataset|model|instance_id."),
    dataset: IdSchema.describe("Canonical dataset id of the record."),
    model: IdSchema.describe("Canonical model id of the record."),
    instance_id: NonEmpty.describe("Item id of the record."),
    judge: JudgeNameSchema.describe("Judge that produced the analysis."),
    judge_model: z.string().describe("Judge model name ('rules' for the heuristic judge)."),
    prompt_version: z.string().describe("Version of the prompt (or rule set) that produced it."),
    status: z.enum(["ok", "judge_error"]).describe("judge_error: the judge gave no valid answer (counted, shown)."),
    rule: z.string().nullable().describe("Heuristic rule that fired, or null."),
    title: z.string().describe("Short title of the first major error."),
    summary: z.string().describe("One or two sentences."),
    evidence: z.array(z.string()).describe("Quoted spans."),
    confidence: z.number().min(0).max(1).describe("The judge's confidence, 0 to 1 (0 for unexplained failures)."),
    criteria: z.array(CriterionSchema).optional().describe("Criteria checked (openai judge)."),
    category: NonEmpty.describe("Id of the leaf category it was classified into."),
    error: z.string().optional().describe("What went wrong when status is judge_error."),
    record_sha256: z
      .string()
      .length(64)
      .optional()
      .describe(
        "Hash of the record content the judge read (input, reference, output, score): an earlier analysis is reused only while it matches.",
      ),
    disputed: z
      .boolean()
      .optional()
      .describe(
        "true when the failure is on a disputed item (most models agree against the reference) that no review has settled yet; absent otherwise.",
      ),
    judged_category: NonEmpty.optional().describe(
      "The judge's own leaf when a review moved the failure elsewhere (a reviewed reference error); absent otherwise.",
    ),
  })
  .strict();
export type Analysis = z.infer<typeof AnalysisSchema>;

/**
 * AnalysisSchema.safeParse with a fast path compiled from the schema: the site reads hundreds of
 * thousands of analyses at atlas scale, and the schema's own parse took a third of that (README "Performance").
 */
export const parseAnalysis = fastParser(AnalysisSchema);

// ---------------------------------------------------------------------------------------------
// Taxonomy

/** What a category says about a failure, used for a dataset's "not about its skill" and noise shares. */
export const FacetSchema = z
  .enum(["skill", "format", "noise", "unexplained", "other"])
  .describe(
    "skill: the failure is about a capability; format: output form, length, refusal; noise: grader or data noise; unexplained / other: not placed.",
  );
export type Facet = z.infer<typeof FacetSchema>;

export const CategorySchema = z
  .object({
    id: NonEmpty.describe("Stable id; kept across releases while the category continues."),
    slug: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
      .describe("URL slug; never changes once released."),
    name: NonEmpty.describe("Name (at most 5 words)."),
    description: z.string().describe("Definition (at most 30 words)."),
    parent: z.string().nullable().describe("Parent category id; null at the top level."),
    facet: FacetSchema.describe("What kind of failure the category holds."),
    old_slugs: z.array(z.string()).default([]).describe("Slugs this category had in earlier releases (redirects)."),
    lineage: z
      .array(z.object({ kind: z.enum(["renamed", "merged_from", "split_from"]), id: NonEmpty, release: z.string() }))
      .default([])
      .describe("Where the category came from in earlier releases."),
  })
  .strict();
export type Category = z.infer<typeof CategorySchema>;

export const TaxonomySchema = z
  .object({
    version: z.string().describe("Taxonomy version (heuristic rule-set version, or the release that induced it)."),
    judge: JudgeNameSchema.describe("Judge whose analyses the taxonomy organises."),
    categories: z.array(CategorySchema).describe("Every category, parents before children, in display order."),
    retired: z.array(CategorySchema).default([]).describe("Categories of the previous release that no longer exist."),
  })
  .strict();
export type Taxonomy = z.infer<typeof TaxonomySchema>;

// ---------------------------------------------------------------------------------------------
// Aggregates

export const IntervalSchema = z.tuple([z.number(), z.number()]).describe("95% bootstrap interval [low, high].");

export const ShareSchema = z
  .object({
    category: NonEmpty.describe("Category id."),
    count: z.number().int().nonnegative().describe("Failures in this category."),
    share: z.number().min(0).max(1).describe("count / failures of the group."),
    ci: IntervalSchema.describe("95% bootstrap interval of the share."),
  })
  .strict();
export type Share = z.infer<typeof ShareSchema>;

export const GroupSchema = z
  .object({
    records: z.number().int().nonnegative().describe("Records of the group."),
    failures: z.number().int().nonnegative().describe("Failures of the group (analysed or not)."),
    analysed: z.number().int().nonnegative().describe("Failures with a valid analysis: the shares' denominator."),
    judge_errors: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        "Failures whose analysis is a judge_error: counted in failures, not in the shares' denominator (analysed).",
      ),
    accuracy: z.number().min(0).max(1).describe("1 − failures / records."),
    shares: z.array(ShareSchema).describe("Share of the group's analysed failures per category (leaves and parents)."),
  })
  .strict();
export type Group = z.infer<typeof GroupSchema>;

// ---------------------------------------------------------------------------------------------
// Reviews: people's verdicts on disputed items and on the judge's analyses (data/reviews/)

const DaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in hex");

export const ItemVerdictSchema = z
  .enum(["reference-wrong", "reference-right", "ambiguous"])
  .describe("A person's verdict on a disputed item's reference.");
export type ItemVerdict = z.infer<typeof ItemVerdictSchema>;

export const FailureVerdictSchema = z
  .enum(["agree", "disagree", "unsure"])
  .describe(
    "A person's verdict on a judge's analysis: title, summary, evidence and category all right (agree) or not.",
  );
export type FailureVerdict = z.infer<typeof FailureVerdictSchema>;

/** One reviewed item, a line of data/reviews/items.jsonl. */
export const ItemReviewSchema = z
  .object({
    dataset: IdSchema.describe("Dataset of the item."),
    instance_id: NonEmpty.describe("Item id."),
    reference_sha256: Sha256Schema.describe(
      "SHA-256 of the reference text reviewed: the review applies while the reference is unchanged.",
    ),
    verdict: ItemVerdictSchema,
    note: z.string().describe("The reviewer's reason, in their words."),
    reviewer: NonEmpty.describe("Who reviewed."),
    date: DaySchema.describe("Day of the review (UTC)."),
  })
  .strict();
export type ItemReview = z.infer<typeof ItemReviewSchema>;

/** One reviewed analysis, a line of data/reviews/failures.jsonl. */
export const FailureReviewSchema = z
  .object({
    key: NonEmpty.describe("Record key of the failure: dataset|model|instance_id."),
    analysis_sha256: Sha256Schema.describe(
      "Hash of the analysis reviewed: the review applies to every release whose analysis of the record has this hash.",
    ),
    verdict: FailureVerdictSchema,
    note: z.string().describe("The reviewer's reason, in their words."),
    reviewer: NonEmpty.describe("Who reviewed."),
    date: DaySchema.describe("Day of the review (UTC)."),
    release: IdSchema.describe("The release the reviewed sheet was drawn from."),
  })
  .strict();
export type FailureReview = z.infer<typeof FailureReviewSchema>;

/** releases/<id>/reviews.json: the reviews that apply to the release, copied into it (and hashed with it). */
export const ReleaseReviewsSchema = z
  .object({
    items: z
      .array(ItemReviewSchema)
      .describe("Item reviews applying to the release, sorted by dataset and instance id."),
    failures: z
      .array(FailureReviewSchema)
      .describe("Failure reviews applying to the release, sorted by key and analysis hash."),
  })
  .strict();
export type ReleaseReviews = z.infer<typeof ReleaseReviewsSchema>;

/** A disputed item's review as the aggregates show it. */
export const SuspectItemReviewSchema = z
  .object({
    verdict: ItemVerdictSchema,
    note: z.string().describe("The reviewer's reason."),
    reviewer: NonEmpty.describe("Who reviewed."),
    date: DaySchema.describe("Day of the review (UTC)."),
  })
  .strict();
export type SuspectItemReview = z.infer<typeof SuspectItemReviewSchema>;

/** Measured precision of a judge on reviewed failures. */
export const ReviewStatsSchema = z
  .object({
    n: z.number().int().nonnegative().describe("Reviewed failures."),
    agree: z.number().int().nonnegative().describe("Reviews agreeing with the analysis."),
    disagree: z.number().int().nonnegative().describe("Reviews disagreeing with it."),
    unsure: z.number().int().nonnegative().describe("Reviews that could not tell."),
    precision: z.number().min(0).max(1).nullable().describe("agree / (agree + disagree); null when that is 0."),
    ci_low: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe("Wilson 95% interval of the precision, low end (null with precision)."),
    ci_high: z.number().min(0).max(1).nullable().describe("Wilson 95% interval of the precision, high end."),
  })
  .strict();
export type ReviewStats = z.infer<typeof ReviewStatsSchema>;

export const ReviewsAggregateSchema = z
  .object({
    overall: ReviewStatsSchema.describe("Every reviewed failure of the release."),
    categories: z
      .record(NonEmpty, ReviewStatsSchema)
      .describe("Per category of the taxonomy (the judge's own leaf; parents sum their leaves)."),
  })
  .strict();
export type ReviewsAggregate = z.infer<typeof ReviewsAggregateSchema>;

export const SuspectItemSchema = z
  .object({
    dataset: IdSchema.describe("Dataset of the item."),
    instance_id: NonEmpty.describe("Item id."),
    reference: z.string().describe("The reference the consensus disagrees with."),
    consensus: z.string().describe("The answer most models give."),
    agreeing: z.array(IdSchema).describe("Models giving the consensus answer."),
    models: z.number().int().describe("Models with a record on the item."),
    reference_sha256: Sha256Schema.optional().describe(
      "SHA-256 of the item's reference text (what an item review is tied to).",
    ),
    failures: z.number().int().nonnegative().optional().describe("Failures on the item."),
    review: SuspectItemReviewSchema.nullable()
      .optional()
      .describe(
        "null: disputed, to review; else the review that settled it (reference-wrong moves the consensus failures to the reviewed reference-error category).",
      ),
  })
  .strict();
export type SuspectItem = z.infer<typeof SuspectItemSchema>;

export const ComparisonSchema = z
  .object({
    a: IdSchema.describe("First model of the pair (ids sorted)."),
    b: IdSchema.describe("Second model of the pair."),
    datasets: z.array(IdSchema).describe("Datasets both models have records on; the comparison uses only these."),
    a_failures: z.number().int().describe("Analysed failures of model a on the shared datasets."),
    b_failures: z.number().int().describe("Analysed failures of model b on the shared datasets."),
    categories: z
      .array(
        z.object({
          category: NonEmpty.describe("Leaf category id."),
          a_count: z.number().int().describe("Failures of a in the category."),
          b_count: z.number().int().describe("Failures of b in the category."),
          a_share: z.number().describe("a_count / a_failures."),
          b_share: z.number().describe("b_count / b_failures."),
          diff: z.number().describe("a_share − b_share."),
          p: z.number().describe("Two-sided p-value of the two-proportion test."),
          q: z.number().describe("Benjamini–Hochberg adjusted p-value across the pair's categories."),
          significant: z.boolean().describe("q < 0.05."),
          test: z
            .enum(["z", "fisher"])
            .optional()
            .describe(
              "Test used: pooled two-proportion z-test, or Fisher's exact when an expected cell count is below 5.",
            ),
        }),
      )
      .describe("Leaf categories, sorted by |diff| descending."),
  })
  .strict();
export type Comparison = z.infer<typeof ComparisonSchema>;

export const AggregatesSchema = z
  .object({
    seed: z.number().int().describe("Seed of the bootstrap resampling."),
    bootstrap: z.number().int().describe("Bootstrap resamples per interval."),
    overall: GroupSchema.describe("Every analysed failure of the release."),
    models: z
      .record(IdSchema, GroupSchema.extend({ datasets: z.array(IdSchema) }))
      .describe("Per model, with the datasets it has records on."),
    datasets: z
      .record(
        IdSchema,
        GroupSchema.extend({
          models: z.array(IdSchema).describe("Models with records on the dataset."),
          off_skill_share: z
            .number()
            .describe("Share of analysed failures not about the skill the dataset claims (format, noise)."),
          noise_share: z.number().describe("Share of analysed failures that look like grader or data noise."),
          suspect_items: z
            .array(SuspectItemSchema)
            .describe("Disputed items (most models contradict the reference), reviewed or to review."),
        }),
      )
      .describe("Per dataset, with its error profile."),
    pairs: z.array(GroupSchema.extend({ model: IdSchema, dataset: IdSchema })).describe("Per (model, dataset)."),
    signatures: z
      .record(
        IdSchema,
        z.array(
          z.object({
            category: NonEmpty.describe("Leaf category id."),
            share: z.number().describe("The model's share of its analysed failures."),
            peer_share: z.number().describe("Mean share of the peers on the same datasets."),
            diff: z.number().describe("share − peer_share."),
          }),
        ),
      )
      .describe("Per model: its leaf shares against the mean of peers on the same datasets."),
    comparisons: z.array(ComparisonSchema).describe("Pairs of models sharing at least one dataset."),
    reviews: ReviewsAggregateSchema.optional().describe("Precision of the judge measured on failures people reviewed."),
  })
  .strict();
export type Aggregates = z.infer<typeof AggregatesSchema>;
/** AggregatesSchema.safeParse with a fast path compiled from the schema (a release of 100 models holds ~40 MB of them). */
export const parseAggregates = fastParser(AggregatesSchema);

// ---------------------------------------------------------------------------------------------
// Releases

export const UsageSchema = z.object({
  calls: z.number().int().nonnegative().describe("Judge requests."),
  prompt_tokens: z.number().int().nonnegative().describe("Prompt tokens."),
  completion_tokens: z.number().int().nonnegative().describe("Completion tokens."),
  cost_usd: z.number().nonnegative().describe("Estimated from the judge model's price table; 0 when unknown."),
  cached_tokens: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe(
      "Of the prompt tokens, those the endpoint served from its prompt cache (usage.prompt_tokens_details.cached_tokens), priced at the cached-input rate; absent when none.",
    ),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ReleaseSchema = z
  .object({
    id: IdSchema.describe("Release id (used in URLs)."),
    title: z.string().describe("Human title of the release."),
    snapshot: IdSchema.describe("Snapshot the release analyses."),
    snapshot_sha256: z.string().length(64).describe("Content hash of that snapshot (manifest sha256)."),
    previous: IdSchema.nullable().describe("The release this one follows (taxonomy continuity, changelog)."),
    judge: JudgeNameSchema.describe("Judge of the item analyses."),
    judge_model: z.string().describe("Judge model name ('rules' for the heuristic judge)."),
    base_url: z.string().nullable().describe("Judge endpoint base URL (no key), null for heuristic."),
    prompt_versions: z.record(z.string(), z.string()).describe("Versions of every prompt or rule set used."),
    seed: z.number().int().describe("Seed of sampling and bootstrap intervals."),
    sample: z.number().min(0).max(1).describe("Ratio of failures analysed per (model, dataset)."),
    code_version: z.string().describe("Version of ErrorAtlas that produced it."),
    counts: z
      .object({
        records: z.number().int().describe("Records of the snapshot."),
        failures: z.number().int().describe("Failures of the snapshot."),
        selected: z.number().int().describe("Failures selected for analysis (after sampling)."),
        analysed: z.number().int().describe("Analyses with a valid judge answer."),
        judge_errors: z.number().int().describe("Selected failures the judge gave no valid answer for."),
        unexplained: z.number().int().describe("Analysed failures placed in an 'unexplained' category."),
        categories: z.number().int().describe("Leaf categories holding at least one failure."),
        datasets: z.number().int().describe("Datasets in the snapshot."),
        models: z.number().int().describe("Models in the snapshot."),
        reviewed: z.number().int().optional().describe("Analysed failures with a review that applies to this release."),
        agree: z.number().int().optional().describe("Reviews agreeing with the analysis."),
        disagree: z.number().int().optional().describe("Reviews disagreeing with the analysis."),
        unsure: z.number().int().optional().describe("Reviews that could not tell."),
        noise: z
          .number()
          .int()
          .optional()
          .describe("Analysed failures in a noise-facet category (grader noise, reviewed reference errors)."),
        disputed_items: z.number().int().optional().describe("Disputed items no review has settled yet."),
      })
      .describe("What the release holds."),
    usage: UsageSchema.describe(
      "Tokens and estimated cost of every judge answer this release is built from (cached ones included), so it is the same on every re-run.",
    ),
    files: z.record(z.string(), z.string().length(64)).describe("SHA-256 of every output file of the release."),
    published: z
      .object({
        inputs_sha256: z
          .string()
          .length(64)
          .describe("Hash of what produced the release (snapshot, judge, prompts, seed, code version)."),
        outputs_sha256: z.string().length(64).describe("Hash of the release's output files."),
        date: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .optional()
          .describe("Day the release was published (UTC), for the feed and citations."),
      })
      .nullable()
      .describe("Set by `errormap release publish`: the release is then immutable."),
  })
  .strict();
export type Release = z.infer<typeof ReleaseSchema>;

/**
 * data/published.json: one entry per published release, written by `errormap release publish`
 * and committed by the maintainer. It lives outside the release, so a release whose files and
 * release.json were edited together still differs from the digest recorded when it was published.
 */
export const PublishedEntrySchema = z
  .object({
    release: IdSchema.describe("Release id."),
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .nullable()
      .describe(
        "Day the release was published (UTC), as its release.json says; null for releases published without one.",
      ),
    digest: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe(
        "SHA-256 over the release's files as published: release.json (key-sorted JSON), its output files (reviews.json included where present) and cache-keys.txt.",
      ),
  })
  .strict();
export type PublishedEntry = z.infer<typeof PublishedEntrySchema>;
export const PublishedListSchema = z
  .array(PublishedEntrySchema)
  .describe("Every published release, sorted by date then id.");

/**
 * What the last `errormap run` of a release did. Unlike the release files it changes from run to
 * run (a re-run makes no calls), so it lives apart in run.json and is not part of the release's hash.
 */
export const RunLogSchema = z
  .object({
    release: IdSchema.describe("Release id."),
    failures: z.number().int().describe("Failures in the snapshot."),
    analysed: z.number().int().describe("Failures with a valid analysis."),
    analysis_calls: z.number().int().describe("Item analyses that needed a new judge call in this run."),
    cached: z.number().int().describe("Item analyses answered from the cache in this run."),
    judge_errors: z.number().int().describe("Failures the judge gave no valid answer for."),
    taxonomy_calls: z.number().int().describe("Judge calls made for taxonomy induction in this run."),
    classify_calls: z.number().int().describe("Judge calls made for classification in this run."),
    usage: UsageSchema.describe("New calls of this run only."),
    wall_seconds: z.number().describe("Wall time of the run in seconds."),
    stages: z
      .record(z.string(), z.number())
      .optional()
      .describe(
        "Seconds per stage: select (load, contexts), judge (analyse; with an LLM also taxonomy and classification), classify, aggregate.",
      ),
  })
  .strict();
export type RunLog = z.infer<typeof RunLogSchema>;

/** The site-wide list of releases, newest first, read by the "a newer release exists" notice. */
export const ReleasesIndexSchema = z.object({
  latest: IdSchema.nullable().describe("The release the site shows as current."),
  releases: z
    .array(z.object({ id: IdSchema, title: z.string(), published: z.boolean(), previous: IdSchema.nullable() }))
    .describe("Every release, newest first."),
});
export type ReleasesIndex = z.infer<typeof ReleasesIndexSchema>;
