// Which release comes before which, and which is the latest: one rule for the command line
// (`errormap run` picks the release a new one follows, `errormap info` names the latest) and the
// site (`/releases/index.json`, the "newer release exists" notice), so they never disagree.
import type { Release } from "./schemas.ts";

/** Whether a folder name under releases/ or snapshots/ can be one: `.tmp-*` and other dot folders never are. */
export const isDataFolderName = (name: string): boolean => !name.startsWith(".");

/**
 * Releases oldest first: by how many releases precede each along its `previous` chain, then by id.
 * For the chain a→b, a→c, b→d that is a, b, c, d (d is the newest: two releases precede it). A
 * previous that is missing starts a chain; a cycle stops counting where it closes.
 */
export function orderReleases<T extends Pick<Release, "id" | "previous">>(releases: readonly T[]): T[] {
  const byId = new Map(releases.map((r) => [r.id, r]));
  const depth = new Map<string, number>();
  const depthOf = (r: T): number => {
    const known = depth.get(r.id);
    if (known !== undefined) return known;
    let d = 0;
    const seen = new Set([r.id]);
    for (let p = r.previous; p && byId.has(p) && !seen.has(p); p = byId.get(p)!.previous) {
      seen.add(p);
      d++;
    }
    depth.set(r.id, d);
    return d;
  };
  return [...releases].sort((a, b) => depthOf(a) - depthOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The newest published release, or the newest release when none is published. */
export function pickLatest<T extends Pick<Release, "published">>(ordered: readonly T[]): T | null {
  const published = ordered.filter((r) => r.published);
  const pool = published.length ? published : ordered;
  return pool.length ? pool[pool.length - 1]! : null;
}
