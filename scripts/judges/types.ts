// What every judge is given about one failure, and what it answers.
import type { DatasetEntry, EvalRecord, JudgeVerdict, Usage } from "../../src/lib/schemas.ts";

/** Everything a judge may look at for one failed record. */
export interface FailureContext {
  /** The failed record. */
  record: EvalRecord;
  /** Registry entry of its dataset (task type, metric, skill). */
  dataset: DatasetEntry;
  /** Up to 3 correct outputs of other models on the same item, chosen deterministically. */
  correctPeers: EvalRecord[];
  /** Every record on the same item (this one included), sorted by model id: used for consensus. */
  itemRecords: EvalRecord[];
  /** Accuracy of every model on this dataset (0..1), to tell strong models from weak ones. */
  modelAccuracy: ReadonlyMap<string, number>;
  /**
   * Whether the source published this model's output texts on this dataset (see
   * scripts/pipeline/select.ts sourceOutputsByModel): "unpublished" when a record of it scored
   * correct has no output text (the grader read an output the source left out), "published" when
   * none does and some record has output text, else "unknown". Absent means unknown.
   */
  sourceOutputs?: SourceOutputs;
}

export type SourceOutputs = "published" | "unpublished" | "unknown";

/** A verdict of the heuristic judge: which rule fired and the leaf category it puts the failure in. */
export interface RuleVerdict extends JudgeVerdict {
  /** Id of the rule that fired; "unexplained" when none did. */
  rule: string;
  /** Leaf category id in the heuristic taxonomy. */
  category: string;
}

/** A verdict of an LLM judge, with the usage of the call that produced it (0s when cached). */
export interface LlmVerdict {
  verdict: JudgeVerdict | null;
  /** Why there is no verdict (after retries): the failure is then recorded as a judge error. */
  error?: string;
  cached: boolean;
  usage: Usage;
}
