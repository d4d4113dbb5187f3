// `errormap doctor`: checks a data root and says what is wrong and how to fix it.
//  - the registry validates, and covers every record of every snapshot;
//  - every snapshot's records match its manifest (hashes, counts);
//  - every release validates against its schemas;
//  - no published release was changed (hashes);
//  - no orphan or unreadable cache entries.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";
import { sha256File } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import { loadRegistry } from "../../src/lib/registry.ts";
import { AggregatesSchema, RegistrySchema, type Release } from "../../src/lib/schemas.ts";
import type { CacheEntry } from "../judges/cache.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { inputsHash, outputsHash, RELEASE_FILES } from "./publish.ts";
import { listReleases, loadReleaseAnalyses, readTaxonomy } from "./releases.ts";

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
      files = outputsHash(root, r.id).files;
    } catch (e) {
      add(dir, (e as Error).message, "restore the missing file");
    }
    for (const f of RELEASE_FILES) {
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

  // Cache: every entry readable, filed under its own hash, and used by some release.
  if (existsSync(L.cache)) {
    // Answers live two levels down (<judge>/<hash[0..2]>/<hash>.json); other files there (the batch
    // mode's state) are not answers.
    for (const p of fg.sync("*/*/*.json", { cwd: L.cache, absolute: true }).sort()) {
      checked.cache_entries++;
      const name = p.split("/").pop()!.replace(/\.json$/, "");
      let entry: CacheEntry<unknown>;
      try {
        entry = JSON.parse(readFileSync(p, "utf8"));
      } catch {
        add(p, "unreadable cache entry", "delete it; the next run asks the judge again");
        continue;
      }
      if (!entry?.key?.hash || entry.key.hash !== name) {
        add(p, "cache entry is filed under the wrong hash", "delete it; the next run asks the judge again");
        continue;
      }
      if (!referenced.has(name)) add(p, "orphan cache entry: no release uses it", "delete it, or keep it if a run you have not finished will need it");
    }
  }
  return { problems, checked };
}
