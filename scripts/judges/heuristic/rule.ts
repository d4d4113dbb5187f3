// What a rule of the heuristic judge is and what it answers: shared by the generic rules
// (rules.ts, arith/stated/relations.ts) and the dataset plug-ins (datasets/), which the rule list
// gathers, so none of them imports the list.
import type { FailureContext } from "../types.ts";
import type { LeafId } from "./taxonomy.ts";

export interface RuleHit {
  title: string;
  summary: string;
  evidence: string[];
  confidence: number;
}

export interface Rule {
  id: string;
  category: LeafId;
  fn: (ctx: FailureContext) => RuleHit | null;
}
