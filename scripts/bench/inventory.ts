// What a built site is made of, by kind of file: the bench reports the pages, files and bytes that
// each part adds (README "Performance"), and the largest HTML page and the largest data file a page
// fetches, against the budgets (300 KB each).
import { statSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";

/** Kinds of files, tried in order: the first whose pattern matches a path (relative to the site) names it. */
const KINDS: [string, RegExp][] = [
  ["search index", /^pagefind(-failures-\d+)?\//],
  ["failure pages", /\/items\/[^/]+\/[^/]+\/index\.html$/],
  ["item pages", /\/items\/[^/]+\/index\.html$/],
  ["full texts", /\/items\/.+\.txt$/],
  ["failure list chunks", /\/failures\/[^/]+\.json$/],
  ["downloads", /\/data\.(json|csv)$/],
  ["release files", /\/files\//],
  ["other pages", /\.html$/],
  ["other files", /./],
];

export interface KindTotals {
  files: number;
  mb: number;
  max_kb: number;
}

export interface Inventory {
  kinds: Record<string, KindTotals>;
  /** The largest HTML page, and the largest data file a page fetches (list chunks, search index files). */
  largest_page: { path: string; kb: number };
  largest_fetched: { path: string; kb: number };
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function inventory(dist: string): Inventory {
  const kinds: Record<string, { files: number; bytes: number; max: number }> = {};
  let page = { path: "", bytes: 0 };
  let fetched = { path: "", bytes: 0 };
  for (const f of fg.sync("**/*", { cwd: dist }).sort()) {
    const kind = KINDS.find(([, re]) => re.test(f))![0];
    const bytes = statSync(join(dist, f)).size;
    const k = (kinds[kind] ??= { files: 0, bytes: 0, max: 0 });
    k.files++;
    k.bytes += bytes;
    k.max = Math.max(k.max, bytes);
    if (f.endsWith(".html") && bytes > page.bytes) page = { path: f, bytes };
    // What a page fetches as data: list chunks and the search index's files (not Pagefind's own
    // scripts and styles: the JavaScript budget leaves Pagefind aside, and its UI files are unused).
    const data = kind === "failure list chunks" || (kind === "search index" && !/\.(js|css)$/.test(f));
    if (data && bytes > fetched.bytes) fetched = { path: f, bytes };
  }
  return {
    kinds: Object.fromEntries(
      Object.entries(kinds)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, { files: v.files, mb: round(v.bytes / 2 ** 20, 2), max_kb: round(v.max / 1024) }]),
    ),
    largest_page: { path: page.path, kb: round(page.bytes / 1024) },
    largest_fetched: { path: fetched.path, kb: round(fetched.bytes / 1024) },
  };
}
