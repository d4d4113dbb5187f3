// Where the data root is: --data DIR, else ERRORMAP_DATA, else ./data. Every layout path of
// the README's "Data layout" is computed here and nowhere else.
import { join, resolve } from "node:path";

export function dataRoot(flag?: string): string {
  return resolve(flag || process.env.ERRORMAP_DATA || "data");
}

/** The names of a release folder's files (README "Data layout"); their paths are `layout(root).releaseFile(id, name)`. */
export const RELEASE_FILE = {
  release: "release.json",
  taxonomy: "taxonomy.json",
  analyses: "analyses.jsonl",
  aggregates: "aggregates.json",
  reviews: "reviews.json",
  registry: "registry.json",
  run: "run.json",
  /** Hashes of the judge cache entries a release is built from, one a line: how `errormap doctor` tells orphans. */
  cacheKeys: "cache-keys.txt",
} as const;

/** The names of a snapshot folder's files: its manifest, and the folder of its records. */
export const SNAPSHOT_FILE = { manifest: "manifest.json", records: "records" } as const;

/** A file of a release or snapshot folder given by its path (a temporary folder a run writes before renaming it). */
export const fileIn = (folder: string, name: string) => join(folder, name);

export const layout = (root: string) => ({
  root,
  registry: join(root, "registry"),
  modelsFile: join(root, "registry", "models.json"),
  datasetsFile: join(root, "registry", "datasets.json"),
  snapshots: join(root, "snapshots"),
  snapshot: (id: string) => join(root, "snapshots", id),
  manifestFile: (id: string) => join(root, "snapshots", id, SNAPSHOT_FILE.manifest),
  recordsDir: (id: string) => join(root, "snapshots", id, SNAPSHOT_FILE.records),
  cache: join(root, "cache"),
  releases: join(root, "releases"),
  /** The digest of every published release, recorded outside the releases (scripts/pipeline/published.ts). */
  publishedFile: join(root, "published.json"),
  release: (id: string) => join(root, "releases", id),
  /** A file of release `id`: `name` is one of RELEASE_FILE. */
  releaseFile: (id: string, name: string) => join(root, "releases", id, name),
  reviews: join(root, "reviews"),
  itemReviewsFile: join(root, "reviews", "items.jsonl"),
  failureReviewsFile: join(root, "reviews", "failures.jsonl"),
  /** Lock files of running commands (scripts/lib/lock.ts); never committed. */
  locks: join(root, "locks"),
  runLock: join(root, "locks", "run.lock"),
  /** Held while an entry is added to published.json. */
  publishedLock: join(root, "locks", "published.lock"),
  releaseLock: (id: string) => join(root, "locks", `release-${id}.lock`),
});
export type Layout = ReturnType<typeof layout>;
