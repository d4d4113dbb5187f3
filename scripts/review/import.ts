// `errormap review import`: stores a filled review sheet in the data root (data/reviews/*.jsonl)
// and re-finalises the release it was drawn from, without calling any judge. The sheet's kind is
// told by its columns (a failure sheet has `key`, an item sheet `dataset` and `instance_id`). Every
// row is validated first; any bad row (verdict, unknown key or item, duplicate, stale hash, unknown
// column) stops the import naming file, row and field, and nothing is stored. Rows with an empty
// verdict are skipped (counted). A published release is refused: reviews change a release.
import { userInfo } from "node:os";
import {
  FailureReviewSchema,
  FailureVerdictSchema,
  IdSchema,
  ItemReviewSchema,
  ItemVerdictSchema,
  type FailureReview,
  type ItemReview,
  type Release,
} from "../../src/lib/schemas.ts";
import { problemAt } from "../../src/lib/data/errors.ts";
import { neverDisputedHook } from "../pipeline/disputes.ts";
import { prepareRefinalise } from "../pipeline/finalise.ts";
import { lockRelease } from "../pipeline/locks.ts";
import { loadAggregates, loadReleaseContext } from "./context.ts";
import { ITEM_SHEET_COLUMNS } from "./disputed.ts";
import { FAILURE_SHEET_COLUMNS } from "./sample.ts";
import { readSheet, SheetErrors, type Sheet } from "./sheet.ts";
import { analysisSha256, itemId, mergeReviews, readReviews, writeReviews } from "./store.ts";

export interface ImportOptions {
  reviewer?: string;
  /** YYYY-MM-DD; default today (UTC). */
  date?: string;
  log?: (line: string) => void;
}

export interface ImportResult {
  kind: "failures" | "items";
  imported: number;
  skipped: number;
  release: Release;
}

