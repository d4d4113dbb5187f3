// The site model for pages, built once per build from the content collections and shared by every
// page (a module-level promise: pages never re-read or re-validate files).
import { getCollection } from "astro:content";
import { siteInput } from "./fsdata.ts";
import { buildSite, type Site } from "./model.ts";

let cached: Promise<Site> | null = null;

export function getSite(): Promise<Site> {
  cached ??= (async () => {
    const [releases, taxonomies, aggregates, analyses, snapshots, records, models, datasets, registries] = await Promise.all([
      getCollection("releases"),
      getCollection("taxonomies"),
      getCollection("aggregates"),
      getCollection("analyses"),
      getCollection("snapshots"),
      getCollection("records"),
      getCollection("models"),
      getCollection("datasets"),
      getCollection("registries"),
    ]);
    return buildSite(siteInput({ releases, taxonomies, aggregates, analyses, snapshots, records, models, datasets, registries }));
  })();
  return cached;
}
