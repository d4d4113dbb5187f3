// The one seeded PRNG of the command line (mulberry32) and the seeds of its named streams. The
// bootstrap (scripts/lib/stats.ts), the openai caller's backoff jitter, the demo generator
// (scripts/demo/prng.ts) and the test fixtures all draw from it. Published releases' bootstrap
// intervals and the committed demo depend on its exact output: never change it.
import { fnv1a32 } from "../../src/lib/fnv.ts";

/** A uniform [0, 1) generator. */
export type Rng = () => number;

/** mulberry32's state increment. */
export const MULBERRY_STEP = 0x6d2b79f5;

/** mulberry32's output for state `a`: a uint32. */
export function mulberry32Mix(a: number): number {
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/**
 * mulberry32: a tiny 32-bit seeded PRNG (period 2^32). Plenty for bootstrap resampling, and the
 * same seed gives the same stream on every platform (integer arithmetic only). The state is
 * public so that a hot loop can step it in a local (see bootstrapShares).
 */
export class Mulberry32 {
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next uniform [0, 1) number. */
  next(): number {
    this.state = (this.state + MULBERRY_STEP) | 0;
    return mulberry32Mix(this.state) / 4294967296;
  }
}

/** A mulberry32 stream as a function. */
export function rng(seed: number): Rng {
  const g = new Mulberry32(seed);
  return () => g.next();
}

/**
 * A 32-bit seed for one named stream (FNV-1a over seed and key). Each group gets its own stream,
 * so a group's intervals do not change when other groups are added or removed.
 */
export function seedFor(seed: number, key: string): number {
  return fnv1a32(`${seed}|${key}`);
}
