// How people's reviews are worded on pages: the judge's measured precision on failures checked by
// hand, and the verdicts on disputed items (README "Reviews"). Figures come from the aggregates;
// this module only says them.
import type { ItemVerdict, ReviewStats } from "../schemas.ts";
import { pct1 } from "./charts.ts";
import { plural } from "./text.ts";

/** A precision with its Wilson 95% interval, e.g. "precision 85.0% (95% interval 64.0–94.8%)". */
export function precisionText(s: ReviewStats): string {
  if (s.precision === null) return "no precision yet";
  const ci =
    s.ci_low !== null && s.ci_high !== null
      ? ` (95% interval ${pct1(s.ci_low).replace("%", "")}–${pct1(s.ci_high)})`
      : "";
  return `precision ${pct1(s.precision)}${ci}`;
}

/** "Checked by hand: n failures, precision p (95% interval lo–hi)", or that nothing was checked yet. */
export function checkedByHand(s: ReviewStats): string {
  if (s.n === 0) return "Not yet checked by hand";
  if (s.precision === null)
    return `Checked by hand: ${plural(s.n, "failure")}, ${s.n === 1 ? "marked" : "all marked"} unsure: no precision yet`;
  return `Checked by hand: ${plural(s.n, "failure")}, ${precisionText(s)}`;
}

/** The verdict counts behind a precision: "12 agree, 3 disagree, 1 unsure". */
export const verdictCounts = (s: ReviewStats): string => `${s.agree} agree, ${s.disagree} disagree, ${s.unsure} unsure`;

/** What a person's verdict on a disputed item's reference says. */
export const ITEM_VERDICTS: Record<ItemVerdict, string> = {
  "reference-wrong": "Reference wrong",
  "reference-right": "Reference right",
  ambiguous: "Ambiguous",
};
