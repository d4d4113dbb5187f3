// `errormap review sample`: a stratified, seeded sample of a release's analysed failures, as a sheet
// a person fills (verdict: agree | disagree | unsure, and a note). N failures per leaf category
// of the judge (all when fewer), chosen by a hash of (seed, record key): the same seed draws the
// same sample, and a category's pick does not change when other categories change.
import { sha256 } from "../../src/lib/jsonio.ts";
import type { Analysis } from "../../src/lib/schemas.ts";
import { loadRecordsByKey, loadReleaseContext } from "./context.ts";
import { writeSheet } from "./sheet.ts";
import { analysisSha256 } from "./store.ts";

export const FAILURE_SHEET_COLUMNS = [
  "key",
  "dataset",
  "model",
  "instance_id",
  "category",
  "category_name",
  "judge",
  "rule",
  "title",
  "summary",
  "evidence",
  "input",
  "output",
  "reference",
  "analysis_sha256",
  "verdict",
  "note",
] as const;

export interface SampleOptions {
  perCategory?: number;
  seed?: number;
}

/** The sampled analyses, grouped by the judge's leaf in taxonomy order, each group by record key. */
export function drawSample(analyses: Analysis[], leafOrder: string[], perCategory: number, seed: number): Analysis[] {
  const byLeaf = new Map<string, Analysis[]>();
  for (const a of analyses) {
    if (a.status !== "ok") continue;
    const leaf = a.judged_category ?? a.category;
    (byLeaf.get(leaf) ?? byLeaf.set(leaf, []).get(leaf)!).push(a);
  }
  const order = [...leafOrder, ...[...byLeaf.keys()].filter((c) => !leafOrder.includes(c)).sort()];
  return order.flatMap((leaf) =>
    (byLeaf.get(leaf) ?? [])
      .map((a) => ({ a, rank: sha256(`${seed}|${a.key}`) }))
      .sort((x, y) => (x.rank < y.rank ? -1 : x.rank > y.rank ? 1 : 0))
      .slice(0, perCategory)
      .map((x) => x.a)
      .sort((x, y) => (x.key < y.key ? -1 : 1)),
  );
}

export function sampleSheet(
  root: string,
  releaseId: string,
  opts: SampleOptions = {},
): { text: string; rows: number; categories: number } {
  const perCategory = opts.perCategory ?? 10;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(perCategory) || perCategory < 1)
    throw new Error(`--per-category must be a positive integer, not ${perCategory}`);
  const { release, taxonomy, analyses } = loadReleaseContext(root, releaseId);
  const names = new Map(taxonomy.categories.map((c) => [c.id, c.name]));
  const sample = drawSample(
    analyses,
    taxonomy.categories.map((c) => c.id),
    perCategory,
    seed,
  );
  const records = loadRecordsByKey(root, release);
  const rows = sample.map((a) => {
    const r = records.get(a.key);
    if (!r)
      throw new Error(`release "${releaseId}": analysis ${a.key} has no record in snapshot "${release.snapshot}"`);
    const leaf = a.judged_category ?? a.category;
    return {
      key: a.key,
      dataset: a.dataset,
      model: a.model,
      instance_id: a.instance_id,
      category: leaf,
      category_name: names.get(leaf) ?? leaf,
      judge: `${a.judge} (${a.judge_model}, ${a.prompt_version})`,
      rule: a.rule ?? "",
      title: a.title,
      summary: a.summary,
      evidence: a.evidence.join(" | "),
      input: r.input,
      output: r.output,
      reference: r.reference,
      analysis_sha256: analysisSha256(a),
      verdict: "",
      note: "",
    };
  });
  return {
    text: writeSheet(FAILURE_SHEET_COLUMNS, rows),
    rows: rows.length,
    categories: new Set(sample.map((a) => a.judged_category ?? a.category)).size,
  };
}
