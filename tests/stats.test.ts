import { describe, expect, it } from "vitest";
import {
  benjaminiHochberg,
  bootstrapShares,
  fisherExact,
  normalCdf,
  normalSf,
  proportionTest,
  quantileSorted,
  round,
  roundSig,
  twoProportionTest,
  wilsonInterval,
  Z95,
} from "../scripts/lib/stats.ts";
import { Mulberry32, rng, seedFor } from "../scripts/lib/prng.ts";
import { fnv1a32 } from "../src/lib/fnv.ts";

const take = (r: () => number, n: number) => Array.from({ length: n }, r);

describe("rng", () => {
  it("gives the same stream for the same seed and another for another seed", () => {
    expect(take(rng(42), 20)).toEqual(take(rng(42), 20));
    expect(take(rng(42), 20)).not.toEqual(take(rng(43), 20));
  });

  it("is uniform on [0, 1)", () => {
    const xs = take(rng(7), 20000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    // Each tenth of [0, 1) gets about a tenth of the draws.
    const bins = new Array(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });

  it("derives distinct, stable per-group seeds", () => {
    expect(seedFor(1, "model|a")).toBe(seedFor(1, "model|a"));
    expect(seedFor(1, "model|a")).not.toBe(seedFor(1, "model|b"));
    expect(seedFor(1, "model|a")).not.toBe(seedFor(2, "model|a"));
    expect(Number.isInteger(seedFor(1, "x")) && seedFor(1, "x") >= 0).toBe(true);
  });

  it("is FNV-1a (the published test vectors) and mulberry32 (its reference outputs): releases depend on both", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
    expect(seedFor(0, "m|d")).toBe(fnv1a32("0|m|d"));
    expect(take(rng(42), 3).map((x) => x * 2 ** 32)).toEqual([2581720956, 1925393290, 3661312704]);
  });
});

describe("quantileSorted", () => {
  it("interpolates between order statistics", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.025)).toBeCloseTo(11, 10);
  });
});

