// `errormap release publish`: freeze a release. Its inputs (snapshot hash, judge settings, prompt
// versions, seed, code version) and outputs (every release file) are hashed into release.json;
// from then on `errormap run` refuses to touch it, even with --force, and `errormap doctor`
// reports any byte that changed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sha256, sha256File, stableJson, writeJsonAtomic } from "../../src/lib/jsonio.ts";
import { layout } from "../../src/lib/paths.ts";
import { IdSchema, ReleaseSchema, type Release } from "../../src/lib/schemas.ts";
import { lockRelease } from "./locks.ts";
import { loadRelease } from "./releases.ts";
import { addPublished, assertNotRecorded, publishedEntry } from "./published.ts";

export const RELEASE_FILES = ["taxonomy.json", "analyses.jsonl", "aggregates.json", "registry.json"] as const;

/**
 * The output files of a release: the four every release has, and reviews.json (the reviews that
 * apply to it) in releases made since reviews exist. Older releases keep their hash as it was.
 */
export function releaseFiles(r: Pick<Release, "files">): string[] {
  return [...RELEASE_FILES, ...("reviews.json" in r.files ? ["reviews.json"] : [])];
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
export function outputsHash(root: string, id: string, names: readonly string[] = RELEASE_FILES): { hash: string; files: Record<string, string> } {
  const dir = layout(root).release(id);
  const files: Record<string, string> = {};
  for (const f of names) {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`release "${id}": missing ${f}`);
    files[f] = sha256File(p);
  }
  return { hash: sha256(stableJson(files)), files };
}

/**
 * Publishing is an event with a date; the date is recorded once, never regenerated. It holds the
 * release's lock (scripts/pipeline/locks.ts), so a release that a run or a review import is
 * writing is refused rather than published and then replaced.
 */
export function publishRelease(root: string, id: string, date = new Date().toISOString().slice(0, 10)): Release {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`--date must be YYYY-MM-DD, not "${date}"`);
  const idCheck = IdSchema.safeParse(id);
  if (!idCheck.success) throw new Error(`release id "${id}": ${idCheck.error.issues[0].message}`);
  const lock = lockRelease(root, id, `errormap release publish --release ${id}`, "publish");
  try {
    return publishLocked(root, id, date);
  } finally {
    lock.release();
  }
}

function publishLocked(root: string, id: string, date: string): Release {
  const r = loadRelease(root, id);
  if (!r) throw new Error(`no release "${id}" in ${layout(root).releases}`);
  if (r.published) throw new Error(`release "${id}" is already published`);
  assertNotRecorded(root, id);
  const { hash, files } = outputsHash(root, id, releaseFiles(r));
  for (const f of releaseFiles(r)) {
    if (r.files[f] !== files[f]) {
      throw new Error(`release "${id}": ${f} changed since the run wrote it (hash differs from release.json); re-run the release before publishing`);
    }
  }
  const published = ReleaseSchema.parse({ ...r, published: { inputs_sha256: inputsHash(r), outputs_sha256: hash, date } });
  writeJsonAtomic(join(layout(root).release(id), "release.json"), published);
  // The digest goes outside the release, into data/published.json (scripts/pipeline/published.ts).
  addPublished(root, [publishedEntry(root, published)]);
  return published;
}
