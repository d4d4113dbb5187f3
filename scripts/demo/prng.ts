// Seeded draws for the demo data, from the project's one PRNG (mulberry32, scripts/lib/prng.ts) seeded
// by the FNV-1a hash of a string key (src/lib/fnv.ts): the same key always gives the same data, and
// one item's draws never shift when another item changes.
import { fnv1a32 } from "../../src/lib/fnv.ts";
import { Mulberry32 } from "../lib/prng.ts";

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
  shuffle<T>(xs: readonly T[]): T[];
  /** A key of `weights` drawn with probability proportional to its weight. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K;
}

export function rng(key: string): Rng {
  const g = new Mulberry32(fnv1a32(key));
  const next = () => g.next();
  const r: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    shuffle: (xs) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as [string, number][];
      let x = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) if ((x -= w) < 0) return k as never;
      return entries.at(-1)![0] as never;
    },
  };
  return r;
}
