// Which items can be disputed by consensus at all. Most can; a dataset plug-in (the heuristic
// judge's per-dataset registry, scripts/judges/heuristic/datasets/) may say some never are, such as
// BBQ's ambiguous contexts, whose right answer is "cannot be determined" by design: there, most
// models naming a person is the bias BBQ measures, not a wrong reference. It holds whatever the
// judge, so the finalise stage asks it for every item's first record (scripts/lib/consensus.ts
// itemConsensus) in every release.
import { neverDisputed } from "../judges/heuristic/datasets/index.ts";
import type { NeverDisputed } from "./finalise.ts";

/** The dataset plug-ins' hook. */
export function neverDisputedHook(): NeverDisputed {
  return neverDisputed;
}
