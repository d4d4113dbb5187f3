// Small, pure statistics for the aggregate stage: percentile-bootstrap intervals for category
// shares (drawn from the seeded PRNG of ./prng.ts), two-proportion tests (pooled z, Fisher's exact
// for small counts) and the Benjamini–Hochberg adjustment. No dependency: none of the installed packages provides these,
// and each piece is a few lines with textbook definitions that the tests check against known values.

import { MULBERRY_STEP, Mulberry32, mulberry32Mix, type Rng } from "./prng.ts";

/** Quantile of sorted values, linear interpolation between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface ShareCI {
  share: number;
  ci: [number, number];
}

/**
 * Shares of k labels (0..k-1) among `labels`, each with a 95% percentile-bootstrap interval.
 * One resampling pass serves every output: each of the B resamples draws n labels with
 * replacement and counts them once. `nodes` (default: one node per label) lists, for each
 * output, the labels it sums, so parent categories get intervals from the same resamples as
 * their leaves. n = 0 gives share 0 and [0, 0]; B = 0 gives the degenerate [share, share].
 * `random` may be a Mulberry32 itself: the same draws as rng() of its seed, made without a call
 * per draw (the aggregate stage makes ~25 million).
 */
export function bootstrapShares(
  labels: ArrayLike<number>,
  k: number,
  B: number,
  random: Rng | Mulberry32,
  nodes: number[][] = Array.from({ length: k }, (_, i) => [i]),
): ShareCI[] {
  const n = labels.length;
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < k && Number.isInteger(l))) throw new Error(`label ${l} out of range 0..${k - 1}`);
    counts[l]++;
  }
  const point = nodes.map((leaves) => leaves.reduce((s, l) => s + counts[l], 0));
  if (n === 0) return nodes.map(() => ({ share: 0, ci: [0, 0] }));
  if (B <= 0) return point.map((c) => ({ share: c / n, ci: [c / n, c / n] }));

  // leafDraws[l * B + b]: count of label l in resample b.
  const leafDraws = new Int32Array(k * B);
  const rc = new Int32Array(k);
  const lab = Int32Array.from(labels);
  const keep = (b: number) => {
    for (let l = 0; l < k; l++) leafDraws[l * B + b] = rc[l];
  };
  if (random instanceof Mulberry32) {
    // The generator is stepped in a local, with the very draws of its next(): a release makes
    // tens of millions of them, and a call per draw doubles the time.
    let a = random.state;
    for (let b = 0; b < B; b++) {
      rc.fill(0);
      for (let i = 0; i < n; i++) {
        a = (a + MULBERRY_STEP) | 0;
        rc[lab[Math.floor((mulberry32Mix(a) / 4294967296) * n)]]++;
      }
      keep(b);
    }
    random.state = a;
  } else {
    for (let b = 0; b < B; b++) {
      rc.fill(0);
      for (let i = 0; i < n; i++) rc[lab[Math.floor(random() * n)]]++;
      keep(b);
    }
  }
  const draws = new Int32Array(B);
  return nodes.map((leaves, j) => {
    const share = point[j] / n;
    // A node no label falls in, or every label does, is drawn 0 (or n) times in every resample.
    if (point[j] === 0 || point[j] === n) return { share, ci: [share, share] as [number, number] };
    draws.fill(0);
    for (const l of leaves) {
      const from = leafDraws.subarray(l * B, (l + 1) * B);
      for (let b = 0; b < B; b++) draws[b] += from[b];
    }
    sortCounts(draws);
    return { share, ci: [quantileSorted(draws, 0.025) / n, quantileSorted(draws, 0.975) / n] as [number, number] };
  });
}

/** Sorts small non-negative integers in place by counting them: resampled counts span a narrow range. */
function sortCounts(xs: Int32Array): void {
  let lo = xs[0];
  let hi = xs[0];
  for (let i = 1; i < xs.length; i++) {
    if (xs[i] < lo) lo = xs[i];
    else if (xs[i] > hi) hi = xs[i];
  }
  if (hi - lo > 4 * xs.length) {
    xs.sort();
    return;
  }
  const tally = new Int32Array(hi - lo + 1);
  for (let i = 0; i < xs.length; i++) tally[xs[i] - lo]++;
  let at = 0;
  for (let v = 0; v < tally.length; v++) for (let c = tally[v]; c > 0; c--) xs[at++] = v + lo;
}

// ---------------------------------------------------------------------------------------------
// Normal distribution

