// Failure lists: every failure of a category, model or dataset page, each a link to its own page.
// The list is in example order (./shown.ts), so its first page is a fair sample. The page's HTML
// holds the first page and the filters (FailureList.astro); the whole list is in JSON chunk files
// beside the page, `<page>failures/<n>.json`, which public/failure-list.js pages through and
// filters. The downloads integration writes the chunks with the other downloads (README "The site").
// One module for both, so the HTML's first page and the chunks cannot disagree.
import { stableJsonLine } from "../jsonio.ts";
import type { Analysis } from "../schemas.ts";
import { once, type Site, type SiteRelease } from "./model.ts";
import { firstInOrder, orderedOnce } from "./shown.ts";
import { itemSegment, paths } from "./urls.ts";
import { categoryRef, datasetName, modelName } from "./views/shared.ts";

/** Rows on one page of a list. */
export const PAGE_SIZE = 50;
/** Budget of a data file a page fetches (README "Performance"). */
export const CHUNK_BYTES = 300_000;
/** Rows in one chunk at most, so paging a few pages in fetches little even where rows are short. */
export const CHUNK_ROWS = 1000;

export type ListKind = "category" | "model" | "dataset";
/** What a list can be filtered by, and the columns of a row besides its title. */
export type Dim = "model" | "dataset" | "category";
const DIMS: Dim[] = ["model", "dataset", "category"];

/** The analyses of each model and dataset, grouped once per release (not scanned per page). */
const byModel = once((rel: SiteRelease) => Map.groupBy(rel.analyses, (a) => a.model));
const byDataset = once((rel: SiteRelease) => Map.groupBy(rel.analyses, (a) => a.dataset));
const NONE: Analysis[] = [];

/** A list's analyses (in the release's order, not yet example order) and its page; null for an unknown id. */
function listOf(rel: SiteRelease, kind: ListKind, id: string): { analyses: Analysis[]; page: string } | null {
  switch (kind) {
    case "category": {
      const c = rel.byId.get(id);
      return c ? { analyses: rel.analysesByCategory.get(id) ?? NONE, page: paths.category(rel.id, c.slug) } : null;
    }
    case "model":
      return rel.aggregates.models[id]
        ? { analyses: byModel(rel).get(id) ?? NONE, page: paths.model(rel.id, id) }
        : null;
    case "dataset":
      return rel.aggregates.datasets[id]
        ? { analyses: byDataset(rel).get(id) ?? NONE, page: paths.dataset(rel.id, id) }
        : null;
  }
}

/** The folder of a list's chunk files, beside its page. */
export const chunkFolder = (page: string) => `${page}failures/`;
/** The site path of a list's chunk `n` (from 1). */
export const chunkPath = (page: string, n: number) => `${chunkFolder(page)}${n}.json`;

export interface Named {
  id: string;
  name: string;
}

/** One failure of a list, as the page shows it. */
export interface ListRow {
  key: string;
  title: string;
  /** The failure's own page (paths.failure), without the base path. */
  url: string;
  instance_id: string;
  model: Named;
  dataset: Named;
  /** The failure's leaf category. */
  category: Named;
}

export interface FacetOption extends Named {
  count: number;
}
export interface ListFacet {
  dim: Dim;
  options: FacetOption[];
}

/** What a page needs to show a list: its first page, its filters and where its chunks are. */
export interface FailureListView {
  kind: ListKind;
  total: number;
  page_size: number;
  /** The page the list belongs to (a release page; latest aliases show the release page's list). */
  page: string;
  /** The folder of the chunk files (site path, without the base). */
  src: string;
  /** The columns a row shows besides its title: the page's own dimension is left out. */
  show: Dim[];
  /** Filters with at least two values, each value with its count in the whole list. */
  facets: ListFacet[];
  /** The first PAGE_SIZE rows in example order. */
  rows: ListRow[];
}

/** Names of a release's models, datasets and categories, as its pages give them. */
function namer(rel: SiteRelease): Record<Dim, (id: string) => string> {
  return {
    model: (id) => modelName(rel, id),
    dataset: (id) => datasetName(rel, id),
    category: (id) => categoryRef(rel, id).name,
  };
}

/** Each category's place in the taxonomy. */
const taxonomyOrder = once((rel: SiteRelease) => new Map(rel.categories.map((c, i) => [c.id, i])));

const dimOf = (a: Analysis, dim: Dim): string =>
  dim === "model" ? a.model : dim === "dataset" ? a.dataset : a.category;

function toRow(rel: SiteRelease, a: Analysis, names: Record<Dim, (id: string) => string>): ListRow {
  return {
    key: a.key,
    title: a.title,
    url: paths.failure(rel.id, a.dataset, a.instance_id, a.model),
    instance_id: a.instance_id,
    model: { id: a.model, name: names.model(a.model) },
    dataset: { id: a.dataset, name: names.dataset(a.dataset) },
    category: { id: a.category, name: names.category(a.category) },
  };
}

