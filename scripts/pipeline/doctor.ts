// `errormap doctor`: checks a data root and says what is wrong and how to fix it.
//  - the registry validates, and covers every record of every snapshot;
//  - every snapshot's records match its manifest (hashes, counts);
//  - every release validates against its schemas;
//  - no published release was changed (hashes);
//  - no orphan or unreadable cache entries, no killed run's journal or old-layout folder left.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sha256File } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import { loadRegistry } from "../../src/lib/registry.ts";
import { AggregatesSchema, RegistrySchema, ReleaseReviewsSchema, type Release } from "../../src/lib/schemas.ts";
import { JOURNAL_NAME, OLD_DIR_NAME, SHARD_NAME, journalAbandoned, parseLines, shardOf } from "../judges/cache.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { inputsHash, outputsHash, releaseFiles } from "./publish.ts";
import { listReleases, loadReleaseAnalyses, readTaxonomy } from "./releases.ts";
import { readReviews } from "../review/store.ts";

export interface Problem {
  where: string;
  what: string;
  fix: string;
}

export const CACHE_KEYS_FILE = "cache-keys.txt";

export function doctor(root: string): { problems: Problem[]; checked: Record<string, number> } {
  const L = layout(root);
  const problems: Problem[] = [];
  const checked = { snapshots: 0, records: 0, releases: 0, cache_entries: 0 };
  const add = (where: string, what: string, fix: string) => problems.push({ where, what, fix });

  let registry;
  try {
    registry = loadRegistry(root);
  } catch (e) {
    add(L.registry, (e as Error).message, "correct the registry entry named above");
    return { problems, checked };
  }
  const models = new Set(registry.models.map((m) => m.id));
  const datasets = new Set(registry.datasets.map((d) => d.id));

  // Snapshots.
  const snapIds = existsSync(L.snapshots) ? readdirSync(L.snapshots, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith(".")).map((d) => d.name).sort() : [];
  for (const id of snapIds) {
    checked.snapshots++;
    let m;
    try {
      m = loadManifest(root, id);
    } catch (e) {
      add(L.snapshot(id), (e as Error).message, `re-import the snapshot with \`errormap import --snapshot ${id} --force ...\``);
      continue;
    }
    for (const [ds, d] of Object.entries(m.datasets)) {
      const p = join(L.snapshot(id), d.file);
      if (!existsSync(p)) add(p, "records file listed in the manifest is missing", `re-import snapshot ${id}`);
      else if (sha256File(p) !== d.sha256) add(p, `records of ${ds} changed since import (hash differs from manifest.json)`, `restore the file from version control, or re-import snapshot ${id} with --force`);
    }
    try {
      const unknownModels = new Set<string>();
      const unknownDatasets = new Set<string>();
      for (const r of loadRecords(root, m)) {
        checked.records++;
        if (!models.has(r.model)) unknownModels.add(r.model);
        if (!datasets.has(r.dataset)) unknownDatasets.add(r.dataset);
      }
      for (const x of unknownModels) add(L.snapshot(id), `model "${x}" is not in the registry`, `add an entry with id "${x}" to ${L.modelsFile}`);
      for (const x of unknownDatasets) add(L.snapshot(id), `dataset "${x}" is not in the registry`, `add an entry with id "${x}" to ${L.datasetsFile}`);
    } catch (e) {
      add(L.snapshot(id), (e as Error).message, `re-import snapshot ${id} with --force`);
    }
  }

  // Releases.
  const referenced = new Set<string>();
  let releases: Release[];
  try {
    releases = listReleases(root);
  } catch (e) {
    add(L.releases, (e as Error).message, "fix or re-run the release named above");
    releases = [];
  }
  for (const r of releases) {
    checked.releases++;
    const dir = L.release(r.id);
    try {
      readTaxonomy(root, r.id);
      loadReleaseAnalyses(root, r.id);
      AggregatesSchema.parse(JSON.parse(readFileSync(join(dir, "aggregates.json"), "utf8")));
      RegistrySchema.parse(JSON.parse(readFileSync(join(dir, "registry.json"), "utf8")));
      if ("reviews.json" in r.files) ReleaseReviewsSchema.parse(JSON.parse(readFileSync(join(dir, "reviews.json"), "utf8")));
    } catch (e) {
      add(dir, `does not validate: ${(e as Error).message.split("\n")[0]}`, r.published ? "restore the published files from version control" : `re-run with \`errormap run --release ${r.id} --force\``);
    }
    if (!snapIds.includes(r.snapshot)) add(dir, `its snapshot "${r.snapshot}" is missing`, `restore data/snapshots/${r.snapshot}`);
    else {
      try {
        if (loadManifest(root, r.snapshot).sha256 !== r.snapshot_sha256) {
          add(
            L.snapshot(r.snapshot),
            `snapshot "${r.snapshot}" changed since release "${r.id}" was built from it`,
            r.published ? `restore the snapshot from version control: published release "${r.id}" was built from the old one` : `re-run with \`errormap run --snapshot ${r.snapshot} --release ${r.id} --force\``,
          );
        }
      } catch {
        /* reported with the snapshots above */
      }
    }
    let files: Record<string, string> = {};
    try {
      files = outputsHash(root, r.id, releaseFiles(r)).files;
    } catch (e) {
      add(dir, (e as Error).message, "restore the missing file");
    }
    for (const f of releaseFiles(r)) {
      if (files[f] && files[f] !== r.files[f]) {
        add(join(dir, f), r.published ? "published release file was changed (hash differs)" : "file differs from the hash the run recorded", r.published ? "restore it from version control: published releases are immutable" : `re-run with \`errormap run --release ${r.id} --force\``);
      }
    }
    if (r.published && r.published.inputs_sha256 !== inputsHash(r)) {
      add(join(dir, "release.json"), "published release's recorded inputs were changed", "restore release.json from version control");
    }
    const keys = join(dir, CACHE_KEYS_FILE);
    if (existsSync(keys)) for (const h of readFileSync(keys, "utf8").split("\n")) if (h) referenced.add(h);
  }

  // Reviews: every line of data/reviews/*.jsonl valid, one review per item or analysis.
  try {
    readReviews(root);
  } catch (e) {
    add(L.reviews, (e as Error).message, "correct or delete the line named above, then re-import the sheet with `errormap review import`");
  }

  // Cache: every shard line readable and filed in its own shard, every entry used by some release,
  // no journal or old-layout folder left behind (other files there, the batch mode's state, are not answers).
  if (existsSync(L.cache)) {
    for (const judge of readdirSync(L.cache, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
      const dir = join(L.cache, judge);
      let oldDirs = 0;
      for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = join(dir, d.name);
        const shard = SHARD_NAME.exec(d.name)?.[1];
        if (d.isFile() && shard) {
          parseLines(readFileSync(p, "utf8")).forEach((e, i) => {
            checked.cache_entries++;
            const where = `${p}:${i + 1}`;
            if (!e) add(where, "unreadable cache entry", "delete the line; the next run asks the judge again");
            else if (shardOf(e.hash) !== shard) add(where, `cache entry ${e.hash} is filed in the wrong shard`, "delete the line; the next run asks the judge again");
            else if (!referenced.has(e.hash)) add(where, `orphan cache entry ${e.hash}: no release uses it`, "delete the line, or keep it if a run you have not finished will need it");
          });
        } else if (d.isFile() && JOURNAL_NAME.test(d.name) && journalAbandoned(d.name)) {
          add(p, "a killed run's journal: its answers are not in the shards yet", "nothing to do: the next run folds it in");
        } else if (d.isDirectory() && OLD_DIR_NAME.test(d.name)) oldDirs++;
      }
      if (oldDirs) add(dir, `${oldDirs} folder(s) of cache entries in the old one-file-per-answer layout`, "nothing to do: the next run converts them into shards");
    }
  }
  return { problems, checked };
}
