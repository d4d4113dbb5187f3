// The files of a release folder and their hashes: which files a release's hashes cover, and how
// publishing (scripts/commands/publish.ts), the published digests (published.ts) and `errormap
// doctor` (scripts/commands/doctor.ts) compute them. Apart from those three so none of them
// imports another for these.
import { existsSync } from "node:fs";
import { sha256, sha256File, stableJson } from "../../src/lib/jsonio.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import type { Release } from "../../src/lib/schemas.ts";

export const RELEASE_FILES = [
  RELEASE_FILE.taxonomy,
  RELEASE_FILE.analyses,
  RELEASE_FILE.aggregates,
  RELEASE_FILE.registry,
] as const;

/**
 * The output files of a release: the four every release has, and reviews.json (the reviews that
 * apply to it) in releases made since reviews exist. Older releases keep their hash as it was.
 */
export function releaseFiles(r: Pick<Release, "files">): string[] {
  return [...RELEASE_FILES, ...(RELEASE_FILE.reviews in r.files ? [RELEASE_FILE.reviews] : [])];
}

/** Hash of what produced the release: anyone with the same inputs can reproduce it. */
export function inputsHash(r: Release): string {
  return sha256(
    stableJson({
      snapshot: r.snapshot,
      snapshot_sha256: r.snapshot_sha256,
      judge: r.judge,
      judge_model: r.judge_model,
      prompt_versions: r.prompt_versions,
      seed: r.seed,
      sample: r.sample,
      code_version: r.code_version,
      previous: r.previous,
    }),
  );
}

/** Hash of the release's output files as they are on disk now. */
export function outputsHash(
  root: string,
  id: string,
  names: readonly string[] = RELEASE_FILES,
): { hash: string; files: Record<string, string> } {
  const L = layout(root);
  const files: Record<string, string> = {};
  for (const f of names) {
    const p = L.releaseFile(id, f);
    if (!existsSync(p)) throw new Error(`release "${id}": missing ${f}`);
    files[f] = sha256File(p);
  }
  return { hash: sha256(stableJson(files)), files };
}
