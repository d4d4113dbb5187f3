// Every internal path of the site, without the base path; `joinBase` adds it. Paths end in "/"
// (pages) or a file name (downloads). Slugs and ids are URL-safe by their schemas, but are still
// encoded so an odd id cannot break out of a path segment.
import { fnv1a32 } from "../fnv.ts";

/** The offset basis of an anchor's second hash (the first uses FNV-1a's standard one). */
const ANCHOR_SECOND_BASIS = 0x9747b28c;

const seg = (s: string) => encodeURIComponent(s);

export const paths = {
  home: () => "/",
  search: () => "/search/",
  about: () => "/about/",
  /** The about page's section on disputed references, reviews and measured precision. */
  aboutReviews: () => "/about/#disputed-references-and-reviews",
  releases: () => "/releases/",
  releasesIndex: () => "/releases/index.json",
  atom: () => "/releases.atom",
  release: (r: string) => `/releases/${seg(r)}/`,
  changelog: (r: string) => `/releases/${seg(r)}/changelog/`,
  category: (r: string, slug: string) => `/releases/${seg(r)}/categories/${seg(slug)}/`,
  model: (r: string, id: string) => `/releases/${seg(r)}/models/${seg(id)}/`,
  dataset: (r: string, id: string) => `/releases/${seg(r)}/datasets/${seg(id)}/`,
  /** An item's view: every model's output on one benchmark item (itemSegment names the item). */
  item: (r: string, dataset: string, instanceId: string) =>
    `/releases/${seg(r)}/datasets/${seg(dataset)}/items/${itemSegment(instanceId)}/`,
  /** One failure, in full: a model's output on an item, with the judge's reading of it. */
  failure: (r: string, dataset: string, instanceId: string, model: string) =>
    `${paths.item(r, dataset, instanceId)}${seg(model)}/`,
  compareIndex: (r: string) => `/releases/${seg(r)}/compare/`,
  compare: (r: string, a: string, b: string) => `/releases/${seg(r)}/compare/${seg(a)}--${seg(b)}/`,
  latestCategory: (slug: string) => `/categories/${seg(slug)}/`,
  latestModel: (id: string) => `/models/${seg(id)}/`,
  latestDataset: (id: string) => `/datasets/${seg(id)}/`,
  /** A release's own files (release.json, taxonomy.json, ...), byte for byte as the pipeline wrote them. */
  releaseFile: (r: string, file: string) => `/releases/${seg(r)}/files/${seg(file)}`,
  /** The data file beside a page: `<page>data.json` / `<page>data.csv`. */
  data: (page: string, ext: "json" | "csv") => `${page.endsWith("/") ? page : page + "/"}data.${ext}`,
};

/** Item ids that are their own path segment: letters, digits, ".", "_", "-", not starting with a dot. */
const PLAIN_ITEM = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/**
 * The path segment of an item id. Plain ids are kept as they are (readers recognise them in the URL);
 * any other id becomes a readable part and its hash, joined by "~", which no plain id contains, so two
 * ids never share a segment. In published URLs: never change it.
 */
export function itemSegment(instanceId: string): string {
  if (PLAIN_ITEM.test(instanceId)) return instanceId;
  const readable = instanceId
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  const [a, b] = anchorHashes(instanceId);
  return `${readable || "item"}~${a.toString(16).padStart(8, "0")}${b.toString(16).padStart(8, "0")}`;
}

/** A function prefixing site paths with the base path ("/", "/atlas", "/atlas/" all work); the base is trimmed once. */
export function baseJoiner(base: string): (path: string) => string {
  const b = base.replace(/\/+$/, "");
  return (path) => (path.startsWith("/") ? b + path : `${b}/${path}`);
}

/** Prefixes a site path with the base path. */
export function joinBase(base: string, path: string): string {
  return baseJoiner(base)(path);
}

/** Absolute URL of a site path, for canonical links, Open Graph and citations. */
export function absoluteUrl(site: string, base: string, path: string): string {
  return new URL(joinBase(base, path), site.endsWith("/") ? site : `${site}/`).href;
}

/**
 * The two 32-bit hashes an example's anchor spells (FNV-1a from two offset bases, src/lib/fnv.ts):
 * stable across runs and platforms, no crypto needed. Comparing them as numbers orders examples as
 * their anchors do, without building the strings (the site orders hundreds of thousands of analyses).
 * Anchors are in published URLs: the second basis is as much part of them as the hash itself.
 */
export function anchorHashes(key: string): [number, number] {
  return [fnv1a32(key), fnv1a32(key, ANCHOR_SECOND_BASIS)];
}

/** Anchor id of an example: stable, short, safe in an id attribute and a URL fragment. */
export function exampleAnchor(key: string): string {
  const [a, b] = anchorHashes(key);
  return `ex-${a.toString(16).padStart(8, "0")}${b.toString(16).padStart(8, "0")}`;
}
