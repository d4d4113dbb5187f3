// `errormap release publish`: freeze a release. Its inputs (snapshot hash, judge settings, prompt
// versions, seed, code version) and outputs (every release file) are hashed into release.json;
// from then on `errormap run` refuses to touch it, even with --force, and `errormap doctor`
// reports any byte that changed.
import { writeReleaseJson } from "../../src/lib/data/release.ts";
import { layout } from "../../src/lib/paths.ts";
import { IdSchema, ReleaseSchema, type Release } from "../../src/lib/schemas.ts";
import { lockRelease } from "../pipeline/locks.ts";
import { loadRelease } from "../pipeline/releases.ts";
import { addPublished, assertNotRecorded, publishedEntry } from "../pipeline/published.ts";
import { inputsHash, outputsHash, releaseFiles } from "../pipeline/release-files.ts";

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
      throw new Error(
        `release "${id}": ${f} changed since the run wrote it (hash differs from release.json); re-run the release before publishing`,
      );
    }
  }
  const published = ReleaseSchema.parse({
    ...r,
    published: { inputs_sha256: inputsHash(r), outputs_sha256: hash, date },
  });
  writeReleaseJson(layout(root).release(id), published);
  // The digest goes outside the release, into data/published.json (scripts/pipeline/published.ts).
  addPublished(root, [publishedEntry(root, published)]);
  return published;
}
