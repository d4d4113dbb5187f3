import { describe, expect, it } from "vitest";
import { aggregate, type AggregateInput } from "../scripts/pipeline/aggregate.ts";
import {
  type Aggregates,
  AggregatesSchema,
  type Analysis,
  type Category,
  type EvalRecord,
  type Facet,
  type SuspectItem,
  type Taxonomy,
  recordKey,
} from "../src/lib/schemas.ts";
import { seedFor } from "../scripts/lib/prng.ts";
import { loadJsonl } from "./helpers/evaldata.ts";
import { demoRecords, sources } from "./helpers/sources.ts";

// A toy taxonomy: one parent with two leaves, then three top-level leaves.
const cat = (id: string, parent: string | null, facet: Facet): Category => ({
  id,
  slug: id,
  name: id,
  description: `${id} errors`,
  parent,
  facet,
  old_slugs: [],
  lineage: [],
});
const taxonomy: Taxonomy = {
  version: "test",
  judge: "heuristic",
  categories: [
    cat("reasoning", null, "skill"),
    cat("arith", "reasoning", "skill"),
    cat("logic", "reasoning", "skill"),
    cat("format", null, "format"),
    cat("noise", null, "noise"),
    cat("unexplained", null, "unexplained"),
  ],
  retired: [],
};
const LEAVES = ["arith", "logic", "format", "noise", "unexplained"];

const rec = (dataset: string, model: string, id: number, correct: boolean): EvalRecord => ({
  dataset,
  model,
  instance_id: `i${id}`,
  input: "q",
  reference: "a",
  output: correct ? "a" : "b",
  score: null,
  correct,
  source_model: model,
});
const analysis = (r: EvalRecord, category: string, status: "ok" | "judge_error" = "ok"): Analysis => ({
  key: recordKey(r),
  dataset: r.dataset,
  model: r.model,
  instance_id: r.instance_id,
  judge: "heuristic",
  judge_model: "rules",
  prompt_version: "t",
  status,
  rule: null,
  title: category,
  summary: "",
  evidence: [],
  confidence: 1,
  category,
});

/**
 * Builds records and analyses of one (model, dataset): `total` items, the first failures labelled
 * by `cats` (a category id, "judge_error", or "-" for a failure left unanalysed).
 */
function block(model: string, dataset: string, total: number, cats: string[]) {
  const records = Array.from({ length: total }, (_, i) => rec(dataset, model, i, i >= cats.length));
  const analyses = cats.flatMap((c, i) =>
    c === "-"
      ? []
      : [c === "judge_error" ? analysis(records[i], "unexplained", "judge_error") : analysis(records[i], c)],
  );
  return { records, analyses };
}

function input(blocks: ReturnType<typeof block>[], extra: Partial<AggregateInput> = {}): AggregateInput {
  return {
    records: blocks.flatMap((b) => b.records),
    analyses: blocks.flatMap((b) => b.analyses),
    isFailure: (r) => r.correct === false,
    taxonomy,
    datasets: [],
    suspectItems: [],
    seed: 1,
    bootstrap: 200,
    ...extra,
  };
}

const shareOf = (
  g: { shares: { category: string; count: number; share: number; ci: [number, number] }[] },
  c: string,
) => g.shares.find((s) => s.category === c)!;

