// Content collections of the atlas: every file the site reads from the data root, validated with
// the project's schemas (src/lib/schemas.ts) as Astro loads it. The data root is ERRORMAP_DATA or
// ./data (src/lib/paths.ts). Pages read these through src/lib/site/load.ts, which indexes them once.
import { defineCollection } from "astro:content";
import type { Loader } from "astro/loaders";
import {
  AggregatesSchema,
  AnalysisSchema,
  DatasetEntrySchema,
  EvalRecordSchema,
  ModelEntrySchema,
  RegistrySchema,
  ReleaseSchema,
  SnapshotManifestSchema,
  TaxonomySchema,
} from "./lib/schemas.ts";
import { dataRoot } from "./lib/paths.ts";
import {
  readAggregates,
  readAnalyses,
  readDatasets,
  readModels,
  readReleaseRegistries,
  readRecords,
  readReleases,
  readSnapshots,
  readTaxonomies,
  type RawEntry,
} from "./lib/site/fsdata.ts";

/** A loader that replaces the collection with what `read` finds in the data root, validated. */
function fromDataRoot(name: string, read: (root: string) => RawEntry[]): Loader {
  return {
    name: `errormap-${name}`,
    load: async ({ store, parseData }) => {
      store.clear();
      for (const e of read(dataRoot())) {
        store.set({ id: e.id, data: await parseData({ id: e.id, data: e.data }) });
      }
    },
  };
}

export const collections = {
  releases: defineCollection({ loader: fromDataRoot("releases", readReleases), schema: ReleaseSchema }),
  taxonomies: defineCollection({ loader: fromDataRoot("taxonomies", readTaxonomies), schema: TaxonomySchema }),
  aggregates: defineCollection({ loader: fromDataRoot("aggregates", readAggregates), schema: AggregatesSchema }),
  analyses: defineCollection({ loader: fromDataRoot("analyses", readAnalyses), schema: AnalysisSchema }),
  snapshots: defineCollection({ loader: fromDataRoot("snapshots", readSnapshots), schema: SnapshotManifestSchema }),
  records: defineCollection({ loader: fromDataRoot("records", readRecords), schema: EvalRecordSchema }),
  models: defineCollection({ loader: fromDataRoot("models", readModels), schema: ModelEntrySchema }),
  datasets: defineCollection({ loader: fromDataRoot("datasets", readDatasets), schema: DatasetEntrySchema }),
  /** Each release's frozen copy of the registry entries it used: its pages keep their names. */
  registries: defineCollection({ loader: fromDataRoot("registries", readReleaseRegistries), schema: RegistrySchema }),
};