describe("bootstrapShares", () => {
  it("gives the shares of a toy set, with parents summed from leaves", () => {
    const labels = [0, 0, 0, 1, 1, 2, 0, 0, 1, 0];
    const out = bootstrapShares(labels, 4, 500, rng(1), [[0], [1], [2], [3], [0, 1]]);
    expect(out.map((o) => o.share)).toEqual([0.6, 0.3, 0.1, 0, 0.9]);
    for (const o of out) {
      expect(o.ci[0]).toBeLessThanOrEqual(o.share);
      expect(o.ci[1]).toBeGreaterThanOrEqual(o.share);
    }
    // A category nobody is in can never be resampled into.
    expect(out[3].ci).toEqual([0, 0]);
    // A parent's interval lies above each of its leaves' lower bounds.
    expect(out[4].ci[0]).toBeGreaterThanOrEqual(out[0].ci[0]);
  });

  it("defaults to one output per label", () => {
    const out = bootstrapShares([1, 1, 0], 2, 100, rng(3));
    expect(out).toHaveLength(2);
    expect(out[1].share).toBeCloseTo(2 / 3, 12);
  });

  it("handles no failures and a single category", () => {
    expect(bootstrapShares([], 3, 100, rng(1))).toEqual([
      { share: 0, ci: [0, 0] },
      { share: 0, ci: [0, 0] },
      { share: 0, ci: [0, 0] },
    ]);
    const all = bootstrapShares([2, 2, 2, 2], 3, 100, rng(1));
    expect(all[2]).toEqual({ share: 1, ci: [1, 1] });
    expect(all[0]).toEqual({ share: 0, ci: [0, 0] });
  });

  it("gives [share, share] with no resamples", () => {
    expect(bootstrapShares([0, 1], 2, 0, rng(1))[0]).toEqual({ share: 0.5, ci: [0.5, 0.5] });
  });

  it("shrinks with n and matches the normal approximation's width", () => {
    const make = (n: number) => Array.from({ length: n }, (_, i) => (i % 10 < 3 ? 0 : 1)); // 30% label 0
    const width = (n: number) => {
      const [o] = bootstrapShares(make(n), 2, 2000, rng(11));
      return o.ci[1] - o.ci[0];
    };
    const w20 = width(20);
    const w400 = width(400);
    const w4000 = width(4000);
    expect(w20).toBeGreaterThan(w400);
    expect(w400).toBeGreaterThan(w4000);
    // Normal approximation: 2 · 1.96 · sqrt(p(1−p)/n).
    const normal = 2 * 1.96 * Math.sqrt((0.3 * 0.7) / 400);
    expect(w400 / normal).toBeGreaterThan(0.85);
    expect(w400 / normal).toBeLessThan(1.15);
  });

  it("covers the point estimate on random label sets", () => {
    const r = rng(99);
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(r() * 60);
      const labels = Array.from({ length: n }, () => Math.floor(r() * r() * 5));
      for (const o of bootstrapShares(labels, 5, 200, rng(t))) {
        expect(o.ci[0]).toBeLessThanOrEqual(o.share);
        expect(o.ci[1]).toBeGreaterThanOrEqual(o.share);
        expect(o.ci[0]).toBeGreaterThanOrEqual(0);
        expect(o.ci[1]).toBeLessThanOrEqual(1);
      }
    }
  });

  it("is deterministic for a seed", () => {
    const labels = [0, 1, 1, 2, 0, 1, 2, 2, 2, 0, 1];
    expect(bootstrapShares(labels, 3, 300, rng(5))).toEqual(bootstrapShares(labels, 3, 300, rng(5)));
    expect(bootstrapShares(labels, 3, 300, rng(5))).not.toEqual(bootstrapShares(labels, 3, 300, rng(6)));
  });

  it("draws the same resamples from a Mulberry32 (stepped inline) as from rng() of its seed", () => {
    const labels = [0, 0, 1, 2, 2, 2, 3, 1, 0, 2, 2];
    const nodes = [[0], [1], [2], [3], [1, 2]];
    for (const seed of [0, 1, 12345, 2 ** 32 - 1]) {
      const g = new Mulberry32(seed);
      expect(bootstrapShares(labels, 4, 250, g, nodes)).toEqual(bootstrapShares(labels, 4, 250, rng(seed), nodes));
      // The generator is left where n × B calls of next() leave it.
      const r = rng(seed);
      for (let i = 0; i < labels.length * 250; i++) r();
      expect(g.next()).toBe(r());
    }
  });

  it("gives what the plain definition gives: B resamples, each node's counts sorted, R type-7 quantiles", () => {
    // The fast version draws every resample once for all nodes, keeps the draws per leaf and sorts
    // counts by counting; the definition, written plainly, must give the very same intervals.
    const plain = (labels: number[], B: number, random: () => number, nodes: number[][]) => {
      const n = labels.length;
      const perNode: number[][] = nodes.map(() => []);
      for (let b = 0; b < B; b++) {
        const drawn = Array.from({ length: n }, () => labels[Math.floor(random() * n)]!);
        nodes.forEach((leaves, j) => {
          perNode[j]!.push(drawn.filter((l) => leaves.includes(l)).length);
        });
      }
      return nodes.map((leaves, j) => {
        const share = labels.filter((l) => leaves.includes(l)).length / n;
        const sorted = perNode[j]!.sort((x, y) => x - y);
        return { share, ci: [quantileSorted(sorted, 0.025) / n, quantileSorted(sorted, 0.975) / n] };
      });
    };
    const r = rng(2024);
    for (let t = 0; t < 60; t++) {
      const k = 1 + Math.floor(r() * 6);
      const n = 1 + Math.floor(r() * (t % 3 === 0 ? 400 : 40));
      const labels = Array.from({ length: n }, () => Math.floor(r() * r() * k));
      // leaves, a parent of two (when there are two) and the root
      const nodes = [...Array.from({ length: k }, (_, i) => [i]), [...new Set([0, k - 1])], [...Array(k).keys()]];
      const B = 50 + Math.floor(r() * 300);
      expect(bootstrapShares(labels, k, B, new Mulberry32(t), nodes)).toEqual(plain(labels, B, rng(t), nodes));
      expect(bootstrapShares(labels, k, B, rng(t), nodes)).toEqual(plain(labels, B, rng(t), nodes));
    }
  });

  it("rejects labels out of range", () => {
    expect(() => bootstrapShares([0, 3], 3, 10, rng(1))).toThrow(/out of range/);
  });
});

