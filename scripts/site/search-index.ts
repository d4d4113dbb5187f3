// The site's search index, built after `astro build` with Pagefind's Node API (README "The site",
// Search). It indexes what the Pagefind command would, except the failure pages of releases other
// than the latest: Pagefind's memory grows with every indexed word (about 130 KB per failure page
// on the shared evaluation data), and at atlas scale every release's failures would not fit in
// the build's 24 GB. The pages themselves are not changed, so published releases stay byte-frozen
// when a new release lands; their failures are reached from their release's pages and lists.
//
// The failure pages go into bundles of their own, FAILURES_PER_BUNDLE pages each
// (`pagefind-failures-<k>/`, listed in `pagefind/bundles.json`; the search page merges them): one
// Pagefind bundle keeps a metadata file that grows with its pages (about 7 bytes a page), which at
// atlas scale passed the 300 KB a page may fetch, and a bundle's memory is freed once it is written.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fg from "fast-glob";
import * as pagefind from "pagefind";
import { stableJson } from "../../src/lib/jsonio.ts";
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

/** Failure pages per bundle: keeps each bundle's metadata file near 150 KB. */
export const FAILURES_PER_BUNDLE = 20_000;

/** The folder of the k-th failure bundle (1-based), relative to the site. */
export const failureBundle = (k: number) => `pagefind-failures-${k}/`;

/** The page's URL as the Pagefind command gives it: its folder, with a trailing slash. */
const urlOf = (path: string) => `/${path.replace(/(^|\/)index\.html$/, "$1")}`;

export interface IndexSummary {
  pages: number;
  indexed: number;
  left_out: number;
  /** Bundles of failure pages (beside the main bundle, `pagefind/`). */
  failure_bundles: number;
  seconds: number;
}

/** Adds pages to a new Pagefind index and writes it to `out`; returns how many it indexed. */
async function writeBundle(dist: string, files: string[], out: string, tick: () => void): Promise<number> {
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`pagefind: ${errors.join("; ")}`);
  let indexed = 0;
  for (const f of files) {
    const content = readFileSync(join(dist, f), "utf8");
    tick();
    // Pages without the marker are left out by Pagefind too once any page has it.
    if (!content.includes("data-pagefind-body")) continue;
    const r = await index.addHTMLFile({ url: urlOf(f), content });
    if (r.errors.length) throw new Error(`pagefind: ${f}: ${r.errors.join("; ")}`);
    indexed++;
  }
  const w = await index.writeFiles({ outputPath: out });
  if (w.errors.length) throw new Error(`pagefind: ${w.errors.join("; ")}`);
  await index.deleteIndex();
  return indexed;
}

/**
 * Writes `<dist>/pagefind/` (the pages marked with data-pagefind-body, failure pages aside),
 * `<dist>/pagefind-failures-<k>/` (the latest release's failure pages) and `pagefind/bundles.json`.
 */
export async function buildSearchIndex(dist: string, perBundle = FAILURES_PER_BUNDLE): Promise<IndexSummary> {
  const t0 = performance.now();
  const latest = latestReleaseOf(dist);
  const files = fg.sync("**/*.html", { cwd: dist, ignore: ["pagefind/**"] }).sort();
  const wanted = files.filter((f) => indexedPage(f, latest));
  const failures = wanted.filter((f) => FAILURE_PAGE.test(f));
  const others = wanted.filter((f) => !FAILURE_PAGE.test(f));
  for (const old of fg.sync("pagefind-failures-*", { cwd: dist, onlyDirectories: true }))
    rmSync(join(dist, old), { recursive: true, force: true });
  const progress = startProgress("search", wanted.length, "pages");
  let indexed = 0;
  const bundles: string[] = [];
  try {
    indexed += await writeBundle(dist, others, join(dist, "pagefind"), () => progress.tick());
    for (let k = 1; (k - 1) * perBundle < failures.length; k++) {
      const part = failures.slice((k - 1) * perBundle, k * perBundle);
      indexed += await writeBundle(dist, part, join(dist, failureBundle(k)), () => progress.tick());
      bundles.push(failureBundle(k));
    }
    writeFileSync(join(dist, "pagefind", "bundles.json"), `${stableJson({ failures: bundles })}\n`);
  } finally {
    progress.stop();
    await pagefind.close();
  }
  return {
    pages: files.length,
    indexed,
    left_out: files.length - indexed,
    failure_bundles: bundles.length,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = process.argv[2] ?? "dist";
  const s = await buildSearchIndex(dist);
  console.log(
    `search index: ${s.indexed} of ${s.pages} pages indexed in ${s.seconds} s (failure pages of the latest release only, in ${s.failure_bundles} bundle(s) of their own; ${join(dist, "pagefind")})`,
  );
}
