// The Aggregate stage of the ErrorMap pipeline (docs/design.md): counts and shares per model, dataset,
// (model, dataset) pair and category with bootstrap intervals, each model's failure signature
// against its peers, model-vs-model tests, and dataset profiles. Pure: same inputs, same output.
//
// Definitions (the site shows these numbers; keep this comment in step with the code):
// - records / failures: records of the group, and those `isFailure` says failed.
// - analysed: failures with an analysis of status "ok". Shares are count / analysed; failures
//   with a "judge_error" analysis are counted in `failures` and `judge_errors` but in no share;
//   failures left out by sampling have no analysis and count in `failures` only.
// - accuracy: 1 − failures / records (0 for a group without records, which never appears).
// - shares: every category of the taxonomy, in its order, leaves and parents; a parent's count is
//   the sum of the leaves under it. Interval: 95% percentile bootstrap over the group's analysed
//   failures, B resamples, one seeded stream per group (seedFor(seed, group key)), so a group's
//   interval does not move when other groups change.
// - signatures[m]: for each leaf c, `share` is m's share of c and `peer_share` what m's peers
//   show on the same datasets with m's dataset mix:
//     D = datasets where m has analysed failures and at least one peer (another model) has too;
//     w_d = m's analysed failures on d / m's analysed failures on D;
//     peer_share(c) = Σ_{d∈D} w_d · mean over peers p with analysed failures on d of share_{p,d}(c);
//     share(c) = m's count of c on D / m's analysed failures on D; diff = share − peer_share.
//   Each peer counts equally on a dataset, and the mix weighting stops a model that fails mostly
//   on hard maths from looking "math-heavy" merely because of where it fails. When D is every
//   dataset of m (the usual case), share equals models[m]'s leaf share. No peers: empty list.
// - comparisons: every pair a < b of models with records on at least one common dataset, on the
//   common datasets only. a_failures / b_failures are the analysed failures there (the tests'
//   denominators). Per leaf with at least one failure in either model: pooled two-proportion
//   z-test, or Fisher's exact test when an expected cell count is below 5 (`test`); BH across the
//   pair's tested leaves; significant when q < 0.05. Sorted by |diff| descending, then taxonomy.
// - datasets[d].off_skill_share: share of d's analysed failures whose leaf's facet is "format" or
//   "noise", i.e. failures that are not about the skill d claims to test (facet "skill") and not
//   unplaced ("unexplained" / "other"). noise_share: facet "noise" only (grader noise, and
//   reference errors a person's review confirmed: never consensus alone). suspect_items: the
//   caller's disputed items (scripts/pipeline/finalise.ts), for d, sorted by instance id.
// Floats are rounded (shares, intervals, diffs to 6 decimals; p and q to 6 significant digits).
import {
  type Aggregates,
  type Analysis,
  type Comparison,
  type DatasetEntry,
  type EvalRecord,
  type Group,
  type SuspectItem,
  type Taxonomy,
  recordKey,
} from "../../src/lib/schemas.ts";
import { Mulberry32, seedFor } from "../lib/prng.ts";
import { benjaminiHochberg, bootstrapShares, proportionTest, round, roundSig } from "../lib/stats.ts";

export interface AggregateInput {
  /** Every record of the snapshot, failures and successes. */
  records: EvalRecord[];
  isFailure: (r: EvalRecord) => boolean;
  /** One per analysed failure, keyed by recordKey. */
  analyses: Analysis[];
  taxonomy: Taxonomy;
  /** The registry's datasets. Not needed by today's definitions (facets decide off-skill). */
  datasets: DatasetEntry[];
  suspectItems: SuspectItem[];
  seed: number;
  /** Bootstrap resamples per group (default 1000). */
  bootstrap?: number;
}

