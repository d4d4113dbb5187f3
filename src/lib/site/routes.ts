// getStaticPaths of every page family.
import { analysesByItem, itemsOf } from "./items.ts";
import { getSite } from "./load.ts";
import { categoryRedirects } from "./views/category.ts";
import { compareSlug } from "./views/compare.ts";
import { itemSegment, paths } from "./urls.ts";

export async function releasePaths() {
  const site = await getSite();
  return site.releases.map((r) => ({ params: { release: r.id } }));
}

/** Category pages of every release, and (for pages only) redirects from old slugs. */
export async function categoryPaths(withRedirects: boolean) {
  const site = await getSite();
  return site.releases.flatMap((r) => [
    ...r.categories.map((c) => ({
      params: { release: r.id, slug: c.slug },
      props: { redirect: null as string | null },
    })),
    ...(withRedirects
      ? categoryRedirects(r).map((x) => ({
          params: { release: r.id, slug: x.from },
          props: { redirect: x.to as string | null },
        }))
      : []),
  ]);
}

export async function modelPaths() {
  const site = await getSite();
  return site.releases.flatMap((r) => r.modelIds.map((m) => ({ params: { release: r.id, model: m } })));
}

export async function datasetPaths() {
  const site = await getSite();
  return site.releases.flatMap((r) => r.datasetIds.map((d) => ({ params: { release: r.id, dataset: d } })));
}

export async function comparePaths() {
  const site = await getSite();
  return site.releases.flatMap((r) =>
    r.aggregates.comparisons.map((c) => ({
      params: { release: r.id, pair: compareSlug(c) },
      props: { a: c.a, b: c.b },
    })),
  );
}

/**
 * Item views of every release: one per item with an analysed failure, in (release, dataset, item)
 * order, the order the item loader reads snapshots in (src/lib/site/items.ts).
 */
export async function itemPaths() {
  const site = await getSite();
  return site.releases.flatMap((r) =>
    itemsOf(r).map((it) => ({
      params: { release: r.id, dataset: it.dataset, item: itemSegment(it.instance_id) },
      props: { instance: it.instance_id },
    })),
  );
}

/** Failure pages of every release: one per analysed failure, in (release, dataset, item, model) order. */
export async function failurePaths() {
  const site = await getSite();
  return site.releases.flatMap((r) => {
    const byItem = analysesByItem(r);
    return itemsOf(r).flatMap((it) => {
      const item = itemSegment(it.instance_id);
      return byItem.get(`${it.dataset}|${it.instance_id}`)!.map((a) => ({
        params: { release: r.id, dataset: a.dataset, item, model: a.model },
        props: { key: a.key },
      }));
    });
  });
}

/**
 * Latest aliases: the latest release's categories; its old slugs redirect to the new ones, and a
 * category it retired redirects to its page in the release before.
 */
export async function latestCategoryPaths(withRedirects: boolean) {
  const site = await getSite();
  const r = site.latest;
  if (!r) return [];
  type Redirect = { to: string; name: string } | null;
  const pages = r.categories.map((c) => ({ params: { slug: c.slug }, props: { redirect: null as Redirect } }));
  if (!withRedirects) return pages;
  const taken = new Set(r.categories.map((c) => c.slug));
  const renamed = categoryRedirects(r).map((x) => {
    taken.add(x.from);
    return {
      params: { slug: x.from },
      props: { redirect: { to: paths.latestCategory(x.to), name: r.bySlug.get(x.to)!.name } as Redirect },
    };
  });
  const prev = r.previous;
  const retired = prev
    ? r.taxonomy.retired
        .map((c) => prev.byId.get(c.id))
        .filter((c): c is NonNullable<typeof c> => !!c && !taken.has(c.slug))
        .map((c) => ({
          params: { slug: c.slug },
          props: {
            redirect: {
              to: paths.category(prev.id, c.slug),
              name: `${c.name} (retired; release ${prev.id})`,
            } as Redirect,
          },
        }))
    : [];
  return [...pages, ...renamed, ...retired];
}

export async function latestModelPaths() {
  const site = await getSite();
  return (site.latest?.modelIds ?? []).map((m) => ({ params: { model: m } }));
}

export async function latestDatasetPaths() {
  const site = await getSite();
  return (site.latest?.datasetIds ?? []).map((d) => ({ params: { dataset: d } }));
}

/** The release a page's params name (it exists: paths come from the same site model). */
export async function releaseOf(id: string | undefined) {
  const site = await getSite();
  const rel = site.releases.find((r) => r.id === id);
  if (!rel) throw new Error(`unknown release ${id}`);
  return { site, rel };
}

export const jsonResponse = (body: string) =>
  new Response(body, { headers: { "Content-Type": "application/json; charset=utf-8" } });
