// The paired tests of the compare pages (src/lib/paired.ts): McNemar's exact p-values on tables worked
// out by hand and against an exact BigInt sum, and the Benjamini–Hochberg adjustment on a list worked
// out by hand.
import { describe, expect, it } from "vitest";
import { benjaminiHochberg, mcnemarExact } from "../src/lib/paired.ts";
import { rng } from "../scripts/lib/prng.ts";

/** 2 · P(X ≤ min(b, c)) for X ~ Binomial(b + c, 1/2), capped at 1, summed exactly in integers. */
function exactReference(b: number, c: number): number {
  const n = b + c;
  const m = Math.min(b, c);
  let coef = 1n; // C(n, k)
  let tail = 0n;
  for (let k = 0; k <= m; k++) {
    tail += coef;
    coef = (coef * BigInt(n - k)) / BigInt(k + 1);
  }
  // 2 · tail / 2^n, to 18 significant digits before it becomes a float.
  const scale = 10n ** 18n;
  const p = Number((2n * tail * scale) / 2n ** BigInt(n)) / 1e18;
  return Math.min(1, p);
}

describe("mcnemarExact", () => {
  it("gives the hand-computed p of b = 8, c = 2: 2 · (1 + 10 + 45) / 1024", () => {
    expect(mcnemarExact(8, 2)).toBeCloseTo(0.109375, 14);
    expect((2 * (1 + 10 + 45)) / 1024).toBe(0.109375);
  });

  it("gives the hand-computed p of b = 15, c = 5: 2 · (1 + 20 + 190 + 1140 + 4845 + 15504) / 2^20", () => {
    expect(mcnemarExact(15, 5)).toBeCloseTo(43_400 / 1_048_576, 14);
    expect(43_400 / 1_048_576).toBeCloseTo(0.041389, 6);
  });

  it("gives 2 / 2^n when one side has every discordant item", () => {
    expect(mcnemarExact(5, 0)).toBeCloseTo(2 / 32, 15);
    expect(mcnemarExact(0, 6)).toBeCloseTo(2 / 64, 15);
    expect(mcnemarExact(7, 0)).toBeCloseTo(0.015625, 15);
  });

  it("gives 1 when there is nothing to compare or the two sides are equal", () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(1, 0)).toBe(1);
    expect(mcnemarExact(5, 5)).toBe(1);
    expect(mcnemarExact(4, 5)).toBe(1);
  });

  it("is symmetric in b and c", () => {
    for (const [b, c] of [
      [8, 2],
      [15, 5],
      [0, 9],
      [123, 77],
      [3000, 2850],
    ])
      expect(mcnemarExact(b, c)).toBe(mcnemarExact(c, b));
  });

  it("agrees with an exact integer sum, also where 2^n is far beyond a double (n in the thousands)", () => {
    for (const [b, c] of [
      [12, 3],
      [40, 12],
      [35, 7],
      [200, 160],
      [1200, 1100],
      [3000, 2850],
    ]) {
      const ref = exactReference(b, c);
      expect(Math.abs(mcnemarExact(b, c) - ref) / ref).toBeLessThan(1e-9);
    }
  });

  it("is tiny, never negative or NaN, for lopsided large tables", () => {
    const p = mcnemarExact(2000, 0);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-300);
    expect(mcnemarExact(5000, 4000)).toBeLessThan(1e-20);
  });

  it("refuses counts that are not non-negative integers", () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(Number.NaN, 2)).toThrow(RangeError);
  });
});

describe("benjaminiHochberg", () => {
  it("adjusts a hand-computed list, keeping the input's order", () => {
    // Sorted: 0.01·5/1 = 0.05, 0.021·5/2 = 0.0525, 0.03·5/3 = 0.05, 0.04·5/4 = 0.05, 0.2·5/5 = 0.2;
    // the running minimum from the top pulls 0.0525 down to 0.05.
    const qs = benjaminiHochberg([0.04, 0.01, 0.03, 0.2, 0.021]);
    const expected = [0.05, 0.05, 0.05, 0.2, 0.05];
    qs.forEach((q, i) => {
      expect(q).toBeCloseTo(expected[i]!, 12);
    });
  });

  it("adjusts a second hand-computed list: 0.005, 0.01, 0.03, 0.04 → 0.02, 0.02, 0.04, 0.04", () => {
    const qs = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((q, i) => {
      expect(qs[i]).toBeCloseTo(q, 12);
    });
  });

  it("caps at 1, and keeps empty and single lists as they are", () => {
    expect(benjaminiHochberg([0.9, 0.8, 1])).toEqual([1, 1, 1]);
    expect(benjaminiHochberg([0.6, 0.7])).toEqual([0.7, 0.7]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(benjaminiHochberg([0.03])).toEqual([0.03]);
  });

  it("is monotone in p and never below p (seeded random lists)", () => {
    const rand = rng(16);
    for (let t = 0; t < 50; t++) {
      const ps = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => rand() ** 3);
      const qs = benjaminiHochberg(ps);
      for (let i = 0; i < ps.length; i++) {
        expect(qs[i]).toBeGreaterThanOrEqual(ps[i]! * (1 - 1e-12)); // p · m / m may round down by an ulp
        expect(qs[i]).toBeLessThanOrEqual(1);
        for (let j = 0; j < ps.length; j++) if (ps[i]! <= ps[j]!) expect(qs[i]).toBeLessThanOrEqual(qs[j]!);
      }
    }
  });
});
