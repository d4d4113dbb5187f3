// The compare pages: two models side by side, and the release's picker of pairs.
import type { Comparison } from "../../schemas.ts";
import { once, type SiteRelease } from "../model.ts";
import { paths } from "../urls.ts";
import { categoryRef, datasetName, modelName, releaseRef, type CategoryRef, type ReleaseRef } from "./shared.ts";

export const compareSlug = (c: Pick<Comparison, "a" | "b">) => `${c.a}--${c.b}`;

export interface ComparePage {
  kind: "compare";
  release: ReleaseRef;
  path: string;
  a: { id: string; name: string; path: string; failures: number };
  b: { id: string; name: string; path: string; failures: number };
  datasets: { id: string; name: string }[];
  categories: (CategoryRef & Omit<Comparison["categories"][number], "category">)[];
}

/** A release's comparisons by "a|b" (a release of 100 models has 4,950, and a page each). */
const comparisonsOf = once((rel: SiteRelease) => new Map(rel.aggregates.comparisons.map((c) => [`${c.a}|${c.b}`, c])));

export function comparePage(rel: SiteRelease, a: string, b: string): ComparePage | null {
  const c = comparisonsOf(rel).get(`${a}|${b}`);
  if (!c) return null;
  return {
    kind: "compare",
    release: releaseRef(rel),
    path: paths.compare(rel.id, a, b),
    a: { id: a, name: modelName(rel, a), path: paths.model(rel.id, a), failures: c.a_failures },
    b: { id: b, name: modelName(rel, b), path: paths.model(rel.id, b), failures: c.b_failures },
    datasets: c.datasets.map((d) => ({ id: d, name: datasetName(rel, d) })),
    categories: c.categories.map(({ category, ...rest }) => ({ ...categoryRef(rel, category), ...rest })),
  };
}

export interface CompareIndexPage {
  kind: "compare-index";
  release: ReleaseRef;
  path: string;
  models: { id: string; name: string }[];
  pairs: { a: string; b: string; a_name: string; b_name: string; path: string; significant: number }[];
}

export function compareIndexPage(rel: SiteRelease): CompareIndexPage {
  const pairs = rel.aggregates.comparisons
    .map((c) => ({
      a: c.a,
      b: c.b,
      a_name: modelName(rel, c.a),
      b_name: modelName(rel, c.b),
      path: paths.compare(rel.id, c.a, c.b),
      significant: c.categories.filter((k) => k.significant).length,
    }))
    .sort((x, y) => x.a_name.localeCompare(y.a_name) || x.b_name.localeCompare(y.b_name));
  const ids = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  return {
    kind: "compare-index",
    release: releaseRef(rel),
    path: paths.compareIndex(rel.id),
    models: ids.map((id) => ({ id, name: modelName(rel, id) })).sort((x, y) => x.name.localeCompare(y.name)),
    pairs,
  };
}