export const DEFAULT_BOOTSTRAP = 1000;
const ALPHA = 0.05;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The taxonomy as index tables: leaves, and for every category the leaves it sums. */
function indexTaxonomy(taxonomy: Taxonomy) {
  const cats = taxonomy.categories;
  const byId = new Map(cats.map((c) => [c.id, c]));
  if (byId.size !== cats.length) throw new Error("taxonomy: duplicate category ids");
  const hasChild = new Set<string>();
  for (const c of cats) {
    if (c.parent === null) continue;
    if (!byId.has(c.parent)) throw new Error(`taxonomy: category ${c.id} has unknown parent ${c.parent}`);
    hasChild.add(c.parent);
  }
  const leaves = cats.filter((c) => !hasChild.has(c.id));
  const leafIndex = new Map(leaves.map((c, i) => [c.id, i]));
  const nodes: number[][] = cats.map(() => []);
  const catIndex = new Map(cats.map((c, i) => [c.id, i]));
  leaves.forEach((leaf, li) => {
    const seen = new Set<string>();
    for (let c: (typeof cats)[number] | undefined = leaf; c; c = c.parent === null ? undefined : byId.get(c.parent)) {
      if (seen.has(c.id)) throw new Error(`taxonomy: cycle through ${c.id}`);
      seen.add(c.id);
      nodes[catIndex.get(c.id)!].push(li);
    }
  });
  return { cats, leaves, leafIndex, nodes };
}

/** Running totals of one group. */
interface Acc {
  records: number;
  failures: number;
  judgeErrors: number;
  labels: number[];
}
const newAcc = (): Acc => ({ records: 0, failures: 0, judgeErrors: 0, labels: [] });

