// What a judge cache folder holds on disk, read without the cache's own code: the entries of its
// shards (<judge>/<xx>.jsonl) and of its journals (<judge>/journal-<pid>.jsonl, complete lines).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { CacheEntry } from "../../scripts/judges/cache.ts";

export function cacheEntries(dir: string, judge: string): Map<string, CacheEntry<any>> {
  const out = new Map<string, CacheEntry<any>>();
  const d = join(dir, judge);
  if (!existsSync(d)) return out;
  for (const name of readdirSync(d).sort()) {
    if (!/^([0-9a-f]{2}|journal-\d+)\.jsonl$/.test(name)) continue;
    const text = readFileSync(join(d, name), "utf8");
    for (const line of text.slice(0, text.lastIndexOf("\n") + 1).split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as CacheEntry<any>;
      out.set(e.key.hash, e);
    }
  }
  return out;
}
