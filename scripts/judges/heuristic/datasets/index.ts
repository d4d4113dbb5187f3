// The dataset plug-in point of the heuristic judge: what the rules know about one dataset in
// particular (its scorer's quirks, the tags of its references, rules that only make sense for it),
// keyed by the registry's dataset id. One module per dataset; docs/heuristic-plugins.md tells how to
// add one. A plug-in reads only the record (its text, reference, extracted answer and metadata), so
// nothing here adds to the judge's cache key (scripts/judges/heuristic/index.ts ruleContext).
//
// Plug-in modules import nothing at run time from scripts/lib/consensus.ts, which asks this registry
// about scorer markers (scorerGaveNoAnswer): that keeps the two free of an import cycle.
import type { EvalRecord } from "../../../../src/lib/schemas.ts";
import type { Rule } from "../rule.ts";
import type { DatasetPlugin } from "./plugin.ts";
import { BBQ } from "./bbq.ts";
import { THEOREMQA } from "./theoremqa.ts";

export type { DatasetPlugin } from "./plugin.ts";

/** Every plug-in; a dataset without one is judged by the generic rules only. */
export const PLUGINS: readonly DatasetPlugin[] = [BBQ, THEOREMQA];

const byId = new Map(PLUGINS.map((p) => [p.id, p]));

/** The plug-in of a registry dataset id, if it has one. */
export function pluginFor(datasetId: string): DatasetPlugin | undefined {
  return byId.get(datasetId);
}

/** Whether the record's extracted answer is its dataset scorer's "nothing extracted" marker. */
export function scorerGaveNoAnswer(r: EvalRecord): boolean {
  return byId.get(r.dataset)?.scorerGaveNoAnswer?.(r) ?? false;
}

/** The hook itemConsensus takes (scripts/lib/consensus.ts ConsensusOptions.neverDisputed). */
export function neverDisputed(first: EvalRecord): boolean {
  return byId.get(first.dataset)?.neverDisputed?.(first) ?? false;
}

/**
 * The plug-ins' rules as entries of RULES: each runs only on its own dataset's failures. Rule ids
 * are the plug-in's (unique across plug-ins: checked by tests/heuristic/datasets.test.ts).
 */
export const DATASET_RULES: readonly Rule[] = PLUGINS.flatMap((p) =>
  (p.rules ?? []).map((rule) => ({
    ...rule,
    fn: (ctx: Parameters<Rule["fn"]>[0]) => (ctx.record.dataset === p.id ? rule.fn(ctx) : null),
  })),
);
