// The owner of releases/<id>/aggregates.json (README "Data layout"): its path, reading (with the
// schema's fast parse, src/lib/fastparse.ts) and its bytes.
import { readFileSync } from "node:fs";
import { stableJson } from "../jsonio.ts";
import { layout, RELEASE_FILE } from "../paths.ts";
import { parseAggregates, type Aggregates } from "../schemas.ts";
import { checked, parseJsonWith } from "./errors.ts";

export const aggregatesPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.aggregates);

/** Release `id`'s aggregates, validated. */
export function readAggregates(root: string, id: string): Aggregates {
  const path = aggregatesPath(root, id);
  return checked(parseAggregates(readAggregatesRaw(root, id)), path, null);
}

/** Release `id`'s aggregates.json as it is, not validated (the site validates it with `parseAggregates`). */
export function readAggregatesRaw(root: string, id: string): Record<string, unknown> {
  const path = aggregatesPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => v as Record<string, unknown>);
}

/** The bytes of aggregates.json (already validated aggregates). */
export const aggregatesText = (aggregates: Aggregates): string => stableJson(aggregates);
