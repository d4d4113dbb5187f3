// Tests of two models on the same items (README "The site", compare pages): McNemar's exact test on
// a paired 2×2 table, and Benjamini–Hochberg adjusted p-values across a family of tests (the
// pipeline's comparisons use the same adjustment, scripts/lib/stats.ts).
//
// The exact binomial tail is written here rather than taken from a library: the one kept package
// that computes it (@stdlib's binomial cdf, through the incomplete beta function) brings dozens of
// packages for what is, at p = 1/2, a short sum of binomial coefficients; it is summed in log space
// so that tables with thousands of discordant items neither overflow nor underflow.

/**
 * McNemar's exact test, two-sided: given the discordant items of a paired 2×2 table (b: only the
 * first made the error, c: only the second), the exact binomial test of b in n = b + c trials at
 * 1/2, p = min(1, 2 · P(X ≤ min(b, c))). The concordant cells carry no information about the
 * difference and do not enter. Exact rather than mid-p: it never rejects more often than stated.
 * b = c = 0 (nothing to compare) gives 1.
 */
export function mcnemarExact(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0)
    throw new RangeError(`mcnemarExact: counts must be non-negative integers, got ${b} and ${c}`);
  const n = b + c;
  const m = Math.min(b, c);
  // With b = c the lower tail holds at least half the mass, so the doubled tail is 1.
  if (2 * m >= n) return 1;
  // ln P(X = k) from ln P(X = 0) = −n ln 2, by the ratio P(k + 1) / P(k) = (n − k) / (k + 1).
  const logs = [-n * Math.LN2];
  for (let k = 0; k < m; k++) logs.push(logs[k]! + Math.log((n - k) / (k + 1)));
  // Below n/2 the terms grow with k: sum them relative to the last (largest), then scale back.
  const top = logs[m]!;
  let sum = 0;
  for (const l of logs) sum += Math.exp(l - top);
  return Math.min(1, 2 * Math.exp(top) * sum);
}

/**
 * Benjamini–Hochberg adjusted p-values, in the input's order: with p sorted ascending,
 * q_(i) = min over j ≥ i of min(1, p_(j) · m / j). Monotone in p and never above 1; a
 * category is declared different when its q is below the false discovery rate wanted (0.05 here).
 */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((_, i) => i).sort((a, b) => ps[a]! - ps[b]! || a - b);
  const qs = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    running = Math.min(running, (ps[i]! * m) / (r + 1));
    qs[i] = running;
  }
  return qs;
}
