// The one way a data file's problem is told: "<file>: line N, field a.b: message" (README, "The
// `errormap` command": bad input names the file, the line and the field). Every owner of a data
// file (src/lib/data/) reports through it, on the command line and in the site's build alike.
import { z } from "zod";

/** One line for a parse error: a zod error's first issue with its field (its message is a JSON list), else the message. */
export function problemText(e: unknown): string {
  if (e instanceof z.ZodError) {
    const issue = e.issues[0];
    return `${issue?.path.length ? `field ${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid"}`;
  }
  return (e as Error).message.split("\n")[0];
}

/** "<file>: line N, field a.b: message" (no line for a whole-file JSON document). */
export function dataProblem(file: string, line: number | null, e: unknown): string {
  return `${file}: ${line === null ? "" : `line ${line}, `}${problemText(e)}`;
}

/** The error an owner throws for a file that does not read or validate. */
export function dataError(file: string, line: number | null, e: unknown): Error {
  return new Error(dataProblem(file, line, e));
}

/** Parses and validates one JSON document, any problem told by `dataError`. */
export function parseJsonWith<T>(text: string, file: string, line: number | null, parse: (v: unknown) => T): T {
  try {
    return parse(JSON.parse(text));
  } catch (e) {
    throw dataError(file, line, e);
  }
}

/** A safeParse result's data, or its error told by `dataError`. */
export function checked<T>(r: z.ZodSafeParseResult<T>, file: string, line: number | null): T {
  if (!r.success) throw dataError(file, line, r.error);
  return r.data;
}
