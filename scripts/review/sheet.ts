// Review sheets: CSV files a person fills in a spreadsheet. Written with the site's CSV writer
// (src/lib/site/serialize.ts: RFC 4180, formula-like text prefixed with an apostrophe), read back
// with csv-parse. Rows are numbered as a spreadsheet shows them: the header is row 1; a problem is
// told as "<file>: row N, field F: message" (src/lib/data/errors.ts).
import { readFileSync } from "node:fs";
import type { z } from "zod";
import { problemAt } from "../../src/lib/data/errors.ts";
import { decodeUtf8 } from "../../src/lib/jsonio.ts";
import { toCsv, type CsvCell } from "../../src/lib/site/serialize.ts";

export interface SheetRow {
  /** Spreadsheet row number (the header is row 1). */
  row: number;
  cells: Record<string, string>;
}

export interface Sheet {
  file: string;
  columns: string[];
  rows: SheetRow[];
}

/** A sheet's text: the header, then one row per entry, cells in the columns' order. */
export function writeSheet(columns: readonly string[], rows: Record<string, CsvCell>[]): string {
  return toCsv(
    [...columns],
    rows.map((r) => columns.map((c) => r[c])),
  );
}

/** csvCell writes text that starts like a formula with a leading apostrophe; reading takes it off. */
function unprotect(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Reads a sheet: header row, then rows of the same width (errors name the file and row). */
export async function readSheet(file: string): Promise<Sheet> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(problemAt(file, null, null, `cannot read (${(e as Error).message})`));
  }
  // A sheet saved in another encoding than UTF-8 is an error naming the line, not notes full of U+FFFD.
  const text = decodeUtf8(bytes, file);
  const { parse } = await import("csv-parse/sync");
  let table: string[][];
  try {
    table = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false }) as string[][];
  } catch (e) {
    throw new Error(problemAt(file, null, null, `not a valid CSV sheet: ${(e as Error).message}`));
  }
  if (table.length === 0) throw new Error(problemAt(file, null, null, "empty sheet (no header row)"));
  const columns = table[0]!.map((c) => c.trim());
  const seen = new Set<string>();
  columns.forEach((c) => {
    if (!c) throw new Error(problemAt(file, "row 1", null, "a column has no name"));
    if (seen.has(c)) throw new Error(problemAt(file, "row 1", c, "the column appears twice"));
    seen.add(c);
  });
  const rows = table.slice(1).map((cells, i) => ({
    row: i + 2,
    cells: Object.fromEntries(columns.map((c, j) => [c, unprotect(cells[j] ?? "")])),
  }));
  return { file, columns, rows };
}

/** Errors of a sheet, collected so a person sees every bad row at once. */
export class SheetErrors {
  readonly lines: string[] = [];
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  add(row: number, field: string, message: string): void {
    this.lines.push(problemAt(this.file, `row ${row}`, field, message));
  }
  /** A row's zod error: its first issue, the column (the issue's first path segment) as the field. */
  addZod(row: number, e: z.ZodError): void {
    const issue = e.issues[0];
    this.add(row, String(issue?.path[0] ?? "row"), issue?.message ?? "invalid");
  }
  /** Throws one error listing them all (at most 50), if any. */
  throwIfAny(what: string): void {
    if (this.lines.length === 0) return;
    const shown = this.lines.slice(0, 50);
    const more = this.lines.length > shown.length ? [`... and ${this.lines.length - shown.length} more`] : [];
    throw new Error([`${this.lines.length} problem(s) in the sheet; ${what}:`, ...shown, ...more].join("\n"));
  }
}