describe("aggregate: counts and shares", () => {
  const toy = input([
    block("m1", "d1", 10, ["arith", "arith", "logic", "format"]),
    block("m2", "d1", 10, ["noise", "judge_error", "-"]),
    block("m2", "d2", 5, []),
  ]);
  const out = aggregate(toy);

  it("validates against the schema unchanged", () => {
    expect(AggregatesSchema.parse(out)).toEqual(out);
  });

  it("counts records, failures, analysed failures and judge errors per model", () => {
    const m1 = out.models.m1;
    expect([m1.records, m1.failures, m1.analysed, m1.judge_errors, m1.accuracy]).toEqual([10, 4, 4, 0, 0.6]);
    expect(m1.datasets).toEqual(["d1"]);
    const m2 = out.models.m2;
    // A judge error and an unanalysed failure count as failures but are in no share.
    expect([m2.records, m2.failures, m2.analysed, m2.judge_errors, m2.accuracy]).toEqual([15, 3, 1, 1, 0.8]);
    expect(m2.datasets).toEqual(["d1", "d2"]);
    expect(shareOf(m2, "noise")).toEqual({ category: "noise", count: 1, share: 1, ci: [1, 1] });
  });

  it("gives leaf and parent shares in taxonomy order, a parent summing its leaves", () => {
    const m1 = out.models.m1;
    expect(m1.shares.map((s) => [s.category, s.count, s.share])).toEqual([
      ["reasoning", 3, 0.75],
      ["arith", 2, 0.5],
      ["logic", 1, 0.25],
      ["format", 1, 0.25],
      ["noise", 0, 0],
      ["unexplained", 0, 0],
    ]);
    for (const s of m1.shares) {
      expect(s.ci[0]).toBeLessThanOrEqual(s.share);
      expect(s.ci[1]).toBeGreaterThanOrEqual(s.share);
    }
    expect(shareOf(m1, "noise").ci).toEqual([0, 0]);
  });

  it("aggregates datasets, pairs and the whole", () => {
    expect(Object.keys(out.datasets)).toEqual(["d1", "d2"]);
    const d1 = out.datasets.d1;
    expect([d1.records, d1.failures, d1.analysed, d1.judge_errors]).toEqual([20, 7, 5, 1]);
    expect(d1.models).toEqual(["m1", "m2"]);
    expect(out.pairs.map((p) => [p.model, p.dataset, p.failures, p.analysed])).toEqual([
      ["m1", "d1", 4, 4],
      ["m2", "d1", 3, 1],
      ["m2", "d2", 0, 0],
    ]);
    expect([out.overall.records, out.overall.failures, out.overall.analysed]).toEqual([25, 7, 5]);
    expect(shareOf(out.overall, "reasoning").count).toBe(3);
    expect(shareOf(out.overall, "reasoning").share).toBe(0.6);
  });

  it("profiles a dataset: off-skill = format or noise, noise = noise", () => {
    // d1: arith, arith, logic, format, noise → off-skill 2/5, noise 1/5.
    expect(out.datasets.d1.off_skill_share).toBe(0.4);
    expect(out.datasets.d1.noise_share).toBe(0.2);
    expect(out.datasets.d2.off_skill_share).toBe(0);
  });

  it("gives a group without failures zero shares, empty intervals and full accuracy", () => {
    const d2 = out.pairs.find((p) => p.model === "m2" && p.dataset === "d2")!;
    expect(d2.accuracy).toBe(1);
    for (const s of d2.shares) expect(s).toMatchObject({ count: 0, share: 0, ci: [0, 0] });
  });

  it("counts unexplained failures in the denominator but not as off-skill", () => {
    const o = aggregate(input([block("m", "d", 4, ["unexplained", "unexplained", "arith", "noise"])]));
    expect(o.datasets.d.off_skill_share).toBe(0.25);
    expect(shareOf(o.models.m, "unexplained").share).toBe(0.5);
  });

  it("keeps the dataset's suspect items, sorted", () => {
    const suspect = (id: string, dataset = "d1"): SuspectItem => ({
      dataset,
      instance_id: id,
      reference: "14",
      consensus: "18",
      agreeing: ["m2", "m1"],
      models: 2,
    });
    const o = aggregate({ ...toy, suspectItems: [suspect("i9"), suspect("i2"), suspect("i1", "d2")] });
    expect(o.datasets.d1.suspect_items.map((s) => s.instance_id)).toEqual(["i2", "i9"]);
    expect(o.datasets.d1.suspect_items[0].agreeing).toEqual(["m1", "m2"]);
    expect(o.datasets.d2.suspect_items.map((s) => s.instance_id)).toEqual(["i1"]);
  });

  it("handles an empty snapshot", () => {
    const o = aggregate(input([]));
    expect(AggregatesSchema.parse(o)).toEqual(o);
    expect(o.overall).toMatchObject({ records: 0, failures: 0, analysed: 0 });
    expect(o.pairs).toEqual([]);
    expect(o.comparisons).toEqual([]);
  });

  it("rejects analyses that do not fit the records or the taxonomy", () => {
    const b = block("m", "d", 3, ["arith"]);
    const ok = b.records[2]; // a correct record
    expect(() => aggregate(input([{ ...b, analyses: [...b.analyses, analysis(ok, "arith")] }]))).toThrow(
      /no failing record/,
    );
    expect(() => aggregate(input([{ ...b, analyses: [analysis(b.records[0], "reasoning")] }]))).toThrow(/not a leaf/);
    expect(() => aggregate(input([{ ...b, analyses: [...b.analyses, ...b.analyses] }]))).toThrow(/two analyses/);
    const misnamed = { ...b.analyses[0], model: "other" };
    expect(() => aggregate(input([{ ...b, analyses: [misnamed] }]))).toThrow(/names d\|other\|i0/);
  });
});

