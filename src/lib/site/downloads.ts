// The `data.json` and `data.csv` beside every data page. JSON is the page object itself (stable key
// order); CSV is one tidy table of the page's main numbers. They are written by the downloads
// integration (src/integrations/downloads.ts), not by Astro routes: at atlas scale two thirds of the
// site's files are downloads, and Astro's per-route overhead on them cost more than the pages.
import { stableJsonLine } from "../jsonio.ts";
import type { Site } from "./model.ts";
import { categoryPage, type CategoryPage } from "./views/category.ts";
import { changelogPage, type ChangelogPage } from "./views/changelog.ts";
import { compareCsv, compareIndexPage, comparePage, type CompareIndexPage, type ComparePage } from "./views/compare.ts";
import { datasetPage, type DatasetPage } from "./views/dataset.ts";
import { homePage, type HomePage } from "./views/home.ts";
import { modelPage, type ModelPage } from "./views/model.ts";
import { releasePage, type ReleasePage, type TreeNode } from "./views/release.ts";
import { toCsv, type CsvCell } from "./serialize.ts";
import { paths } from "./urls.ts";

export type AnyPage =
  | CategoryPage
  | ModelPage
  | DatasetPage
  | ComparePage
  | CompareIndexPage
  | ReleasePage
  | ChangelogPage
  | HomePage;

/** The page object as key-sorted JSON on one line: downloads are for programs (pretty JSON was a third bigger). */
export function pageJson(page: AnyPage): string {
  return stableJsonLine(page) + "\n";
}

const SHARE_COLS = ["section", "id", "name", "count", "share", "ci_low", "ci_high"];
const shareRow = (
  section: string,
  r: { id: string; name: string; count: number; share: number; ci: [number, number] },
): CsvCell[] => [section, r.id, r.name, r.count, r.share, r.ci[0], r.ci[1]];

function flatTree(nodes: TreeNode[], out: CsvCell[][] = []): CsvCell[][] {
  for (const n of nodes) {
    out.push(["category", n.id, n.name, n.count, n.share, null, null]);
    flatTree(n.children, out);
  }
  return out;
}

export function pageCsv(page: AnyPage): string {
  switch (page.kind) {
    case "category":
      return toCsv(SHARE_COLS, [
        [
          "overall",
          page.category.id,
          page.category.name,
          page.overall.count,
          page.overall.share,
          page.overall.ci[0],
          page.overall.ci[1],
        ],
        ...page.by_model.map((r) => shareRow("model", r)),
        ...page.by_dataset.map((r) => shareRow("dataset", r)),
      ]);
    case "model":
      return toCsv(
        [
          "section",
          "id",
          "name",
          "count",
          "share",
          "ci_low",
          "ci_high",
          "peer_share",
          "accuracy",
          "records",
          "failures",
          "per_100",
          "peers_per_100",
        ],
        [
          ...page.signature.map((r) => [
            ...shareRow("category", r),
            r.peer_share,
            null,
            null,
            null,
            r.per_100,
            r.peers_per_100,
          ]),
          ...page.per_dataset.map((d) => [
            "dataset",
            d.id,
            d.name,
            d.analysed,
            null,
            null,
            null,
            null,
            d.accuracy,
            d.records,
            d.failures,
            null,
            null,
          ]),
        ],
      );
    case "dataset":
      return toCsv(
        ["section", "id", "name", "count", "share", "ci_low", "ci_high", "accuracy"],
        [
          ...page.profile.map((r) => [...shareRow("category", r), null]),
          ...page.facets.map((f) => ["facet", f.facet, f.facet, f.count, f.share, null, null, null]),
          ...page.models.map((m) => ["model", m.id, m.name, m.failures, null, null, null, m.accuracy]),
          ...page.suspect_items.map((s) => [
            "suspect_item",
            s.instance_id,
            s.consensus,
            s.agreeing.length,
            null,
            null,
            null,
            null,
          ]),
        ],
      );
    case "compare":
      return toCsv(...compareCsv(page));
    case "compare-index":
      return toCsv(
        ["a", "b", "differing_categories"],
        page.pairs.map((p) => [p.a, p.b, p.differ]),
      );
    case "release":
      return toCsv(SHARE_COLS, [
        ...flatTree(page.taxonomy.tree),
        ...page.models.map((m) => ["model", m.id, m.name, m.failures, m.accuracy, null, null] as CsvCell[]),
        ...page.datasets.map((d) => ["dataset", d.id, d.name, d.failures, d.accuracy, null, null] as CsvCell[]),
      ]);
    case "changelog":
      return toCsv(
        [
          "section",
          "model",
          "category",
          "name",
          "before",
          "before_low",
          "before_high",
          "after",
          "after_low",
          "after_high",
          "diff",
        ],
        [...page.category_shifts, ...page.signature_shifts].map((s) => [
          s.model ? "signature" : "category",
          s.model?.id ?? null,
          s.category.id,
          s.category.name,
          s.before.share,
          s.before.ci[0],
          s.before.ci[1],
          s.after.share,
          s.after.ci[0],
          s.after.ci[1],
          s.diff,
        ]),
      );
    case "home":
      return toCsv(
        SHARE_COLS,
        page.top_categories.map((r) => shareRow("category", r)),
      );
  }
}

/**
 * Every page that has downloads, in a stable order: the home page, then per release its own page,
 * changelog, comparison index, categories, models, datasets and model pairs. Latest-release
 * aliases have none of their own (their downloads are the release page's).
 */
export function* dataPages(site: Site): Generator<AnyPage> {
  yield homePage(site);
  for (const rel of site.releases) {
    yield releasePage(rel);
    yield changelogPage(rel);
    yield compareIndexPage(rel);
    for (const c of rel.categories) yield categoryPage(rel, c.slug)!;
    for (const m of rel.modelIds) yield modelPage(rel, m)!;
    for (const d of rel.datasetIds) yield datasetPage(rel, d)!;
    for (const c of rel.aggregates.comparisons) yield comparePage(rel, c.a, c.b)!;
  }
}

/** The download files of one page: site path and content. */
export function downloadsOf(page: AnyPage): { path: string; body: string; type: string }[] {
  return [
    { path: paths.data(page.path, "json"), body: pageJson(page), type: "application/json; charset=utf-8" },
    { path: paths.data(page.path, "csv"), body: pageCsv(page), type: "text/csv; charset=utf-8" },
  ];
}
