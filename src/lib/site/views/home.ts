// The home page: the atlas today (top categories, the model × category heatmap, datasets, what is new).
import type { Facet, Release } from "../../schemas.ts";
import type { Site } from "../model.ts";
import { paths } from "../urls.ts";
import { changelogPage, type ChangelogPage } from "./changelog.ts";
import { byShare, datasetName, modelName, releaseRef, shareOf, type ReleaseRef, type ShareRow } from "./shared.ts";

export interface HomePage {
  kind: "home";
  path: string;
  latest: ReleaseRef | null;
  counts: Release["counts"] | null;
  top_categories: (ShareRow & { facet: Facet })[];
  heatmap: {
    rows: { id: string; name: string; path: string }[];
    cols: { id: string; name: string; path: string }[];
    values: (number | null)[][];
  };
  datasets: {
    id: string;
    name: string;
    path: string;
    skill: string | null;
    accuracy: number;
    failures: number;
    noise_share: number;
    off_skill_share: number;
  }[];
  whats_new: ChangelogPage | null;
}

export function homePage(site: Site): HomePage {
  const rel = site.latest;
  if (!rel)
    return {
      kind: "home",
      path: paths.home(),
      latest: null,
      counts: null,
      top_categories: [],
      heatmap: { rows: [], cols: [], values: [] },
      datasets: [],
      whats_new: null,
    };
  const agg = rel.aggregates;
  const top = (rel.children.get(null) ?? [])
    .map((c) => ({
      id: c.id,
      name: c.name,
      path: paths.category(rel.id, c.slug),
      facet: c.facet,
      ...shareOf(agg.overall, c.id),
    }))
    .sort(byShare);
  const cols = top.filter((c) => c.count > 0).map(({ id, name, path }) => ({ id, name, path }));
  const rows = rel.modelIds
    .map((m) => ({ id: m, name: modelName(rel, m), path: paths.model(rel.id, m) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const values = rows.map((r) =>
    cols.map((c) => (agg.models[r.id].analysed ? shareOf(agg.models[r.id], c.id).share : null)),
  );
  return {
    kind: "home",
    path: paths.home(),
    latest: releaseRef(rel),
    counts: rel.release.counts,
    top_categories: top,
    heatmap: { rows, cols, values },
    datasets: rel.datasetIds
      .map((d) => ({
        id: d,
        name: datasetName(rel, d),
        path: paths.dataset(rel.id, d),
        skill: rel.datasets.get(d)?.skill ?? null,
        accuracy: agg.datasets[d].accuracy,
        failures: agg.datasets[d].failures,
        noise_share: agg.datasets[d].noise_share,
        off_skill_share: agg.datasets[d].off_skill_share,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    whats_new: changelogPage(rel),
  };
}
