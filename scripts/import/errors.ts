// Import errors always name the file, the line (or row, or instance id) and the field.
import type { z } from "zod";

export class ImportError extends Error {
  readonly file: string;
  readonly where: string;
  readonly field: string | null;
  readonly detail: string;
  constructor(file: string, where: string, field: string | null, detail: string) {
    super(`${file}: ${where}${field ? `, field "${field}"` : ""}: ${detail}`);
    this.file = file;
    this.where = where;
    this.field = field;
    this.detail = detail;
  }
}

/** Turns the first zod issue into an ImportError. */
export function fromZod(file: string, where: string, error: z.ZodError): ImportError {
  const issue = error.issues[0];
  const field = issue.path.length ? issue.path.join(".") : null;
  let detail = issue.message;
  if (issue.code === "invalid_type") {
    detail = issue.message.includes("received undefined") ? "missing required field" : issue.message;
  }
  return new ImportError(file, where, field, detail);
}