/** Who reviews by default: $ERRORMAP_REVIEWER, else the OS user name. */
export function defaultReviewer(): string {
  const env = process.env.ERRORMAP_REVIEWER?.trim();
  if (env) return env;
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

const REQUIRED = {
  failures: ["key", "analysis_sha256", "verdict"],
  items: ["dataset", "instance_id", "reference_sha256", "verdict"],
} as const;

/** The sheet's kind from its columns; unknown or missing columns are errors on row 1. */
function sheetKind(sheet: Sheet): "failures" | "items" {
  const kind = sheet.columns.includes("key") ? "failures" : sheet.columns.includes("instance_id") ? "items" : null;
  if (!kind)
    throw new Error(
      problemAt(
        sheet.file,
        "row 1",
        null,
        `cannot tell the sheet's kind from its columns (a failure sheet has "key", an item sheet "dataset" and "instance_id"; see errormap review sample / review disputed)`,
      ),
    );
  const known = new Set<string>(kind === "failures" ? FAILURE_SHEET_COLUMNS : ITEM_SHEET_COLUMNS);
  const errors = new SheetErrors(sheet.file);
  for (const c of sheet.columns)
    if (!known.has(c))
      errors.add(
        1,
        c,
        `unknown column for a${kind === "items" ? "n item" : " failure"} sheet (known: ${[...known].join(", ")})`,
      );
  for (const c of REQUIRED[kind]) if (!sheet.columns.includes(c)) errors.add(1, c, "required column missing");
  errors.throwIfAny("nothing was stored");
  return kind;
}

const verdictError = (v: string, allowed: readonly string[]) =>
  `"${v}" is not a verdict here (one of ${allowed.join(", ")}, or empty to skip the row)`;

function failureRows(
  sheet: Sheet,
  releaseId: string,
  root: string,
  who: { reviewer: string; date: string },
  errors: SheetErrors,
) {
  const { byKey } = loadReleaseContext(root, releaseId);
  const out: FailureReview[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  for (const { row, cells } of sheet.rows) {
    const verdict = cells.verdict!.trim();
    const key = cells.key!.trim();
    if (!verdict) {
      skipped++;
      continue;
    }
    if (!FailureVerdictSchema.safeParse(verdict).success)
      errors.add(row, "verdict", verdictError(verdict, FailureVerdictSchema.options));
    if (seen.has(key)) {
      errors.add(row, "key", `"${key}" is reviewed again (also on row ${seen.get(key)})`);
      continue;
    }
    seen.set(key, row);
    const a = byKey.get(key);
    if (!a) {
      errors.add(row, "key", `no analysed failure "${key}" in release "${releaseId}"`);
      continue;
    }
    if (a.status !== "ok") {
      errors.add(
        row,
        "key",
        `"${key}" has no analysis to review in release "${releaseId}" (the judge gave no valid answer)`,
      );
      continue;
    }
    const hash = cells.analysis_sha256!.trim();
    if (hash !== analysisSha256(a)) {
      errors.add(
        row,
        "analysis_sha256",
        `does not match the analysis of "${key}" in release "${releaseId}" (it changed since the sheet was drawn: draw a new sheet with errormap review sample)`,
      );
      continue;
    }
    const r = FailureReviewSchema.safeParse({
      key,
      analysis_sha256: hash,
      verdict,
      note: (cells.note ?? "").trim(),
      ...who,
      release: releaseId,
    });
    if (r.success) out.push(r.data);
    else if (FailureVerdictSchema.safeParse(verdict).success) errors.addZod(row, r.error);
  }
  return { reviews: out, skipped };
}

function itemRows(
  sheet: Sheet,
  releaseId: string,
  root: string,
  who: { reviewer: string; date: string },
  errors: SheetErrors,
) {
  const aggregates = loadAggregates(root, releaseId);
  const items = new Map(
    Object.values(aggregates.datasets).flatMap((d) => d.suspect_items.map((s) => [itemId(s), s] as const)),
  );
  const out: ItemReview[] = [];
  const seen = new Map<string, number>();
  let skipped = 0;
  for (const { row, cells } of sheet.rows) {
    const verdict = cells.verdict!.trim();
    const id = itemId({ dataset: cells.dataset!.trim(), instance_id: cells.instance_id!.trim() });
    if (!verdict) {
      skipped++;
      continue;
    }
    if (!ItemVerdictSchema.safeParse(verdict).success)
      errors.add(row, "verdict", verdictError(verdict, ItemVerdictSchema.options));
    if (seen.has(id)) {
      errors.add(
        row,
        "instance_id",
        `item ${cells.dataset} / ${cells.instance_id} is reviewed again (also on row ${seen.get(id)})`,
      );
      continue;
    }
    seen.set(id, row);
    const item = items.get(id);
    if (!item) {
      errors.add(
        row,
        "instance_id",
        `no disputed item ${cells.dataset} / ${cells.instance_id} in release "${releaseId}" (see errormap review disputed)`,
      );
      continue;
    }
    const hash = cells.reference_sha256!.trim();
    if (!item.reference_sha256) {
      errors.add(
        row,
        "reference_sha256",
        `release "${releaseId}" was made before item reviews existed; re-run it first`,
      );
      continue;
    }
    if (hash !== item.reference_sha256) {
      errors.add(
        row,
        "reference_sha256",
        `does not match the reference of the item in release "${releaseId}" (it changed since the sheet was drawn)`,
      );
      continue;
    }
    const r = ItemReviewSchema.safeParse({
      dataset: item.dataset,
      instance_id: item.instance_id,
      reference_sha256: hash,
      verdict,
      note: (cells.note ?? "").trim(),
      ...who,
    });
    if (r.success) out.push(r.data);
    else if (ItemVerdictSchema.safeParse(verdict).success) errors.addZod(row, r.error);
  }
  return { reviews: out, skipped };
}

/**
 * Imports a sheet holding the release's lock (scripts/pipeline/locks.ts) from the release's first
 * read to its re-finalised write, so neither a run nor a publish can come in between.
 */
export async function importReviewSheet(
  root: string,
  releaseId: string,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const idCheck = IdSchema.safeParse(releaseId);
  if (!idCheck.success) throw new Error(`release id "${releaseId}": ${idCheck.error.issues[0].message}`);
  const lock = lockRelease(root, releaseId, `errormap review import --release ${releaseId}`, "import reviews into");
  try {
    return await importLocked(root, releaseId, file, opts);
  } finally {
    lock.release();
  }
}

async function importLocked(root: string, releaseId: string, file: string, opts: ImportOptions): Promise<ImportResult> {
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new Error(`--date must be YYYY-MM-DD, not "${date}"`);
  const reviewer = (opts.reviewer ?? defaultReviewer()).trim();
  if (!reviewer) throw new Error("--reviewer must not be empty");
  const { release } = loadReleaseContext(root, releaseId);
  if (release.published)
    throw new Error(
      `release "${releaseId}" is published and immutable: reviews change a release's figures; import them into a new, unpublished release (they carry forward to it)`,
    );

  const sheet = await readSheet(file);
  const kind = sheetKind(sheet);
  const errors = new SheetErrors(file);
  const who = { reviewer, date };
  const { reviews, skipped } =
    kind === "failures"
      ? failureRows(sheet, releaseId, root, who, errors)
      : itemRows(sheet, releaseId, root, who, errors);
  errors.throwIfAny("nothing was stored");

  // Re-finalise in memory first: if that fails, neither the reviews nor the release change.
  const merged = mergeReviews(
    readReviews(root),
    kind === "failures" ? { failures: reviews as FailureReview[] } : { items: reviews as ItemReview[] },
  );
  const prepared = prepareRefinalise(root, releaseId, {
    reviews: merged,
    neverDisputed: neverDisputedHook(),
    log: opts.log,
  });
  writeReviews(root, merged);
  prepared.commit();
  return { kind, imported: reviews.length, skipped, release: prepared.release };
}
