// Pagefind filters and metadata of a data page: kind, release, datasets and model families, so
// search results can be narrowed and show what and which release each hit is.
import type { Site } from "./model.ts";
import type { CategoryPage } from "./views/category.ts";
import type { DatasetPage } from "./views/dataset.ts";
import type { ModelPage } from "./views/model.ts";

export interface SearchFacets {
  /** "failure": a failure's own page (views/failure.ts builds its facets). */
  kind: "category" | "model" | "dataset" | "failure";
  release: string;
  datasets: string[];
  families: string[];
}

const uniqSorted = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))].sort();
export function searchFacets(site: Site, page: CategoryPage | ModelPage | DatasetPage): SearchFacets {
  // Families as the page's release recorded them.
  const rel = site.releases.find((r) => r.id === page.release.id);
  const family = (model: string) => rel?.models.get(model)?.family ?? null;
  switch (page.kind) {
    case "category":
      return {
        kind: "category",
        release: page.release.id,
        datasets: uniqSorted(page.by_dataset.filter((d) => d.count > 0).map((d) => d.name)),
        families: uniqSorted(page.by_model.filter((m) => m.count > 0).map((m) => family(m.id))),
      };
    case "model":
      return {
        kind: "model",
        release: page.release.id,
        datasets: uniqSorted(page.per_dataset.map((d) => d.name)),
        families: uniqSorted([page.model.family]),
      };
    case "dataset":
      return {
        kind: "dataset",
        release: page.release.id,
        datasets: [page.dataset.name],
        families: uniqSorted(page.models.map((m) => family(m.id))),
      };
  }
}