const SQRT2 = Math.SQRT2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * Upper tail Q(z) = P(Z > z) of the standard normal, accurate in relative terms far into the tail
 * (p-values of strong differences stay meaningful): for |z| < 3 a positive-term series of erf (no
 * cancellation), beyond it Laplace's continued fraction for the Mills ratio.
 */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 1 - normalSf(-z);
  if (z < 3) {
    // erf(x) = 2/sqrt(pi) · exp(−x²) · Σ (2x²)^n x / (1·3·…·(2n+1))
    const x = z / SQRT2;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    const erf = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
    return 0.5 * (1 - erf);
  }
  if (z > 40) return 0;
  // Q(z) = φ(z) / (z + 1/(z + 2/(z + 3/(z + …)))), evaluated from a fixed depth backwards.
  let f = z;
  for (let k = 120; k >= 1; k--) f = z + k / f;
  return Math.exp(-0.5 * z * z) / SQRT_2PI / f;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  return z < 0 ? normalSf(-z) : 1 - normalSf(z);
}

// ---------------------------------------------------------------------------------------------
// Two-proportion tests

export interface TestResult {
  z: number;
  p: number;
}

/**
 * Pooled two-proportion z-test of x1/n1 against x2/n2, two-sided. Undefined cases (an empty
 * group, or a pooled proportion of 0 or 1: no variance) give z = 0, p = 1: no evidence.
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  if (n1 <= 0 || n2 <= 0) return { z: 0, p: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return { z: 0, p: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, p: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

const logFact: number[] = [0];
/** ln(n!), from a table grown on demand (exact sums of logs; n here is at most a few thousand). */
export function logFactorial(n: number): number {
  for (let i = logFact.length; i <= n; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  return logFact[n];
}

/**
 * Fisher's exact test on the 2×2 table [[x1, n1−x1], [x2, n2−x2]], two-sided: the sum of the
 * probabilities (hypergeometric, margins fixed) of every table no more likely than the observed.
 */
export function fisherExact(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const N = n1 + n2;
  const K = x1 + x2;
  const lp = (x: number) =>
    logFactorial(K) +
    logFactorial(N - K) +
    logFactorial(n1) +
    logFactorial(n2) -
    logFactorial(N) -
    logFactorial(x) -
    logFactorial(K - x) -
    logFactorial(n1 - x) -
    logFactorial(n2 - K + x);
  const observed = lp(x1);
  let p = 0;
  for (let x = Math.max(0, K - n2); x <= Math.min(K, n1); x++) {
    const l = lp(x);
    // Relative tolerance so tables exactly as likely as the observed one are not lost to rounding.
    if (l <= observed + 1e-7) p += Math.exp(l);
  }
  return Math.min(1, p);
}

export type TestName = "z" | "fisher";

/**
 * The test the aggregate stage uses per category: the pooled z-test when every expected cell of
 * the 2×2 table is at least 5 (Cochran's rule, where the normal approximation holds), else
 * Fisher's exact test. z is reported either way (0 when undefined).
 */
export function proportionTest(x1: number, n1: number, x2: number, n2: number): TestResult & { test: TestName } {
  const zt = twoProportionTest(x1, n1, x2, n2);
  if (n1 <= 0 || n2 <= 0) return { ...zt, test: "z" };
  const pooled = (x1 + x2) / (n1 + n2);
  const minExpected = Math.min(n1, n2) * Math.min(pooled, 1 - pooled);
  if (minExpected >= 5) return { ...zt, test: "z" };
  return { z: zt.z, p: fisherExact(x1, n1, x2, n2), test: "fisher" };
}

/** Benjamini–Hochberg adjusted p-values (q-values): one definition, shared with the site (src/lib/paired.ts). */
export { benjaminiHochberg } from "../../src/lib/paired.ts";

// ---------------------------------------------------------------------------------------------
// Rounding

/** Rounds to `digits` decimals, so output bytes do not depend on last-bit platform differences. */
export function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** Rounds to `digits` significant digits: for p-values, whose size spans many decades. */
export function roundSig(x: number, digits = 6): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const r = Number(x.toPrecision(digits));
  return Object.is(r, -0) ? 0 : r;
}

/** z of a two-sided 95% normal interval. */
export const Z95 = 1.959964;

/**
 * Wilson score interval of a proportion: `successes` out of `n`, at normal quantile z (95% by
 * default). Better than the normal interval for small n or proportions near 0 or 1 (Wilson 1927;
 * Brown, Cai and DasGupta 2001). n = 0 gives null: nothing was measured.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): [number, number] | null {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(successes) || successes < 0 || successes > n)
    throw new Error(`wilsonInterval: need integers 0 <= successes <= n, got ${successes} of ${n}`);
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
