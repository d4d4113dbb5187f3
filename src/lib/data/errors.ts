// The one way a data file's problem is told: "<file>: line N, field a.b: message" (README, "The
// `errormap` command": bad input names the file, the line and the field). Every owner of a data
// file (src/lib/data/, the judge cache, the reviews store, data/published.json), the importers and
// the review sheets report through it, on the command line and in the site's build alike.
import { z } from "zod";

/**
 * Where in its file a problem is: a line number; a phrase where a line says less ("row 3" of a
 * sheet, "row 2 (line 3)" of a CSV, "entry 4" of a JSON list, "instance 17" of a HELM run); or
 * null for the file as a whole.
 */
export type Where = number | string | null;

/** "<file>: line N, field a.b: message", the place and the field each left out when not known. */
export function problemAt(file: string, where: Where, field: string | null, message: string): string {
  const place = [
    where === null ? "" : typeof where === "number" ? `line ${where}` : where,
    field ? `field ${field}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${file}: ${place ? `${place}: ` : ""}${message}`;
}

/** A zod error's first issue: its field (a dotted path; null for the value itself) and message. */
export function zodIssue(e: z.ZodError): { field: string | null; message: string } {
  const issue = e.issues[0];
  return { field: issue?.path.length ? issue.path.join(".") : null, message: issue?.message ?? "invalid" };
}

/** A problem's field and message: a zod error's first issue, JSON that does not parse, else the error's first line. */
function issueOf(e: unknown): { field: string | null; message: string } {
  if (e instanceof z.ZodError) return zodIssue(e);
  if (e instanceof SyntaxError) return { field: null, message: `not valid JSON: ${e.message}` };
  return { field: null, message: (e as Error).message.split("\n")[0]! };
}

/** One line for a parse error without its file: "field a.b: message", or the message. */
export function problemText(e: unknown): string {
  const { field, message } = issueOf(e);
  return `${field ? `field ${field}: ` : ""}${message}`;
}

/** "<file>: line N, field a.b: message" for an error (a zod error's first issue gives the field). */
export function dataProblem(file: string, where: Where, e: unknown): string {
  const { field, message } = issueOf(e);
  return problemAt(file, where, field, message);
}

/** The error an owner throws for a file that does not read or validate. */
export function dataError(file: string, where: Where, e: unknown): Error {
  return new Error(dataProblem(file, where, e));
}

/**
 * A zod error on a JSON document that is a list (the registry, data/published.json): placed as
 * "entry N" (from 0, the list's index), its field within the entry.
 */
export function listEntryError(file: string, e: z.ZodError): Error {
  const issue = e.issues[0];
  const [index, ...field] = issue?.path ?? [];
  return new Error(
    problemAt(
      file,
      index === undefined ? null : `entry ${String(index)}`,
      field.length ? field.join(".") : null,
      issue?.message ?? "invalid",
    ),
  );
}

/** Parses and validates one JSON document, any problem told by `dataError`. */
export function parseJsonWith<T>(text: string, file: string, where: Where, parse: (v: unknown) => T): T {
  try {
    return parse(JSON.parse(text));
  } catch (e) {
    throw dataError(file, where, e);
  }
}

/** A safeParse result's data, or its error told by `dataError`. */
export function checked<T>(r: z.ZodSafeParseResult<T>, file: string, where: Where): T {
  if (!r.success) throw dataError(file, where, r.error);
  return r.data;
}