describe("aggregate: signatures against peers", () => {
  // m1 on d1 (2 failures) and d2 (4); m2 on d1 only; m3 on d2 only; m4 alone on d3.
  const out = aggregate(
    input([
      block("m1", "d1", 10, ["arith", "arith"]),
      block("m1", "d2", 10, ["logic", "logic", "format", "format"]),
      block("m2", "d1", 10, ["arith", "logic", "logic", "logic"]),
      block("m3", "d2", 10, ["format", "format"]),
      block("m4", "d3", 10, ["arith"]),
    ]),
  );
  const sig = (m: string) =>
    Object.fromEntries(out.signatures[m].map((s) => [s.category, [s.share, s.peer_share, s.diff]]));

  it("weights each dataset's mean peer share by the model's own failure mix", () => {
    // m1: w(d1) = 2/6, w(d2) = 4/6. Peers: m2 on d1 (arith 1/4, logic 3/4), m3 on d2 (format 1).
    // peer arith = 1/3 · 1/4, logic = 1/3 · 3/4, format = 2/3 · 1; own shares 2/6 each.
    const s = sig("m1");
    expect(out.signatures.m1.map((x) => x.category)).toEqual(LEAVES);
    expect(s.arith).toEqual([0.333333, 0.083333, 0.25]);
    expect(s.logic).toEqual([0.333333, 0.25, 0.083333]);
    expect(s.format).toEqual([0.333333, 0.666667, -0.333333]);
    expect(s.noise).toEqual([0, 0, 0]);
  });

  it("restricts peers to the model's datasets", () => {
    // m2 is compared with m1 on d1 only (all arith), not with m1's d2 failures.
    expect(sig("m2").arith).toEqual([0.25, 1, -0.75]);
    expect(sig("m2").logic).toEqual([0.75, 0, 0.75]);
    expect(sig("m3").format).toEqual([1, 0.5, 0.5]);
    expect(sig("m3").logic).toEqual([0, 0.5, -0.5]);
  });

  it("gives a model without peers an empty signature", () => {
    expect(out.signatures.m4).toEqual([]);
  });

  it("compares only models sharing a dataset, on the shared datasets", () => {
    expect(out.comparisons.map((c) => [c.a, c.b, c.datasets, c.a_failures, c.b_failures])).toEqual([
      ["m1", "m2", ["d1"], 2, 4],
      ["m1", "m3", ["d2"], 4, 2],
    ]);
    // Only leaves where either model fails are tested.
    expect(out.comparisons[0].categories.map((c) => c.category).sort()).toEqual(["arith", "logic"]);
  });
});

