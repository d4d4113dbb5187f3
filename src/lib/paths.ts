// Where the data root is: --data DIR, else ERRORMAP_DATA, else ./data. Every layout path of
// the README's "Data layout" is computed here and nowhere else.
import { join, resolve } from "node:path";

export function dataRoot(flag?: string): string {
  return resolve(flag || process.env.ERRORMAP_DATA || "data");
}

export const layout = (root: string) => ({
  root,
  registry: join(root, "registry"),
  modelsFile: join(root, "registry", "models.json"),
  datasetsFile: join(root, "registry", "datasets.json"),
  snapshots: join(root, "snapshots"),
  snapshot: (id: string) => join(root, "snapshots", id),
  cache: join(root, "cache"),
  releases: join(root, "releases"),
  /** The digest of every published release, recorded outside the releases (scripts/pipeline/published.ts). */
  publishedFile: join(root, "published.json"),
  release: (id: string) => join(root, "releases", id),
  reviews: join(root, "reviews"),
  itemReviewsFile: join(root, "reviews", "items.jsonl"),
  failureReviewsFile: join(root, "reviews", "failures.jsonl"),
  /** Lock files of running commands (scripts/lib/lock.ts); never committed. */
  locks: join(root, "locks"),
  runLock: join(root, "locks", "run.lock"),
  releaseLock: (id: string) => join(root, "locks", `release-${id}.lock`),
});
export type Layout = ReturnType<typeof layout>;
