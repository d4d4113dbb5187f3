// The judge cache: every judge answer on disk, content-addressed by a hash of
// (judge, judge model, prompt version, the exact request). One small file per answer, written
// atomically as it arrives, so a killed run loses nothing and a re-run asks only for what is
// missing. Files live in data/cache/<judge>/<hash[0..2]>/<hash>.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256, stableJson, stableJsonLine, writeFileAtomic } from "../../src/lib/jsonio.ts";

export interface CacheKey {
  judge: string;
  judgeModel: string;
  promptVersion: string;
  /** The exact request (messages, schema, parameters), or for rules the record they read. */
  request: unknown;
}

export interface CacheEntry<T> {
  key: { judge: string; judge_model: string; prompt_version: string; hash: string };
  value: T;
}

export function cacheHash(key: CacheKey): string {
  return sha256(stableJsonLine([key.judge, key.judgeModel, key.promptVersion, key.request]));
}

export class JudgeCache {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  pathFor(judge: string, hash: string): string {
    return join(this.dir, judge, hash.slice(0, 2), `${hash}.json`);
  }

  get<T>(key: CacheKey, hash = cacheHash(key)): T | undefined {
    const path = this.pathFor(key.judge, hash);
    if (!existsSync(path)) return undefined;
    try {
      return (JSON.parse(readFileSync(path, "utf8")) as CacheEntry<T>).value;
    } catch {
      return undefined; // an unreadable entry is a miss; the next put replaces it
    }
  }

  has(key: CacheKey): boolean {
    return existsSync(this.pathFor(key.judge, cacheHash(key)));
  }

  put<T>(key: CacheKey, value: T, hash = cacheHash(key)): string {
    const entry: CacheEntry<T> = {
      key: { judge: key.judge, judge_model: key.judgeModel, prompt_version: key.promptVersion, hash },
      value,
    };
    writeFileAtomic(this.pathFor(key.judge, hash), stableJson(entry));
    return hash;
  }
}
