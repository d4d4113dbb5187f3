// The site's search index, built after `astro build` with Pagefind's Node API (README "The site",
// Search). It indexes what the Pagefind command would, except the failure pages of releases other
// than the latest: Pagefind's memory grows with every indexed word (about 140 KB per failure page
// on the shared evaluation data), and at atlas scale every release's failures would not fit in
// the build's 24 GB. The pages themselves are not changed, so published releases stay byte-frozen
// when a new release lands; their failures are reached from their release's pages and lists.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import * as pagefind from "pagefind";
import { startProgress } from "../lib/progress.ts";

/** A failure page: /releases/<r>/datasets/<d>/items/<item>/<model>/index.html (src/lib/site/urls.ts). */
const FAILURE_PAGE = /^releases\/([^/]+)\/datasets\/[^/]+\/items\/[^/]+\/[^/]+\/index\.html$/;

/** The latest release of a built site, from its /releases/index.json; null when it has none. */
export function latestReleaseOf(dist: string): string | null {
  try {
    const index = JSON.parse(readFileSync(join(dist, "releases", "index.json"), "utf8")) as { latest?: unknown };
    return typeof index.latest === "string" ? index.latest : null;
  } catch {
    return null;
  }
}

/** Whether a built file goes into the index: pages marked for search, failures of the latest release only. */
export function indexedPage(path: string, latest: string | null): boolean {
  if (!path.endsWith(".html") || path.startsWith("pagefind/")) return false;
  const failure = FAILURE_PAGE.exec(path);
  return !failure || decodeURIComponent(failure[1]!) === latest;
}

/** The page's URL as the Pagefind command gives it: its folder, with a trailing slash. */
const urlOf = (path: string) => `/${path.replace(/(^|\/)index\.html$/, "$1")}`;

export interface IndexSummary {
  pages: number;
  indexed: number;
  left_out: number;
  seconds: number;
}

/** Writes `<dist>/pagefind/`, the index of the pages marked with data-pagefind-body. */
export async function buildSearchIndex(dist: string): Promise<IndexSummary> {
  const t0 = performance.now();
  const latest = latestReleaseOf(dist);
  const files = fg.sync("**/*.html", { cwd: dist, ignore: ["pagefind/**"] }).sort();
  const wanted = files.filter((f) => indexedPage(f, latest));
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`pagefind: ${errors.join("; ")}`);
  const progress = startProgress("search", wanted.length, "pages");
  let indexed = 0;
  try {
    for (const f of wanted) {
      const content = readFileSync(join(dist, f), "utf8");
      progress.tick();
      // Pages without the marker are left out by Pagefind too once any page has it.
      if (!content.includes("data-pagefind-body")) continue;
      const r = await index.addHTMLFile({ url: urlOf(f), content });
      if (r.errors.length) throw new Error(`pagefind: ${f}: ${r.errors.join("; ")}`);
      indexed++;
    }
    const w = await index.writeFiles({ outputPath: join(dist, "pagefind") });
    if (w.errors.length) throw new Error(`pagefind: ${w.errors.join("; ")}`);
  } finally {
    progress.stop();
    await pagefind.close();
  }
  return {
    pages: files.length,
    indexed,
    left_out: files.length - indexed,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = process.argv[2] ?? "dist";
  const s = await buildSearchIndex(dist);
  console.log(
    `search index: ${s.indexed} of ${s.pages} pages indexed in ${s.seconds} s (failure pages of the latest release only; ${join(dist, "pagefind")})`,
  );
}
