// Content collections of the atlas: the files the site reads from the data root, validated with
// the project's schemas (src/lib/schemas.ts) as Astro loads it. The data root is ERRORMAP_DATA or
// ./data (src/lib/paths.ts). Pages read these through src/lib/site/load.ts, which indexes them once.
// A release's bulk files (aggregates, analyses) and the records they analyse are not collections:
// they are read from disk (validated with the same schemas) by readBulkEntries, because Astro
// serialises its content store into the build, and at atlas scale that alone cost more time and
// memory than the pages (README "Performance").
import { defineCollection } from "astro:content";
import type { Loader } from "astro/loaders";
import {
  DatasetEntrySchema,
  ModelEntrySchema,
  RegistrySchema,
  ReleaseSchema,
  SnapshotManifestSchema,
  TaxonomySchema,
} from "./lib/schemas.ts";
import { dataRoot } from "./lib/paths.ts";
import {
  readDatasets,
  readModels,
  readReleaseRegistries,
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
  snapshots: defineCollection({ loader: fromDataRoot("snapshots", readSnapshots), schema: SnapshotManifestSchema }),
  models: defineCollection({ loader: fromDataRoot("models", readModels), schema: ModelEntrySchema }),
  datasets: defineCollection({ loader: fromDataRoot("datasets", readDatasets), schema: DatasetEntrySchema }),
  /** Each release's frozen copy of the registry entries it used: its pages keep their names. */
  registries: defineCollection({ loader: fromDataRoot("registries", readReleaseRegistries), schema: RegistrySchema }),
};
