// The owner of releases/<id>/run.json (README "Data layout"): what the last run of a release did.
import { existsSync, readFileSync } from "node:fs";
import { layout, RELEASE_FILE } from "../paths.ts";
import { RunLogSchema, type RunLog } from "../schemas.ts";
import { parseJsonWith } from "./errors.ts";

export const runLogPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.run);

/** Release `id`'s run.json, validated; null when it has none (it is not committed). */
export function readRunLog(root: string, id: string): RunLog | null {
  const path = runLogPath(root, id);
  return existsSync(path) ? parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => RunLogSchema.parse(v)) : null;
}