/** Counts of each value of `dim` in the list: models and datasets by name, categories in taxonomy order. */
function facetOf(rel: SiteRelease, analyses: Analysis[], dim: Dim, name: (id: string) => string): ListFacet {
  const counts = new Map<string, number>();
  for (const a of analyses) {
    const v = dimOf(a, dim);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const byId = (x: Named, y: Named) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const options = [...counts].map(([id, count]) => ({ id, name: name(id), count }));
  if (dim === "category") {
    const order = taxonomyOrder(rel);
    options.sort((x, y) => (order.get(x.id) ?? order.size) - (order.get(y.id) ?? order.size) || byId(x, y));
  } else options.sort((x, y) => x.name.localeCompare(y.name, "en") || byId(x, y));
  return { dim, options };
}

/**
 * A list as its page shows it. Linear in the list's length: the first page without sorting the
 * whole list (firstInOrder), the filters by counting; the pages of a release together touch each
 * failure a few times (its categories, its model, its dataset).
 */
export function failureList(rel: SiteRelease, kind: ListKind, id: string): FailureListView | null {
  const list = listOf(rel, kind, id);
  if (!list) return null;
  const names = namer(rel);
  const facets = DIMS.filter((d) => d !== kind || kind === "category")
    .map((d) => facetOf(rel, list.analyses, d, names[d]))
    .filter((f) => f.options.length > 1);
  // A leaf category's rows all have its own category: the column says nothing then.
  const show = DIMS.filter((d) => d !== kind || (d === "category" && facets.some((f) => f.dim === "category")));
  return {
    kind,
    total: list.analyses.length,
    page_size: PAGE_SIZE,
    page: list.page,
    src: chunkFolder(list.page),
    show,
    facets,
    rows: firstInOrder(list.analyses, PAGE_SIZE).map((a) => toRow(rel, a, names)),
  };
}

/**
 * One chunk file: a slice of the list in example order. Rows are arrays of indexes into the
 * chunk's own dictionaries (`columns` names them): [title, model, dataset, category, instance_id]
 * and, when the item's path segment is not the instance id itself, that segment. A failure's page
 * is `url` with {d}, {i} and {m} replaced by the URL-encoded dataset id, the item segment and the
 * URL-encoded model id, relative to the site's base path. Chunk n + 1 starts where chunk n ends.
 */
export interface ListChunk {
  /** The page whose list this is (site path). */
  list: string;
  part: number;
  parts: number;
  /** Index in the whole list of this chunk's first row. */
  first: number;
  total: number;
  columns: string[];
  url: string;
  titles: string[];
  models: [string, string][];
  datasets: [string, string][];
  categories: [string, string][];
  rows: (number | string)[][];
}

export const CHUNK_COLUMNS = ["title", "model", "dataset", "category", "instance_id", "item"];

// Placeholders that every path helper keeps as they are (plain letters: not encoded, a plain item id).
const SENTINEL = { d: "QQdatasetQQ", i: "QQitemQQ", m: "QQmodelQQ" };

/** The `url` template of a release's failure pages, relative to the site's base path. */
export function failureUrlTemplate(release: string): string {
  const t = paths.failure(release, SENTINEL.d, SENTINEL.i, SENTINEL.m).replace(/^\//, "");
  const out = t.replace(SENTINEL.d, "{d}").replace(SENTINEL.i, "{i}").replace(SENTINEL.m, "{m}");
  if (/QQ(dataset|item|model)QQ/.test(out) || !["{d}", "{i}", "{m}"].every((p) => out.includes(p)))
    throw new Error(`paths.failure no longer has the shape the failure lists expect: ${t}`);
  return out;
}

/** A row of a chunk back as ids and the failure's path (without the base), for programs and tests. */
export function chunkRow(
  c: ListChunk,
  row: (number | string)[],
): { key: string; title: string; model: string; dataset: string; category: string; instance_id: string; url: string } {
  const [t, m, d, k, id, seg] = row as [number, number, number, number, string, string?];
  const model = c.models[m]![0];
  const dataset = c.datasets[d]![0];
  const url = c.url
    .replace("{d}", () => encodeURIComponent(dataset))
    .replace("{i}", () => seg ?? id)
    .replace("{m}", () => encodeURIComponent(model));
  return {
    key: `${dataset}|${model}|${id}`,
    title: c.titles[t]!,
    model,
    dataset,
    category: c.categories[k]![0],
    instance_id: id,
    url: `/${url}`,
  };
}

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
/** The item segment of a failure's page, computed once: each failure is in four lists or so. */
const segmentOf = once((a: Analysis) => itemSegment(a.instance_id));

/** A growing dictionary of one chunk: each value's index, in order of first use. */
class Dict<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();
  /** The bytes adding `value` under `key` would add (0 when it is there already). */
  cost(key: string, value: T): number {
    return this.index.has(key) ? 0 : bytes(JSON.stringify(value)) + 1;
  }
  /** The index `key` has, or will have once added. */
  indexOf(key: string): number {
    return this.index.get(key) ?? this.values.length;
  }
  add(key: string, value: T): void {
    if (this.index.has(key)) return;
    this.index.set(key, this.values.length);
    this.values.push(value);
  }
}

/**
 * A list's chunks: consecutive slices of the list in example order, each at most CHUNK_ROWS rows
 * and CHUNK_BYTES bytes as written (tests pass smaller limits). A list with no failure has one
 * empty chunk.
 */
export function listChunks(
  rel: SiteRelease,
  kind: ListKind,
  id: string,
  limits: { rows: number; bytes: number } = { rows: CHUNK_ROWS, bytes: CHUNK_BYTES },
): ListChunk[] {
  const list = listOf(rel, kind, id);
  if (!list) return [];
  const names = namer(rel);
  const url = failureUrlTemplate(rel.id);
  const ordered = orderedOnce(list.analyses);
  const out: ListChunk[] = [];
  // Everything but the rows and dictionaries, with room for the numbers filled in at the end.
  const frame =
    bytes(
      stableJsonLine({
        list: list.page,
        part: 0,
        parts: 0,
        first: 0,
        total: 0,
        columns: CHUNK_COLUMNS,
        url,
        titles: [],
        models: [],
        datasets: [],
        categories: [],
        rows: [],
      }),
    ) +
    4 * String(ordered.length).length +
    1;
  let i = 0;
  do {
    const first = i;
    const titles = new Dict<string>();
    const models = new Dict<[string, string]>();
    const datasets = new Dict<[string, string]>();
    const categories = new Dict<[string, string]>();
    const rows: (number | string)[][] = [];
    let size = frame;
    for (; i < ordered.length && rows.length < limits.rows; i++) {
      const a = ordered[i]!;
      const seg = segmentOf(a);
      const model: [string, string] = [a.model, names.model(a.model)];
      const dataset: [string, string] = [a.dataset, names.dataset(a.dataset)];
      const category: [string, string] = [a.category, names.category(a.category)];
      const dictBytes =
        titles.cost(a.title, a.title) +
        models.cost(a.model, model) +
        datasets.cost(a.dataset, dataset) +
        categories.cost(a.category, category);
      const row = [
        titles.indexOf(a.title),
        models.indexOf(a.model),
        datasets.indexOf(a.dataset),
        categories.indexOf(a.category),
        a.instance_id,
        ...(seg === a.instance_id ? [] : [seg]),
      ];
      const grown = bytes(JSON.stringify(row)) + 1 + dictBytes;
      if (rows.length > 0 && size + grown > limits.bytes) break;
      titles.add(a.title, a.title);
      models.add(a.model, model);
      datasets.add(a.dataset, dataset);
      categories.add(a.category, category);
      size += grown;
      rows.push(row);
    }
    out.push({
      list: list.page,
      part: out.length + 1,
      parts: 0,
      first,
      total: ordered.length,
      columns: CHUNK_COLUMNS,
      url,
      titles: titles.values,
      models: models.values,
      datasets: datasets.values,
      categories: categories.values,
      rows,
    });
  } while (i < ordered.length);
  for (const c of out) c.parts = out.length;
  return out;
}

/** A chunk as written: key-sorted JSON on one line; refused over the budget (a row alone that big). */
export function chunkJson(c: ListChunk): string {
  const body = stableJsonLine(c) + "\n";
  if (bytes(body) > CHUNK_BYTES)
    throw new Error(`${chunkPath(c.list, c.part)} would be ${bytes(body)} bytes, over ${CHUNK_BYTES}`);
  return body;
}

/** Every list of a release: its categories, models and datasets. */
export function* releaseLists(rel: SiteRelease): Generator<[ListKind, string]> {
  for (const c of rel.categories) yield ["category", c.id];
  for (const m of rel.modelIds) yield ["model", m];
  for (const d of rel.datasetIds) yield ["dataset", d];
}

/** The chunk files of every list of the site: site path and content, in a stable order. */
export function* failureListFiles(site: Site): Generator<{ path: string; body: string; type: string }> {
  for (const rel of site.releases)
    for (const [kind, id] of releaseLists(rel))
      for (const c of listChunks(rel, kind, id))
        yield { path: chunkPath(c.list, c.part), body: chunkJson(c), type: "application/json; charset=utf-8" };
}