describe("normal distribution", () => {
  // Reference values: scipy.stats.norm.sf.
  const known: [number, number][] = [
    [0, 0.5],
    [1, 0.15865525393145707],
    [1.96, 0.024997895148220435],
    [2.5, 0.006209665325776132],
    [3, 0.0013498980316300933],
    [5, 2.866515718791933e-7],
    [8, 6.22096057427174e-16],
    [20, 2.7536241186061556e-89],
  ];
  it.each(known)("Q(%d) matches to 1e-9 relative", (z, q) => {
    expect(Math.abs(normalSf(z) - q) / q).toBeLessThan(1e-9);
  });

  it("is continuous where the method switches and symmetric", () => {
    expect(Math.abs(normalSf(3 - 1e-9) - normalSf(3 + 1e-9)) / normalSf(3)).toBeLessThan(1e-7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
    expect(normalCdf(1) + normalCdf(-1)).toBeCloseTo(1, 14);
    expect(normalSf(-2)).toBeCloseTo(1 - normalSf(2), 14);
  });
});

describe("twoProportionTest", () => {
  it("matches the known value for 30/100 against 50/100", () => {
    const { z, p } = twoProportionTest(30, 100, 50, 100);
    expect(z).toBeCloseTo(-2.886751345948129, 10);
    expect(p).toBeCloseTo(0.003892417122778628, 10);
  });

  it("is antisymmetric in z and symmetric in p", () => {
    const ab = twoProportionTest(12, 80, 30, 90);
    const ba = twoProportionTest(30, 90, 12, 80);
    expect(ab.z).toBeCloseTo(-ba.z, 12);
    expect(ab.p).toBeCloseTo(ba.p, 12);
  });

  it("gives no evidence for equal shares or undefined cases", () => {
    expect(twoProportionTest(20, 100, 20, 100)).toEqual({ z: 0, p: 1 });
    expect(twoProportionTest(0, 100, 0, 50)).toEqual({ z: 0, p: 1 });
    expect(twoProportionTest(10, 10, 5, 5)).toEqual({ z: 0, p: 1 });
    expect(twoProportionTest(1, 0, 1, 5)).toEqual({ z: 0, p: 1 });
  });
});

describe("fisherExact and the choice of test", () => {
  it("matches known two-sided p-values", () => {
    // scipy.stats.fisher_exact; the first is Fisher's tea-tasting table.
    expect(fisherExact(3, 4, 1, 4)).toBeCloseTo(0.48571428571428565, 12);
    expect(fisherExact(1, 10, 11, 14)).toBeCloseTo(0.0027594561852200836, 12);
    expect(fisherExact(0, 5, 6, 7)).toBeCloseTo(0.01515151515151515, 12);
    expect(fisherExact(2, 10, 2, 10)).toBeCloseTo(1, 12);
  });

  it("uses Fisher's test for small expected counts and the z-test otherwise", () => {
    // Expected cells of 0/5 against 6/7: 5 · 6/12 = 2.5 < 5.
    const small = proportionTest(0, 5, 6, 7);
    expect(small.test).toBe("fisher");
    expect(small.p).toBeCloseTo(0.01515151515151515, 12);
    // 1/10 against 11/14: the smallest expected cell is exactly 5, so the z-test applies.
    expect(proportionTest(1, 10, 11, 14).test).toBe("z");
    const large = proportionTest(30, 100, 50, 100);
    expect(large.test).toBe("z");
    expect(large.p).toBeCloseTo(0.003892417122778628, 10);
    // Rare category in big groups: expected count 1.5 < 5.
    expect(proportionTest(0, 300, 3, 300).test).toBe("fisher");
  });
});

describe("benjaminiHochberg", () => {
  it("adjusts a hand-worked example", () => {
    // sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04, 0.04·4/4 = 0.04
    const qs = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((q, i) => {
      expect(qs[i]).toBeCloseTo(q, 12);
    });
  });

  it("keeps q monotone in p and caps it at 1", () => {
    // 0.04·2/1 = 0.08 exceeds the next one's 0.041, so it takes 0.041.
    const qs = benjaminiHochberg([0.04, 0.041]);
    expect(qs[0]).toBeCloseTo(0.041, 12);
    expect(qs[1]).toBeCloseTo(0.041, 12);
    expect(benjaminiHochberg([0.9, 0.8, 1])).toEqual([1, 1, 1]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(benjaminiHochberg([0.03])).toEqual([0.03]);
  });
});

describe("rounding", () => {
  it("rounds to decimals and to significant digits", () => {
    expect(round(0.1234567)).toBe(0.123457);
    expect(round(-0.0000001)).toBe(0);
    expect(Object.is(round(-0.0000001), -0)).toBe(false);
    expect(roundSig(0.000123456789)).toBe(0.000123457);
    expect(roundSig(1.23456789e-20)).toBe(1.23457e-20);
    expect(roundSig(0)).toBe(0);
  });
});

describe("wilsonInterval", () => {
  it("matches Newcombe (1998, Table I, method 3) to 4 decimals", () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, lo, hi] of cases) {
      const [a, b] = wilsonInterval(k, n)!;
      expect(a).toBeCloseTo(lo, 4);
      expect(b).toBeCloseTo(hi, 4);
    }
  });

  it("matches hand-computed values: centre (p + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n)·√(p(1−p)/n + z²/4n²)", () => {
    // 8 of 10: z² = 3.841459; centre = 0.992073/1.384146 = 0.716740; half = 1.416010 × 0.160011 = 0.226578.
    const [a, b] = wilsonInterval(8, 10)!;
    expect(round(a)).toBe(0.490162);
    expect(round(b)).toBe(0.943318);
    expect(wilsonInterval(1, 2)!.map((x) => round(x))).toEqual([0.094531, 0.905469]);
    expect(wilsonInterval(5, 5)!.map((x) => round(x))).toEqual([0.565518, 1]);
    expect(wilsonInterval(0, 5)!.map((x) => round(x))).toEqual([0, 0.434482]);
  });

  it("is null for nothing measured, and refuses impossible counts", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(/successes <= n/);
    expect(() => wilsonInterval(-1, 2)).toThrow();
    expect(() => wilsonInterval(0.5, 2)).toThrow();
    expect(Z95).toBeCloseTo(1.959964, 6);
  });
});
