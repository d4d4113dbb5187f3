// The shape of a dataset plug-in (docs/heuristic-plugins.md), apart from the registry of plug-ins
// (index.ts) so that the plug-in modules and the registry do not import each other.
import type { EvalRecord } from "../../../../src/lib/schemas.ts";
import type { Rule } from "../rule.ts";

export interface DatasetPlugin {
  /** Registry dataset id (data/registry/datasets.json). */
  id: string;
  /**
   * Whether the record's `extracted` is the source scorer's marker for "extracted nothing" rather
   * than an answer (TheoremQA's scorer writes "0"). The answer is then read from the output.
   */
  scorerGaveNoAnswer?: (r: EvalRecord) => boolean;
  /** Items whose right answer is "cannot be determined" by design: never disputed by model consensus. */
  neverDisputed?: (first: EvalRecord) => boolean;
  /**
   * "Cannot be determined" can be the right answer on this dataset, so the generic
   * declared-unanswerable rule stays out (the plug-in's own rules say more).
   */
  unknownCanBeRight?: boolean;
  /** Rules for this dataset only, tried where DATASET_RULES stands in RULES (rules.ts). */
  rules?: readonly Rule[];
}
