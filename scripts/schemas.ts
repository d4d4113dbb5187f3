// `npm run schemas`: JSON Schema files of every data shape (from src/lib/schemas.ts, the one
// source), for tools outside this project that read ErrorAtlas data. Written to docs/schemas/;
// a test checks they are up to date.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { stableJson, writeFileAtomic } from "../src/lib/jsonio.ts";
import * as S from "../src/lib/schemas.ts";

export const SCHEMA_FILES: Record<string, z.ZodType> = {
  "record.input": S.RawRecordSchema,
  record: S.EvalRecordSchema,
  "snapshot-manifest": S.SnapshotManifestSchema,
  registry: S.RegistrySchema,
  release: S.ReleaseSchema,
  taxonomy: S.TaxonomySchema,
  analysis: S.AnalysisSchema,
  aggregates: S.AggregatesSchema,
  "releases-index": S.ReleasesIndexSchema,
  "review.item": S.ItemReviewSchema,
  "review.failure": S.FailureReviewSchema,
  "release-reviews": S.ReleaseReviewsSchema,
  published: S.PublishedListSchema,
};

export const SCHEMA_DIR = resolve(import.meta.dirname, "../docs/schemas");

/** name.schema.json → its text. "record.input" describes what importers accept (before transforms). */
export function schemaTexts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, schema] of Object.entries(SCHEMA_FILES)) {
    const json = z.toJSONSchema(schema, { io: name.endsWith(".input") ? "input" : "output", unrepresentable: "any" });
    out.set(
      `${name}.schema.json`,
      stableJson({ $id: `https://erroratlas.example/schemas/${name}.schema.json`, ...json }),
    );
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const [file, text] of schemaTexts()) writeFileAtomic(join(SCHEMA_DIR, file), text);
  console.error(`wrote ${schemaTexts().size} JSON Schema files to ${SCHEMA_DIR}`);
}