describe("aggregate: model comparisons", () => {
  const repeat = (spec: [string, number][]) => spec.flatMap(([c, n]) => Array<string>(n).fill(c));
  const x = repeat([
    ["arith", 100],
    ["logic", 80],
    ["format", 20],
  ]);
  const out = aggregate(
    input([
      block("x", "d", 400, x),
      block(
        "y",
        "d",
        400,
        repeat([
          ["arith", 20],
          ["logic", 160],
          ["format", 20],
        ]),
      ),
      block("z", "d", 400, x),
    ]),
  );
  const cmpOf = (a: string, b: string) => out.comparisons.find((c) => c.a === a && c.b === b)!;

  it("finds the categories where one model clearly differs", () => {
    const xy = cmpOf("x", "y");
    expect(xy.categories.map((c) => c.category)).toEqual(["arith", "logic", "format"]); // by |diff|
    const arith = xy.categories[0];
    expect(arith).toMatchObject({
      a_count: 100,
      b_count: 20,
      a_share: 0.5,
      b_share: 0.1,
      diff: 0.4,
      significant: true,
      test: "z",
    });
    expect(arith.q).toBeLessThan(1e-10);
    expect(xy.categories[1]).toMatchObject({ diff: -0.4, significant: true });
    expect(xy.categories[2]).toMatchObject({ diff: 0, p: 1, q: 1, significant: false });
  });

  it("finds nothing between identical models", () => {
    for (const c of cmpOf("x", "z").categories) expect(c).toMatchObject({ diff: 0, p: 1, q: 1, significant: false });
  });

  it("adjusts across the pair's categories with Benjamini–Hochberg", () => {
    for (const c of out.comparisons) {
      const ps = c.categories.map((r) => r.p);
      for (const r of c.categories) {
        expect(r.q).toBeGreaterThanOrEqual(r.p);
        const rank = ps.filter((p) => p <= r.p).length;
        expect(r.q).toBeLessThanOrEqual(Math.min(1, (r.p * ps.length) / rank) + 1e-12);
      }
    }
  });

  it("uses Fisher's exact test for rare categories", () => {
    const o = aggregate(
      input([
        block(
          "a",
          "d",
          50,
          repeat([
            ["arith", 30],
            ["noise", 3],
          ]),
        ),
        block("b", "d", 50, repeat([["arith", 30]])),
      ]),
    );
    const noise = o.comparisons[0].categories.find((c) => c.category === "noise")!;
    expect(noise.test).toBe("fisher");
    expect(noise.significant).toBe(false);
  });
});

describe("aggregate: determinism", () => {
  const blocks = [
    block("m1", "d1", 40, ["arith", "logic", "logic", "format", "noise", "arith", "-", "judge_error"]),
    block("m2", "d1", 40, ["arith", "arith", "unexplained", "format"]),
    block("m2", "d2", 30, ["noise", "noise", "logic"]),
  ];

  it("gives byte-identical JSON for the same inputs, whatever their order", () => {
    const a = JSON.stringify(aggregate(input(blocks)));
    expect(JSON.stringify(aggregate(input(blocks)))).toBe(a);
    const shuffled = input(blocks);
    shuffled.records = [...shuffled.records].reverse();
    shuffled.analyses = [...shuffled.analyses].reverse();
    expect(JSON.stringify(aggregate(shuffled))).toBe(a);
  });

  it("changes the intervals, and only them, with the seed", () => {
    const a = aggregate(input(blocks));
    const b = aggregate(input(blocks, { seed: 2 }));
    const strip = (o: Aggregates) => JSON.stringify({ ...o, seed: 0 }, (k, v) => (k === "ci" ? undefined : v));
    expect(strip(b)).toBe(strip(a));
    expect(JSON.stringify(b.overall.shares)).not.toBe(JSON.stringify(a.overall.shares));
  });

  it("keeps a group's interval when other groups change", () => {
    const a = aggregate(input(blocks));
    const b = aggregate(input([...blocks, block("m3", "d3", 20, ["arith", "logic"])]));
    expect(b.models.m1).toEqual(a.models.m1);
    expect(b.pairs[0]).toEqual(a.pairs[0]);
  });
});

