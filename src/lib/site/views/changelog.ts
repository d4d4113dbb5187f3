// The changelog page: a release against the previous one (new models, datasets and categories;
// shifts beyond the intervals).
import type { Group } from "../../schemas.ts";
import { leavesOf, type SiteRelease } from "../model.ts";
import { paths } from "../urls.ts";
import {
  categoryRef,
  datasetName,
  modelName,
  releaseRef,
  shareOf,
  type CategoryRef,
  type ReleaseRef,
} from "./shared.ts";

/** Whether two 95% intervals are apart: only then is a shift reported, so noise is not news. */
export const intervalsApart = (a: [number, number], b: [number, number]) => a[1] < b[0] || b[1] < a[0];

export interface Shift {
  category: CategoryRef;
  model: { id: string; name: string } | null;
  before: { share: number; ci: [number, number]; count: number };
  after: { share: number; ci: [number, number]; count: number };
  diff: number;
}

export interface ChangelogPage {
  kind: "changelog";
  release: ReleaseRef;
  path: string;
  previous: ReleaseRef | null;
  datasets: { added: { id: string; name: string }[]; removed: { id: string; name: string }[] };
  models: { added: { id: string; name: string }[]; removed: { id: string; name: string }[] };
  categories: {
    added: CategoryRef[];
    renamed: (CategoryRef & { from_slug: string; from_name: string })[];
    merged: (CategoryRef & { from: string[] })[];
    split: (CategoryRef & { from: string })[];
    retired: { id: string; slug: string; name: string; path: string | null }[];
  };
  category_shifts: Shift[];
  signature_shifts: Shift[];
}

/** Largest shifts reported per list. */
export const SHIFT_CAP = 15;

function shifts(
  rel: SiteRelease,
  prev: SiteRelease,
  before: Pick<Group, "shares"> | undefined,
  after: Pick<Group, "shares"> | undefined,
  model: { id: string; name: string } | null,
  leavesOnly: boolean,
): Shift[] {
  if (!before || !after) return [];
  const leafIds = new Set(leavesOf(rel.categories).map((c) => c.id));
  const ids = new Set([...before.shares, ...after.shares].map((s) => s.category));
  const out: Shift[] = [];
  for (const id of ids) {
    if (!rel.byId.has(id) || !prev.byId.has(id)) continue; // new or retired: listed elsewhere
    if (leavesOnly && !leafIds.has(id)) continue;
    const b = shareOf(before, id);
    const a = shareOf(after, id);
    if (!intervalsApart(b.ci, a.ci)) continue;
    out.push({ category: categoryRef(rel, id), model, before: { ...b }, after: { ...a }, diff: a.share - b.share });
  }
  return out;
}

export function changelogPage(rel: SiteRelease): ChangelogPage {
  const prev = rel.previous;
  const named = (ids: string[], name: (id: string) => string) => ids.map((id) => ({ id, name: name(id) }));
  const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  const empty: ChangelogPage = {
    kind: "changelog",
    release: releaseRef(rel),
    path: paths.changelog(rel.id),
    previous: prev ? releaseRef(prev) : null,
    datasets: {
      added: named(prev ? minus(rel.datasetIds, prev.datasetIds) : rel.datasetIds, (d) => datasetName(rel, d)),
      removed: named(prev ? minus(prev.datasetIds, rel.datasetIds) : [], (d) => datasetName(rel, d)),
    },
    models: {
      added: named(prev ? minus(rel.modelIds, prev.modelIds) : rel.modelIds, (m) => modelName(rel, m)),
      removed: named(prev ? minus(prev.modelIds, rel.modelIds) : [], (m) => modelName(rel, m)),
    },
    categories: { added: [], renamed: [], merged: [], split: [], retired: [] },
    category_shifts: [],
    signature_shifts: [],
  };
  if (!prev) {
    empty.categories.added = rel.categories.map((c) => categoryRef(rel, c.id));
    return empty;
  }
  const cats = empty.categories;
  for (const c of rel.categories) {
    const old = prev.byId.get(c.id);
    const ref = categoryRef(rel, c.id);
    const here = c.lineage.filter((l) => l.release === rel.id);
    const mergedFrom = here.filter((l) => l.kind === "merged_from").map((l) => l.id);
    const splitFrom = here.find((l) => l.kind === "split_from");
    if (mergedFrom.length) cats.merged.push({ ...ref, from: mergedFrom.map((id) => prev.byId.get(id)?.name ?? id) });
    if (splitFrom) cats.split.push({ ...ref, from: prev.byId.get(splitFrom.id)?.name ?? splitFrom.id });
    if (!old) {
      if (!mergedFrom.length && !splitFrom) cats.added.push(ref);
    } else if (old.slug !== c.slug || old.name !== c.name) {
      cats.renamed.push({ ...ref, from_slug: old.slug, from_name: old.name });
    }
  }
  const retired = new Map(rel.taxonomy.retired.map((c) => [c.id, c]));
  // A category of the previous release that is simply gone counts as retired too.
  for (const c of prev.categories) if (!rel.byId.has(c.id) && !retired.has(c.id)) retired.set(c.id, c);
  cats.retired = [...retired.values()].map((c) => ({
    id: c.id,
    slug: c.slug,
    name: c.name,
    path: prev.byId.has(c.id) ? paths.category(prev.id, prev.byId.get(c.id)!.slug) : null,
  }));
  const order = (a: Shift, b: Shift) =>
    Math.abs(b.diff) - Math.abs(a.diff) ||
    a.category.id.localeCompare(b.category.id) ||
    (a.model?.id ?? "").localeCompare(b.model?.id ?? "");
  empty.category_shifts = shifts(rel, prev, prev.aggregates.overall, rel.aggregates.overall, null, false)
    .sort(order)
    .slice(0, SHIFT_CAP);
  empty.signature_shifts = rel.modelIds
    .filter((m) => prev.aggregates.models[m])
    .flatMap((m) =>
      shifts(rel, prev, prev.aggregates.models[m], rel.aggregates.models[m], { id: m, name: modelName(rel, m) }, true),
    )
    .sort(order)
    .slice(0, SHIFT_CAP);
  return empty;
}