function leafCounts(labels: number[], k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

export function aggregate(input: AggregateInput): Aggregates {
  const { records, isFailure, analyses, taxonomy, suspectItems, seed } = input;
  const B = input.bootstrap ?? DEFAULT_BOOTSTRAP;
  if (!Number.isInteger(B) || B < 0) throw new Error(`bootstrap must be a non-negative integer, got ${B}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const tax = indexTaxonomy(taxonomy);
  const k = tax.leaves.length;

  // Analyses by record key, checked against the records they explain.
  const failing = new Set<string>();
  const seenRecords = new Set<string>();
  for (const r of records) {
    const key = recordKey(r);
    if (seenRecords.has(key)) throw new Error(`aggregate: duplicate record ${key}`);
    seenRecords.add(key);
    if (isFailure(r)) failing.add(key);
  }
  const analysisOf = new Map<string, Analysis>();
  for (const a of analyses) {
    if (a.key !== recordKey(a)) throw new Error(`aggregate: analysis ${a.key} names ${recordKey(a)} in its fields`);
    if (analysisOf.has(a.key)) throw new Error(`aggregate: two analyses of ${a.key}`);
    if (!failing.has(a.key)) throw new Error(`aggregate: analysis ${a.key} matches no failing record`);
    if (a.status === "ok" && !tax.leafIndex.has(a.category))
      throw new Error(`aggregate: analysis ${a.key} is in ${a.category}, which is not a leaf of the taxonomy`);
    analysisOf.set(a.key, a);
  }

  // One pass over the records fills every group.
  const overall = newAcc();
  const byModel = new Map<string, Acc>();
  const byDataset = new Map<string, Acc>();
  const byPair = new Map<string, Acc>(); // `${model}|${dataset}`
  const get = (m: Map<string, Acc>, key: string) => {
    let acc = m.get(key);
    if (!acc) m.set(key, (acc = newAcc()));
    return acc;
  };
  for (const r of records) {
    const key = recordKey(r);
    const accs = [overall, get(byModel, r.model), get(byDataset, r.dataset), get(byPair, `${r.model}|${r.dataset}`)];
    const failed = failing.has(key);
    const a = analysisOf.get(key);
    for (const acc of accs) {
      acc.records++;
      if (!failed) continue;
      acc.failures++;
      if (a?.status === "judge_error") acc.judgeErrors++;
      else if (a) acc.labels.push(tax.leafIndex.get(a.category)!);
    }
  }
  // Sorted labels make the bootstrap independent of the records' input order.
  for (const m of [byModel, byDataset, byPair]) for (const acc of m.values()) acc.labels.sort((x, y) => x - y);
  overall.labels.sort((x, y) => x - y);

  const group = (acc: Acc, streamKey: string): Group => {
    const est = bootstrapShares(acc.labels, k, B, new Mulberry32(seedFor(seed, streamKey)), tax.nodes);
    const counts = leafCounts(acc.labels, k);
    return {
      records: acc.records,
      failures: acc.failures,
      analysed: acc.labels.length,
      judge_errors: acc.judgeErrors,
      accuracy: acc.records ? round(1 - acc.failures / acc.records) : 0,
      shares: tax.cats.map((c, i) => ({
        category: c.id,
        count: tax.nodes[i].reduce((s, l) => s + counts[l], 0),
        share: round(est[i].share),
        ci: [round(est[i].ci[0]), round(est[i].ci[1])] as [number, number],
      })),
    };
  };

  const models = [...byModel.keys()].sort(cmp);
  const datasetIds = [...byDataset.keys()].sort(cmp);
  const datasetsOf = new Map(models.map((m) => [m, datasetIds.filter((d) => byPair.has(`${m}|${d}`))]));
  const modelsOn = new Map(datasetIds.map((d) => [d, models.filter((m) => byPair.has(`${m}|${d}`))]));

  const modelsOut: Aggregates["models"] = {};
  for (const m of models) modelsOut[m] = { ...group(byModel.get(m)!, `model|${m}`), datasets: datasetsOf.get(m)! };

  // Dataset profiles.
  const facetOfLeaf = tax.leaves.map((c) => c.facet);
  const datasetsOut: Aggregates["datasets"] = {};
  for (const d of datasetIds) {
    const acc = byDataset.get(d)!;
    const n = acc.labels.length;
    let offSkill = 0;
    let noise = 0;
    for (const l of acc.labels) {
      const f = facetOfLeaf[l];
      if (f === "format" || f === "noise") offSkill++;
      if (f === "noise") noise++;
    }
    datasetsOut[d] = {
      ...group(acc, `dataset|${d}`),
      models: modelsOn.get(d)!,
      off_skill_share: n ? round(offSkill / n) : 0,
      noise_share: n ? round(noise / n) : 0,
      suspect_items: suspectItems
        .filter((s) => s.dataset === d)
        .sort((x, y) => cmp(x.instance_id, y.instance_id))
        .map((s) => ({ ...s, agreeing: [...s.agreeing].sort(cmp) })),
    };
  }

  const pairs: Aggregates["pairs"] = [];
  for (const m of models)
    for (const d of datasetsOf.get(m)!)
      pairs.push({ ...group(byPair.get(`${m}|${d}`)!, `pair|${m}|${d}`), model: m, dataset: d });

  // Leaf counts and analysed totals per (model, dataset), for signatures and comparisons.
  const pairCounts = new Map<string, { n: number; counts: number[] }>();
  for (const [key, acc] of byPair) pairCounts.set(key, { n: acc.labels.length, counts: leafCounts(acc.labels, k) });

  return {
    seed,
    bootstrap: B,
    overall: group(overall, "overall"),
    models: modelsOut,
    datasets: datasetsOut,
    pairs,
    signatures: signatures(
      models,
      datasetsOf,
      modelsOn,
      pairCounts,
      tax.leaves.map((c) => c.id),
    ),
    comparisons: comparisons(
      models,
      datasetsOf,
      pairCounts,
      tax.leaves.map((c) => c.id),
    ),
  };
}

type PairCounts = Map<string, { n: number; counts: number[] }>;

/** Each model's leaf shares against its peers on the same datasets, mixed as its own failures are. */
export function signatures(
  models: string[],
  datasetsOf: Map<string, string[]>,
  modelsOn: Map<string, string[]>,
  pairCounts: PairCounts,
  leaves: string[],
): Aggregates["signatures"] {
  const k = leaves.length;
  const out: Aggregates["signatures"] = {};
  for (const m of models) {
    const own = new Array<number>(k).fill(0);
    const peer = new Array<number>(k).fill(0); // Σ_d n_{m,d} · mean peer share on d
    let total = 0;
    for (const d of datasetsOf.get(m)!) {
      const mine = pairCounts.get(`${m}|${d}`)!;
      if (mine.n === 0) continue;
      const peers = modelsOn.get(d)!.filter((p) => p !== m && pairCounts.get(`${p}|${d}`)!.n > 0);
      if (peers.length === 0) continue;
      total += mine.n;
      for (let c = 0; c < k; c++) {
        own[c] += mine.counts[c];
        let mean = 0;
        for (const p of peers) {
          const theirs = pairCounts.get(`${p}|${d}`)!;
          mean += theirs.counts[c] / theirs.n;
        }
        peer[c] += (mine.n * mean) / peers.length;
      }
    }
    out[m] =
      total === 0
        ? []
        : leaves.map((category, c) => {
            const share = own[c] / total;
            const peerShare = peer[c] / total;
            return { category, share: round(share), peer_share: round(peerShare), diff: round(share - peerShare) };
          });
  }
  return out;
}

/** Every pair of models with a common dataset: per leaf, a two-proportion test on the common datasets. */
export function comparisons(
  models: string[],
  datasetsOf: Map<string, string[]>,
  pairCounts: PairCounts,
  leaves: string[],
): Comparison[] {
  const k = leaves.length;
  const out: Comparison[] = [];
  const sum = (m: string, ds: string[]) => {
    const counts = new Array<number>(k).fill(0);
    let n = 0;
    for (const d of ds) {
      const pc = pairCounts.get(`${m}|${d}`)!;
      n += pc.n;
      for (let c = 0; c < k; c++) counts[c] += pc.counts[c];
    }
    return { n, counts };
  };
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      const a = models[i];
      const b = models[j];
      const bSet = new Set(datasetsOf.get(b)!);
      const shared = datasetsOf.get(a)!.filter((d) => bSet.has(d));
      if (shared.length === 0) continue;
      const A = sum(a, shared);
      const Bc = sum(b, shared);
      const tested: { c: number; p: number; test: "z" | "fisher" }[] = [];
      if (A.n > 0 && Bc.n > 0)
        for (let c = 0; c < k; c++) {
          if (A.counts[c] + Bc.counts[c] === 0) continue; // no failure in it: nothing to test
          const t = proportionTest(A.counts[c], A.n, Bc.counts[c], Bc.n);
          tested.push({ c, p: t.p, test: t.test });
        }
      const qs = benjaminiHochberg(tested.map((t) => t.p));
      const categories = tested.map((t, idx) => {
        const q = roundSig(qs[idx]); // decide on the published value, so the flag agrees with it
        const aShare = A.counts[t.c] / A.n;
        const bShare = Bc.counts[t.c] / Bc.n;
        return {
          order: t.c,
          row: {
            category: leaves[t.c],
            a_count: A.counts[t.c],
            b_count: Bc.counts[t.c],
            a_share: round(aShare),
            b_share: round(bShare),
            diff: round(aShare - bShare),
            p: roundSig(t.p),
            q,
            significant: q < ALPHA,
            test: t.test,
          },
        };
      });
      categories.sort((x, y) => Math.abs(y.row.diff) - Math.abs(x.row.diff) || x.order - y.order);
      out.push({
        a,
        b,
        datasets: shared,
        a_failures: A.n,
        b_failures: Bc.n,
        categories: categories.map((x) => x.row),
      });
    }
  }
  return out;
}
