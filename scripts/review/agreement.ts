// `errormap review agreement`: how well a release agrees with a labelled set made by hand
// (docs/validation/labels.csv: key,label[,note]; a label is a category id or slug of the release's
// taxonomy, or "unexplained" for "no category fits"). Agreement = labels equal to the release's
// category of the failure / labelled keys found in the release; the confusion table crosses the
// labels (rows) with the release's categories (columns).
import { JUDGE_ERROR_CATEGORY } from "../../src/lib/reserved.ts";
import { loadReleaseContext } from "./context.ts";
import { readSheet, SheetErrors } from "./sheet.ts";

/** The label for "no category of the taxonomy fits the failure". */
export const UNEXPLAINED_LABEL = "unexplained";

export interface AgreementResult {
  release: string;
  labels: number;
  found: number;
  agree: number;
  /** agree / found; null when no labelled key is in the release. */
  agreement: number | null;
  /** Labelled keys that are no failure of the release. */
  missing: string[];
  /** label → release category → count. */
  confusion: Record<string, Record<string, number>>;
}

export async function agreementWith(root: string, releaseId: string, file: string): Promise<AgreementResult> {
  const { taxonomy, byKey } = loadReleaseContext(root, releaseId);
  const sheet = await readSheet(file);
  const errors = new SheetErrors(file);
  for (const c of sheet.columns)
    if (!["key", "label", "note"].includes(c))
      errors.add(1, c, "unknown column (a labels file has key, label and optionally note)");
  for (const c of ["key", "label"]) if (!sheet.columns.includes(c)) errors.add(1, c, "required column missing");
  errors.throwIfAny("no agreement computed");

  const cats = taxonomy.categories;
  const byIdOrSlug = new Map<string, string>();
  for (const c of cats) byIdOrSlug.set(c.slug, c.id);
  for (const c of cats) byIdOrSlug.set(c.id, c.id);
  const parentOf = new Map(cats.map((c) => [c.id, c.parent]));
  const facetOf = new Map(cats.map((c) => [c.id, c.facet]));
  const under = (leaf: string, cat: string) => {
    for (let c: string | null | undefined = leaf, n = 0; c && n < 100; c = parentOf.get(c), n++)
      if (c === cat) return true;
    return false;
  };

  const labels: { key: string; label: string }[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of sheet.rows) {
    const key = cells.key!.trim();
    const raw = cells.label!.trim();
    if (!key) errors.add(row, "key", "empty");
    else if (seen.has(key)) errors.add(row, "key", `"${key}" is labelled again (also on row ${seen.get(key)})`);
    else seen.set(key, row);
    const label = byIdOrSlug.get(raw) ?? (raw === UNEXPLAINED_LABEL ? UNEXPLAINED_LABEL : null);
    if (!label)
      errors.add(
        row,
        "label",
        `"${raw}" is no category id or slug of release "${releaseId}"'s taxonomy, nor "${UNEXPLAINED_LABEL}"`,
      );
    else if (key) labels.push({ key, label });
  }
  errors.throwIfAny("no agreement computed");

  const confusion: Record<string, Record<string, number>> = {};
  const missing: string[] = [];
  let agree = 0;
  for (const { key, label } of labels) {
    const a = byKey.get(key);
    if (!a) {
      missing.push(key);
      continue;
    }
    const got = a.status === "ok" ? a.category : JUDGE_ERROR_CATEGORY;
    const row = (confusion[label] ??= {});
    row[got] = (row[got] ?? 0) + 1;
    // A label agrees with the category itself or one under it; "unexplained" with any unexplained category.
    if (
      a.status === "ok" &&
      (label === UNEXPLAINED_LABEL && !facetOf.has(label) ? facetOf.get(got) === "unexplained" : under(got, label))
    )
      agree++;
  }
  const found = labels.length - missing.length;
  return {
    release: releaseId,
    labels: labels.length,
    found,
    agree,
    agreement: found ? Math.round((agree / found) * 1e6) / 1e6 : null,
    missing: missing.sort(),
    confusion,
  };
}

/** The confusion table as text rows: labels down, the release's categories across. */
export function confusionTable(r: AgreementResult): (string | number)[][] {
  const labels = Object.keys(r.confusion).sort();
  const columns = [...new Set(labels.flatMap((l) => Object.keys(r.confusion[l]!)))].sort();
  return [["label \\ release", ...columns], ...labels.map((l) => [l, ...columns.map((c) => r.confusion[l]![c] ?? 0)])];
}
