// The owner of releases/<id>/taxonomy.json (README "Data layout"): its path, reading and its bytes.
import { readFileSync } from "node:fs";
import { stableJson } from "../jsonio.ts";
import { layout, RELEASE_FILE } from "../paths.ts";
import { TaxonomySchema, type Taxonomy } from "../schemas.ts";
import { parseJsonWith } from "./errors.ts";

export const taxonomyPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.taxonomy);

/** Release `id`'s taxonomy, validated. */
export function readTaxonomy(root: string, id: string): Taxonomy {
  const path = taxonomyPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => TaxonomySchema.parse(v));
}

/** Release `id`'s taxonomy.json as it is, not validated (the site's content collections validate it). */
export function readTaxonomyRaw(root: string, id: string): Record<string, unknown> {
  const path = taxonomyPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => v as Record<string, unknown>);
}

/** The bytes of taxonomy.json: the taxonomy validated, key-sorted. */
export const taxonomyText = (taxonomy: unknown): string => stableJson(TaxonomySchema.parse(taxonomy));
