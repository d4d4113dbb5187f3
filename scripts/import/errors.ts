// Import errors always name the file, the line (or row, or instance id) and the field, in the one
// form every data problem takes: "<file>: line N, field a.b: message" (src/lib/data/errors.ts).
import type { z } from "zod";
import { problemAt, zodIssue } from "../../src/lib/data/errors.ts";

export class ImportError extends Error {
  readonly file: string;
  readonly where: string;
  readonly field: string | null;
  readonly detail: string;
  constructor(file: string, where: string, field: string | null, detail: string) {
    super(problemAt(file, where, field, detail));
    this.file = file;
    this.where = where;
    this.field = field;
    this.detail = detail;
  }
}

/** Turns the first zod issue into an ImportError (a field that is absent says so plainly). */
export function fromZod(file: string, where: string, error: z.ZodError): ImportError {
  const { field, message } = zodIssue(error);
  const issue = error.issues[0];
  const missing = issue?.code === "invalid_type" && message.includes("received undefined");
  return new ImportError(file, where, field, missing ? "missing required field" : message);
}
