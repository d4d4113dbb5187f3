// The compare pages: two models side by side, and the release's picker of pairs. A pair's page leads
// with the paired test on the items both models attempted (../paired-items.ts): how often each made
// each kind of error there, per 100 items, and whether that differs. The share of each model's
// failures (the aggregates' comparison) follows, labelled as a mix, not a rate: a model with fewer
// failures can show a larger share of a category while making fewer such errors.
import type { Comparison } from "../../schemas.ts";
import { once, type SiteRelease } from "../model.ts";
import { ALPHA, pairedTable, type PairedRow, type PairedTable } from "../paired-items.ts";
import type { CsvCell } from "../serialize.ts";
import { count, plural } from "../text.ts";
import { paths } from "../urls.ts";
import { categoryRef, datasetName, modelName, releaseRef, type CategoryRef, type ReleaseRef } from "./shared.ts";

export const compareSlug = (c: Pick<Comparison, "a" | "b">) => `${c.a}--${c.b}`;

interface Side {
  id: string;
  name: string;
  path: string;
  /** Analysed failures on the shared datasets. */
  failures: number;
  /** Records (items attempted) on the shared datasets. */
  records: number;
  /** Failures there without a valid analysis (sampled out, judge errors): in no category. */
  not_analysed: number;
}

export interface ComparePaired extends Omit<PairedTable, "rows"> {
  test: "McNemar exact, two-sided";
  adjustment: "Benjamini-Hochberg";
  /** Categories tested: the taxonomy's leaves either model made on a shared item. */
  level: "leaf";
  alpha: number;
  rows: (CategoryRef & Omit<PairedRow, "category">)[];
  /** What differs, in words: one sentence for the whole, then one per category that differs. */
  summary: string[];
}

export interface ComparePage {
  kind: "compare";
  release: ReleaseRef;
  path: string;
  a: Side;
  b: Side;
  datasets: { id: string; name: string }[];
  /** The paired test per category; null when the items both attempted cannot be told. */
  paired: ComparePaired | null;
  /** Share of each model's analysed failures per leaf (the mix), with each model's rate per 100 items attempted on the shared datasets. */
  categories: (CategoryRef &
    Omit<Comparison["categories"][number], "category"> & { a_per_100: number; b_per_100: number })[];
}

/** A release's comparisons by "a|b" (a release of 100 models has 4,950, and a page each). */
const comparisonsOf = once((rel: SiteRelease) => new Map(rel.aggregates.comparisons.map((c) => [`${c.a}|${c.b}`, c])));

/** Records and failures (analysed or not) per "model|dataset", from the aggregates. */
const pairTotals = once(
  (rel: SiteRelease) =>
    new Map(rel.aggregates.pairs.map((p) => [`${p.model}|${p.dataset}`, { records: p.records, failures: p.failures }])),
);

/** n per 100 of `of`, to 4 decimals (0 when there is nothing to divide by). */
export const per100 = (n: number, of: number) => (of ? Math.round((n / of) * 1e6) / 1e4 : 0);

/** "0.0003", "0.041", "< 0.0001": a p-value as a sentence shows it. */
export const pText = (p: number) => (p < 1e-4 ? "< 0.0001" : String(Number(p.toPrecision(2))));

/** "= 0.0003", "< 0.0001": a p-value after "p" in a sentence. */
const pRelation = (p: number) => (p < 1e-4 ? pText(p) : `= ${pText(p)}`);

/** "12.3": a rate per 100 items as pages show it. */
export const rateText = (r: number) => r.toFixed(1);

function summaryOf(t: PairedTable, rows: ComparePaired["rows"], a: string, b: string): string[] {
  if (t.items === 0) return ["The two models attempted no item in common, so there is nothing to pair."];
  const lead =
    `On the ${plural(t.items, "item")} both attempted, ${a} failed on ${count(t.a_failures)} ` +
    `(${rateText((t.a_failures / t.items) * 100)} per 100) and ${b} on ${count(t.b_failures)} ` +
    `(${rateText((t.b_failures / t.items) * 100)} per 100).`;
  const differing = rows.filter((r) => r.differs);
  if (differing.length === 0)
    return [
      lead,
      rows.length === 0
        ? "Neither made an analysed error on them, so no category is compared."
        : `No category differs at the 5% level after correction (Benjamini–Hochberg over the ${plural(rows.length, "category", "categories")} either model made on these items).`,
    ];
  return [
    lead,
    ...differing.map(
      (r) =>
        `${a} made “${r.name}” errors on ${count(r.both + r.a_only)} and ${b} on ${count(r.both + r.b_only)} ` +
        `(${rateText(r.a_per_100)} vs ${rateText(r.b_per_100)} per 100 items); ${count(r.a_only)} vs ${count(r.b_only)} ` +
        `discordant, adjusted p ${pRelation(r.p_adjusted)}: ${r.more === "a" ? a : b} makes this error more often.`,
    ),
  ];
}

function pairedOf(rel: SiteRelease, a: Side, b: Side): ComparePaired | null {
  const t = pairedTable(rel, a.id, b.id);
  if (!t) return null;
  const rows = t.rows.map(({ category, ...rest }) => ({ ...categoryRef(rel, category), ...rest }));
  return {
    test: "McNemar exact, two-sided",
    adjustment: "Benjamini-Hochberg",
    level: "leaf",
    alpha: ALPHA,
    items: t.items,
    a_failures: t.a_failures,
    b_failures: t.b_failures,
    rows,
    summary: summaryOf(t, rows, a.name, b.name),
  };
}