// A speed and shape test on the real records. The taxonomy and the categories are SYNTHETIC: each
// failure gets a leaf by a hash of its key, since no judge runs here. It checks that the output of
// the whole real snapshot validates and is coherent, and prints the time it takes.
// Records with a right/wrong grade: the generated arithmetic and quiz sets (their items written 10
// times, for about 2,000 failures), and every jsonl file of ../shared/evaldata.
const RECORDS = sources<{ datasets: string[]; load: () => EvalRecord[]; ci: number }>({
  generated: () => ({
    datasets: ["demo_arith", "demo_quiz"],
    load: () => [...demoRecords("demo_arith", 10), ...demoRecords("demo_quiz", 10)],
    ci: 0.06,
  }),
  shared: () => ({
    datasets: ["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"],
    load: () => ["mmlu_pro", "gsm8k", "math_l5", "theoremqa", "alpaca_eval"].flatMap((f) => loadJsonl(f)),
    ci: 0.03,
  }),
});

describe.each(RECORDS)("aggregate: the %s records (speed and shape; synthetic categories)", (name, source) => {
  it("aggregates every record quickly into a valid result", () => {
    const records = source.load();
    const facets: Facet[] = [
      "skill",
      "skill",
      "skill",
      "skill",
      "skill",
      "format",
      "format",
      "noise",
      "noise",
      "unexplained",
    ];
    const synthetic: Taxonomy = {
      version: "synthetic",
      judge: "heuristic",
      categories: [
        cat("p-skill", null, "skill"),
        ...facets.map((f, i) => cat(`leaf-${i}`, f === "skill" ? "p-skill" : null, f)),
      ],
      retired: [],
    };
    const isFailure = (r: EvalRecord) => r.correct === false;
    const analyses = records.filter(isFailure).map((r) => {
      const h = seedFor(0, recordKey(r));
      return h % 50 === 0 ? analysis(r, "leaf-9", "judge_error") : analysis(r, `leaf-${h % facets.length}`);
    });
    const t0 = performance.now();
    const out = aggregate({
      records,
      isFailure,
      analyses,
      taxonomy: synthetic,
      datasets: [],
      suspectItems: [],
      seed: 7,
    });
    const ms = performance.now() - t0;
    const models = new Set(records.map((r) => r.model)).size;
    const pairs = new Set(records.map((r) => `${r.model}|${r.dataset}`)).size;
    console.log(
      `aggregate on the ${name} records: ${records.length} records, ${analyses.length} failures, ${models} models, ` +
        `${pairs} pairs, ${out.comparisons.length} comparisons, bootstrap ${out.bootstrap}: ${ms.toFixed(0)} ms`,
    );

    expect(AggregatesSchema.parse(out)).toEqual(out);
    expect(out.overall.records).toBe(records.length);
    expect(out.overall.failures).toBe(analyses.length);
    expect(out.overall.analysed + out.overall.judge_errors!).toBe(analyses.length);
    expect(Object.keys(out.models)).toHaveLength(models);
    expect(out.pairs).toHaveLength(pairs);
    expect(Object.keys(out.datasets).sort()).toEqual(source.datasets);
    // Parents sum their leaves; leaf shares sum to one.
    const parent = shareOf(out.overall, "p-skill");
    expect(parent.count).toBe([0, 1, 2, 3, 4].reduce((s, i) => s + shareOf(out.overall, `leaf-${i}`).count, 0));
    const leafSum = out.overall.shares.filter((s) => s.category !== "p-skill").reduce((s, x) => s + x.share, 0);
    expect(leafSum).toBeCloseTo(1, 4);
    // With thousands of failures and a hash assignment, the intervals are narrow.
    for (const s of out.overall.shares) expect(s.ci[1] - s.ci[0]).toBeLessThan(source.ci);
  });
});
