// A failure's own page: one model's output on one item, in full up to CUT_CHARS per text, with the
// judge's reading of it (README "The site"). Texts come from the item's records (../items.ts), not
// from the few records the category pages show.
import type { EvalRecord } from "../../schemas.ts";
import { analysisByKey, fileWhole, fullTextOf, itemOf, type Item, type TextField, type Whole } from "../items.ts";
import type { SiteRelease } from "../model.ts";
import type { SearchFacets } from "../search.ts";
import { paths } from "../urls.ts";
import { releaseRef, toExample, type Example, type ReleaseRef } from "./shared.ts";

export interface FailurePage {
  kind: "failure";
  release: ReleaseRef;
  path: string;
  /** The item's view: every model's output on the item. */
  item_path: string;
  dataset_path: string;
  /** The analysis with the record's texts (null where the data root lacks the record). */
  example: Example;
  score: number | null;
  /** Models that attempted the item (the item view lists them). */
  models_on_item: number;
  /** Where each text is whole when this page cuts it (its file, ../items.ts fullTextOf); null when shown whole. */
  whole: Record<TextField, Whole | null>;
  facets: SearchFacets;
}

/** The texts of a record on a failure page: null where the data root lacks the record. */
function withTexts(ex: Example, r: EvalRecord | undefined): Example {
  return {
    ...ex,
    input: r?.input ?? null,
    output: r?.output ?? null,
    reference: r?.reference ?? null,
    reference_text: r?.reference_text ?? null,
    extracted: r?.extracted ?? null,
  };
}

const wholeOf = (item: Item, r: EvalRecord | undefined): Record<TextField, Whole | null> => ({
  input: r ? fileWhole(fullTextOf(item, r, "input")) : null,
  output: r ? fileWhole(fullTextOf(item, r, "output")) : null,
  reference: r ? fileWhole(fullTextOf(item, r, "reference")) : null,
  reference_text: r ? fileWhole(fullTextOf(item, r, "reference_text")) : null,
});

/** The page of the analysed failure with record key `key`, or null when the release has none. */
export function failurePage(root: string, rel: SiteRelease, key: string): FailurePage | null {
  const a = analysisByKey(rel).get(key);
  if (!a) return null;
  const item = itemOf(root, rel, a.dataset, a.instance_id);
  const r = item.records.find((x) => x.model === a.model);
  const family = rel.models.get(a.model)?.family;
  const example = withTexts(toExample(rel, a), r);
  return {
    kind: "failure",
    release: releaseRef(rel),
    path: paths.failure(rel.id, a.dataset, a.instance_id, a.model),
    item_path: paths.item(rel.id, a.dataset, a.instance_id),
    dataset_path: paths.dataset(rel.id, a.dataset),
    example,
    score: r?.score ?? null,
    models_on_item: item.records.length,
    whole: wholeOf(item, r),
    facets: {
      kind: "failure",
      release: rel.id,
      datasets: [example.dataset_name],
      families: family ? [family] : [],
    },
  };
}
