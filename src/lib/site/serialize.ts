// Serialisers for what pages embed or offer for download: JSON-LD that cannot close its script tag,
// and CSV that spreadsheets cannot execute.

/**
 * JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` become \u escapes (so data
 * cannot write `</script>` or `<!--`), as do U+2028/U+2029. The result is still the same JSON value.
 */
export function safeJsonLd(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export type CsvCell = string | number | boolean | null | undefined;

/** One CSV cell (RFC 4180). Text starting like a formula gets a leading apostrophe (OWASP advice). */
export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV table with a header row, CRLF line ends as RFC 4180 asks. */
export function toCsv(columns: string[], rows: CsvCell[][]): string {
  return [columns, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
