// data/published.json: the digest of every published release, recorded outside the release.
//
// A release's hashes (release.json `files`, `published.outputs_sha256`) live in the release
// itself, so whoever edits a file can edit its hash too, and release.json's own fields (title,
// counts, publication date) are hashed nowhere. The digest below covers every file of the release
// as it was published, release.json included; `errormap release publish` prints it and adds it to
// data/published.json, which the maintainer commits with the release. An entry is only ever
// added: `errormap doctor` checks every published release against it, and anyone auditing the
// atlas checks the file's history (README, "The maintainers' workflow"). This module is the only
// one that reads or writes data/published.json.
import { existsSync, readFileSync } from "node:fs";
import { decodeUtf8, sha256, sha256File, stableJson, writeFileAtomic } from "../../src/lib/jsonio.ts";
import { acquireLock } from "../lib/lock.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import { PublishedListSchema, type PublishedEntry, type Release } from "../../src/lib/schemas.ts";
import { inputsHash, outputsHash, releaseFiles } from "./release-files.ts";
import { listEntryError, parseJsonWith, problemAt, problemText } from "../../src/lib/data/errors.ts";
import { readReleaseRaw } from "../../src/lib/data/release.ts";

/** The files a publication digest covers, in the order they are hashed. */
export function digestFiles(root: string, r: Pick<Release, "id" | "files">): string[] {
  return [
    RELEASE_FILE.release,
    ...releaseFiles(r),
    ...(existsSync(layout(root).releaseFile(r.id, RELEASE_FILE.cacheKeys)) ? [RELEASE_FILE.cacheKeys] : []),
  ];
}

/**
 * The digest of release `id` as it is on disk now: SHA-256 of the key-sorted JSON of each file's
 * SHA-256 (release.json's over its key-sorted JSON, so only its content counts, not its layout).
 * A missing file hashes as "missing", so the digest differs. run.json is not covered: it says what
 * the last run did (not committed, see .gitignore), not what the release is.
 */
export function publicationDigest(root: string, r: Pick<Release, "id" | "files">): string {
  const L = layout(root);
  const files: Record<string, string> = {};
  for (const f of digestFiles(root, r)) {
    const p = L.releaseFile(r.id, f);
    if (!existsSync(p)) files[f] = "missing";
    else if (f === RELEASE_FILE.release) files[f] = sha256(stableJson(readReleaseRaw(root, r.id)));
    else files[f] = sha256File(p);
  }
  return sha256(stableJson({ release: r.id, files }));
}

export const publishedPath = (root: string) => layout(root).publishedFile;

/** The entries of data/published.json (none when the file is not there), validated; each release at most once. */
export function readPublished(root: string): PublishedEntry[] {
  const path = publishedPath(root);
  if (!existsSync(path)) return [];
  const data = parseJsonWith(decodeUtf8(readFileSync(path), path), path, null, (v) => v);
  const parsed = PublishedListSchema.safeParse(data);
  if (!parsed.success) throw listEntryError(path, parsed.error);
  const seen = new Set<string>();
  parsed.data.forEach((e, i) => {
    if (seen.has(e.release)) throw new Error(problemAt(path, `entry ${i}`, "release", `"${e.release}" appears twice`));
    seen.add(e.release);
  });
  return parsed.data;
}

const byDateThenId = (a: PublishedEntry, b: PublishedEntry) =>
  (a.date ?? "") < (b.date ?? "")
    ? -1
    : (a.date ?? "") > (b.date ?? "")
      ? 1
      : a.release < b.release
        ? -1
        : a.release > b.release
          ? 1
          : 0;

/** The bytes of data/published.json: the entries sorted by date, then release id. */
const publishedText = (entries: PublishedEntry[]): string => stableJson([...entries].sort(byDateThenId));

/**
 * Adds entries to data/published.json under a lock (two releases published at once must not lose
 * one another's entry). Refuses a release that already has one: a published release is never
 * published again, and its first digest is the one that counts.
 */
export function addPublished(root: string, entries: PublishedEntry[]): void {
  if (!entries.length) return;
  const L = layout(root);
  const lock = acquireLock(L.publishedLock, {
    command: "errormap (recording a publication)",
    waitMs: 10_000,
  });
  try {
    const list = readPublished(root);
    for (const e of entries) {
      const old = list.find((x) => x.release === e.release);
      if (old)
        throw new Error(
          `release "${e.release}" was already published on ${old.date ?? "an unknown date"} (digest ${old.digest} in ${L.publishedFile}); a published release is never published again`,
        );
      list.push(e);
    }
    writeFileAtomic(publishedPath(root), publishedText(list));
  } finally {
    lock.release();
  }
}

/** Throws if data/published.json already has an entry for `id` (checked before publishing it). */
export function assertNotRecorded(root: string, id: string): void {
  const old = readPublished(root).find((e) => e.release === id);
  if (old) {
    throw new Error(
      `release "${id}" was published on ${old.date ?? "an unknown date"} (digest ${old.digest} in ${layout(root).publishedFile}) but its folder no longer says so: ` +
        "it was replaced, removed or edited after publication. Restore it from version control (`errormap doctor` says what differs), or use a new release id",
    );
  }
}

/** The entry to record for a release just published. */
export function publishedEntry(root: string, r: Release): PublishedEntry {
  return { release: r.id, date: r.published?.date ?? null, digest: publicationDigest(root, r) };
}

/**
 * `errormap doctor --record-published`: records the digest of every published release that has no
 * entry yet (releases published before data/published.json existed), once. Only a release that is
 * still what its release.json says (every output file matches its hash, inputs and outputs hashes
 * match) is recorded; the others are returned with the reason, to be restored first.
 */
export function recordPublished(
  root: string,
  releases: Release[],
): { recorded: PublishedEntry[]; refused: { release: string; why: string }[] } {
  const have = new Set(readPublished(root).map((e) => e.release));
  const recorded: PublishedEntry[] = [];
  const refused: { release: string; why: string }[] = [];
  for (const r of releases) {
    if (!r.published || have.has(r.id)) continue;
    let why: string | null = null;
    try {
      const { hash, files } = outputsHash(root, r.id, releaseFiles(r));
      const changed = releaseFiles(r).filter((f) => files[f] !== r.files[f]);
      if (changed.length) why = `${changed.join(", ")} differ(s) from the hash in release.json`;
      else if (hash !== r.published.outputs_sha256) why = "its files differ from published.outputs_sha256";
      else if (inputsHash(r) !== r.published.inputs_sha256)
        why = "its recorded inputs differ from published.inputs_sha256";
    } catch (e) {
      why = problemText(e);
    }
    if (why) refused.push({ release: r.id, why });
    else recorded.push(publishedEntry(root, r));
  }
  addPublished(root, recorded);
  return { recorded, refused };
}