export function comparePage(rel: SiteRelease, a: string, b: string): ComparePage | null {
  const c = comparisonsOf(rel).get(`${a}|${b}`);
  if (!c) return null;
  const totals = pairTotals(rel);
  const sum = (m: string, k: "records" | "failures") =>
    c.datasets.reduce((s, d) => s + (totals.get(`${m}|${d}`)?.[k] ?? 0), 0);
  const side = (id: string, failures: number): Side => ({
    id,
    name: modelName(rel, id),
    path: paths.model(rel.id, id),
    failures,
    records: sum(id, "records"),
    not_analysed: sum(id, "failures") - failures,
  });
  const A = side(a, c.a_failures);
  const B = side(b, c.b_failures);
  return {
    kind: "compare",
    release: releaseRef(rel),
    path: paths.compare(rel.id, a, b),
    a: A,
    b: B,
    datasets: c.datasets.map((d) => ({ id: d, name: datasetName(rel, d) })),
    paired: pairedOf(rel, A, B),
    categories: c.categories.map(({ category, ...rest }) => ({
      ...categoryRef(rel, category),
      ...rest,
      a_per_100: per100(rest.a_count, A.records),
      b_per_100: per100(rest.b_count, B.records),
    })),
  };
}

/**
 * The pair's data.csv: one row per leaf category, the paired test's order first: the share of each
 * model's failures and its rate per 100 items attempted on the shared datasets (with the aggregates'
 * test of the shares), then the paired table on the items both attempted.
 */
export function compareCsv(page: ComparePage): [string[], CsvCell[][]] {
  const shares = new Map(page.categories.map((c) => [c.id, c]));
  const paired = new Map((page.paired?.rows ?? []).map((r) => [r.id, r]));
  const ids = [...paired.keys(), ...shares.keys()].filter((id, i, all) => all.indexOf(id) === i);
  const columns = [
    "category",
    "name",
    "a_count",
    "b_count",
    "a_share",
    "b_share",
    "diff",
    "p",
    "q",
    "significant",
    "a_per_100_attempted",
    "b_per_100_attempted",
    "shared_items",
    "both",
    "a_only",
    "b_only",
    "neither",
    "a_per_100_shared",
    "b_per_100_shared",
    "mcnemar_p",
    "mcnemar_p_adjusted",
    "differs",
  ];
  const rows = ids.map((id): CsvCell[] => {
    const s = shares.get(id);
    const r = paired.get(id);
    return [
      id,
      (s ?? r)!.name,
      s?.a_count,
      s?.b_count,
      s?.a_share,
      s?.b_share,
      s?.diff,
      s?.p,
      s?.q,
      s?.significant,
      s?.a_per_100,
      s?.b_per_100,
      r ? page.paired!.items : null,
      r?.both,
      r?.a_only,
      r?.b_only,
      r?.neither,
      r?.a_per_100,
      r?.b_per_100,
      r?.p,
      r?.p_adjusted,
      r?.differs,
    ];
  });
  return [columns, rows];
}

/** Categories in which a pair differs by the paired test; null when it cannot be told. */
export function differingCategories(rel: SiteRelease, a: string, b: string): number | null {
  const t = pairedTable(rel, a, b);
  return t ? t.rows.filter((r) => r.differs).length : null;
}

/**
 * The index lists every pair while that keeps the page small; past this many (a release of 100
 * models has 4,950 pairs, a 1 MB list) it lists the models, each linking to its comparisons on its
 * model page, and the picker finds any pair.
 */
export const PAIR_LIST_CAP = 300;

export interface CompareIndexPage {
  kind: "compare-index";
  release: ReleaseRef;
  path: string;
  /** Sorted by name; `compare` is the list of its comparisons (on its model page). */
  models: { id: string; name: string; compare: string; pairs: number }[];
  /** Every pair, by the two names; `differ`: categories that differ by the paired test (null: cannot tell). */
  pairs: { a: string; b: string; path: string; differ: number | null }[];
  /** Whether the page lists every pair (else the models). */
  lists_pairs: boolean;
}

export function compareIndexPage(rel: SiteRelease): CompareIndexPage {
  const name = (id: string) => modelName(rel, id);
  const pairs = rel.aggregates.comparisons
    .map((c) => ({ a: c.a, b: c.b, path: paths.compare(rel.id, c.a, c.b), differ: differingCategories(rel, c.a, c.b) }))
    .sort((x, y) => name(x.a).localeCompare(name(y.a)) || name(x.b).localeCompare(name(y.b)));
  const partners = new Map<string, number>();
  for (const p of pairs) for (const m of [p.a, p.b]) partners.set(m, (partners.get(m) ?? 0) + 1);
  return {
    kind: "compare-index",
    release: releaseRef(rel),
    path: paths.compareIndex(rel.id),
    models: [...partners]
      .map(([id, n]) => ({ id, name: name(id), compare: `${paths.model(rel.id, id)}#compare`, pairs: n }))
      .sort((x, y) => x.name.localeCompare(y.name) || (x.id < y.id ? -1 : 1)),
    pairs,
    lists_pairs: pairs.length <= PAIR_LIST_CAP,
  };
}

/**
 * For the picker's script: per model (in `models` order), which others it has a comparison with, as
 * a bit set in hex (bit j of digit j >> 2 for model j): 2.5 KB for 100 models instead of a link per pair.
 */
export function partnerBits(page: CompareIndexPage): string[] {
  const at = new Map(page.models.map((m, i) => [m.id, i]));
  const bits = page.models.map(() => new Array<number>(Math.ceil(page.models.length / 4)).fill(0));
  for (const p of page.pairs) {
    const i = at.get(p.a)!;
    const j = at.get(p.b)!;
    bits[i][j >> 2] |= 1 << (j & 3);
    bits[j][i >> 2] |= 1 << (i & 3);
  }
  return bits.map((digits) => digits.map((d) => d.toString(16)).join(""));
}
