// The owner of releases/<id>/release.json (README "Data layout"): its path, reading it (validated
// for the command line, as it is for the site's content collections), and writing it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { writeJsonAtomic } from "../jsonio.ts";
import { fileIn, layout, RELEASE_FILE } from "../paths.ts";
import { isDataFolderName } from "../releases-order.ts";
import { ReleaseSchema, type Release } from "../schemas.ts";
import { parseJsonWith } from "./errors.ts";

export const releaseJsonPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.release);

/** Whether release folder `id` holds a release.json (valid or not). */
export const hasReleaseJson = (root: string, id: string) => existsSync(releaseJsonPath(root, id));

/** Release `id`, validated; null when it has no release.json. */
export function readRelease(root: string, id: string): Release | null {
  const path = releaseJsonPath(root, id);
  return existsSync(path) ? parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => ReleaseSchema.parse(v)) : null;
}

/** Release `id`'s release.json as it is, not validated (the site's content collections validate it). */
export function readReleaseRaw(root: string, id: string): Record<string, unknown> {
  const path = releaseJsonPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => v as Record<string, unknown>);
}

/**
 * Whether release `id` on disk is published, read without validating the rest of release.json: a
 * release.json that is published but no longer valid (edited by hand) still must not be replaced.
 */
export function publishedOnDisk(root: string, id: string): boolean {
  try {
    const r = JSON.parse(readFileSync(releaseJsonPath(root, id), "utf8")) as { published?: unknown };
    return Boolean(r && typeof r === "object" && r.published);
  } catch {
    return false;
  }
}

/** Ids of release folders that hold a release.json, sorted (folders whose name begins with a dot are never releases). */
export function releaseIdsOnDisk(root: string): string[] {
  const dir = layout(root).releases;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isDataFolderName(d.name) && hasReleaseJson(root, d.name))
    .map((d) => d.name)
    .sort();
}

/** Writes release.json into a release folder (the release's own, or the temporary one a run fills). */
export function writeReleaseJson(folder: string, release: Release): void {
  writeJsonAtomic(fileIn(folder, RELEASE_FILE.release), release);
}
