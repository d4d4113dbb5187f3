// The site model for pages, built once per build from the content collections plus the releases'
// bulk files and the records pages show (read from disk, see src/content.config.ts), and shared by
// every page (a module-level promise: pages never re-read or re-validate files).
import { getCollection } from "astro:content";
import { dataRoot } from "../paths.ts";
import { attachShownRecords, readBulkEntries, recordsFor, siteInput } from "./fsdata.ts";
import { buildSite, type Site } from "./model.ts";
import { attachDataRoot } from "./attempted.ts";

let cached: Promise<Site> | null = null;

export function getSite(): Promise<Site> {
  cached ??= (async () => {
    const [releases, taxonomies, snapshots, models, datasets, registries] = await Promise.all([
      getCollection("releases"),
      getCollection("taxonomies"),
      getCollection("snapshots"),
      getCollection("models"),
      getCollection("datasets"),
      getCollection("registries"),
    ]);
    const root = dataRoot();
    const { aggregates, analyses } = readBulkEntries(root);
    const site = buildSite(
      siteInput({ releases, taxonomies, aggregates, analyses, snapshots, records: [], models, datasets, registries }),
    );
    attachShownRecords(site, recordsFor(root));
    attachDataRoot(site, root);
    return site;
  })();
  return cached;
}
