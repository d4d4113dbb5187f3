// The demo's fictional reviewer. The generator knows what it meant every demo record to be (its
// kind: a loop, a refusal, a deliberately wrong reference...), so it can fill a release's review
// sheets the way a careful person would: the review kit then runs on the demo exactly as a
// maintainer runs it (draw the sheets, fill verdicts, import), and the built demo site shows
// measured precision and a reviewed reference error. The verdicts are the generator's ground
// truth, not a reading by anyone, and the pages say the reviewer is fictional.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { recordKey } from "../../src/lib/schemas.ts";
import { LEAF } from "../judges/heuristic/taxonomy.ts";
import { disputedSheet, ITEM_SHEET_COLUMNS } from "../review/disputed.ts";
import { importReviewSheet } from "../review/import.ts";
import { FAILURE_SHEET_COLUMNS, sampleSheet } from "../review/sample.ts";
import { readSheet, writeSheet } from "../review/sheet.ts";
import { generateDemo } from "./generate.ts";
import type { Kind } from "./kinds.ts";
import { DEMO_MODELS } from "./registry.ts";

export const DEMO_REVIEWER = "Demo reviewer (fictional)";

/** The leaf each generated failure kind is meant to land in (a plain wrong answer: no rule applies). */
const EXPECTED: Record<Exclude<Kind, "correct">, string> = {
  wrong: LEAF.unexplained,
  empty: LEAF.empty,
  refusal: LEAF.refusal,
  truncated: LEAF.truncated,
  repetition: LEAF.repetition,
  no_answer: LEAF.noAnswer,
  equivalent: LEAF.equivalent,
  near_miss: LEAF.nearMiss,
  abandoned: LEAF.abandoned,
  format: LEAF.answerFormat,
  too_short: LEAF.tooShort,
  language: LEAF.language,
  suspect: REFERENCE_ERROR.id,
  arith_slip: LEAF.arithmetic,
  echo: LEAF.echo,
  unanswerable: LEAF.declaredUnanswerable,
  several: LEAF.severalAnswers,
  unpublished: LEAF.notPublished,
};

/** Record key (canonical ids) → the kind the generator meant, and the items whose reference it wrote wrong. */
function demoTruth(): { kinds: Map<string, Kind>; badReferences: Set<string> } {
  const idOf = new Map(DEMO_MODELS.map((m) => [m.name, m.id]));
  const kinds = new Map<string, Kind>();
  const badReferences = new Set<string>();
  for (const [dataset, recs] of generateDemo())
    for (const { record, kind } of recs) {
      kinds.set(
        recordKey({ dataset, model: idOf.get(record.model) ?? record.model, instance_id: record.instance_id }),
        kind,
      );
      if (kind === "suspect") badReferences.add(`${dataset}|${record.instance_id}`);
    }
  return { kinds, badReferences };
}

/** Fills a drawn sheet row by row and imports it into the release as the demo reviewer. */
async function fillAndImport(
  root: string,
  release: string,
  sheet: string,
  columns: readonly string[],
  fill: (cells: Record<string, string>) => { verdict: string; note: string },
  date: string,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "errormap-demo-review-"));
  try {
    const drawn = join(dir, "drawn.csv");
    writeFileSync(drawn, sheet);
    const rows = (await readSheet(drawn)).rows.map(({ cells }) => ({ ...cells, ...fill(cells) }));
    const filled = join(dir, "filled.csv");
    writeFileSync(filled, writeSheet(columns, rows));
    return (await importReviewSheet(root, release, filled, { reviewer: DEMO_REVIEWER, date })).imported;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Reviews a demo release: first its disputed items (the generator's deliberately wrong keys are
 * reference errors; any other dispute is the models' shared mistake), then a sample of
 * `perCategory` failures per category, each agreed with when the judge's category is the one the
 * generator meant.
 */
export async function reviewDemoRelease(
  root: string,
  release: string,
  date: string,
  perCategory = 6,
): Promise<{ items: number; failures: number }> {
  const { kinds, badReferences } = demoTruth();
  const items = await fillAndImport(
    root,
    release,
    disputedSheet(root, release).text,
    ITEM_SHEET_COLUMNS,
    (c) =>
      badReferences.has(`${c.dataset}|${c.instance_id}`)
        ? {
            verdict: "reference-wrong",
            note: "The demo generator wrote this item's reference wrong on purpose; the models' answer is the right one.",
          }
        : {
            verdict: "reference-right",
            note: "The demo generator's reference is right; the models share one mistake.",
          },
    date,
  );
  const failures = await fillAndImport(
    root,
    release,
    sampleSheet(root, release, { perCategory, seed: 0 }).text,
    FAILURE_SHEET_COLUMNS,
    (c) => {
      const kind = kinds.get(c.key!);
      if (!kind || kind === "correct") return { verdict: "unsure", note: "Not a failure the demo generator made." };
      const expected = EXPECTED[kind];
      return c.category === expected
        ? { verdict: "agree", note: `Generated as "${kind}".` }
        : { verdict: "disagree", note: `Generated as "${kind}", which belongs in ${expected}.` };
    },
    date,
  );
  return { items, failures };
}
