// `npm run lighthouse -- [DIR] [--base /atlas/] [--only kind,kind] [--runs N] [--json FILE]`
//
// Lighthouse (mobile form factor, its default simulated throttling) on one page of each kind of a
// built site (DIR, default $ERRORMAP_OUT or dist/), served on 127.0.0.1 as static hosts do (gzip,
// a short cache lifetime: Lighthouse's simulated network counts the bytes transferred), in
// Debian's Chromium (/usr/bin/chromium, or $CHROME_PATH; the flags the browser tests use). Prints the
// four category scores per page (with --runs N, the median of N runs: the performance score varies
// from run to run) and exits 1 when any is below 0.95. A script, not a test: the performance score
// depends on how fast the machine is (README "Performance").
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, resolve } from "node:path";
import { pipeline } from "node:stream";
import { parseArgs } from "node:util";
import { createGzip } from "node:zlib";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { CHROMIUM, resolveFile } from "../tests/site/helpers/build.ts";

const TARGET = 0.95;
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
const KINDS = ["home", "category", "model", "dataset", "compare", "failure", "item", "search"] as const;
type Kind = (typeof KINDS)[number];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: "string", default: process.env.ERRORMAP_BASE ?? "/" },
    only: { type: "string" },
    json: { type: "string" },
    runs: { type: "string", default: "1" },
  },
});
const root = resolve(positionals[0] ?? process.env.ERRORMAP_OUT ?? "dist");
const base = values.base!.endsWith("/") ? values.base! : `${values.base}/`;
const only = new Set((values.only ?? KINDS.join(",")).split(",").map((s) => s.trim()));
for (const k of only) if (!KINDS.includes(k as Kind)) throw new Error(`lighthouse: unknown kind ${k} (${KINDS})`);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`lighthouse: --runs must be a whole number >= 1`);

/** Sub-folders of `dir` that hold an index.html, sorted. */
function pageDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "index.html")))
    .map((e) => e.name)
    .sort();
}

/** The heaviest page among `paths` (relative folders of the site): the one most likely to be slow. */
function heaviest(paths: string[]): string | null {
  let best: string | null = null;
  let size = -1;
  for (const p of paths) {
    const s = statSync(join(root, p, "index.html")).size;
    if (s > size) [best, size] = [p, s];
  }
  return best;
}

/** One page of each kind in the site's latest release (the newest in /releases/index.json). */
function pickPages(): Record<Kind, string | null> {
  const index = JSON.parse(readFileSync(join(root, "releases/index.json"), "utf8")) as {
    latest?: string | null;
    releases: { id: string }[];
  };
  const rel = index.latest ?? index.releases[0]?.id;
  if (!rel) throw new Error(`lighthouse: ${root} has no release`);
  const r = `releases/${rel}`;
  const under = (kind: string) => pageDirs(join(root, r, kind)).map((d) => `${r}/${kind}/${d}`);
  const datasets = under("datasets");
  // item views: releases/<r>/datasets/<d>/items/<item>/; failure views: one folder further down
  const items = datasets.flatMap((d) => pageDirs(join(root, d, "items")).map((i) => `${d}/items/${i}`));
  const failures = items.flatMap((i) => pageDirs(join(root, i)).map((m) => `${i}/${m}`));
  return {
    home: "",
    category: heaviest(under("categories")),
    model: heaviest(under("models")),
    dataset: heaviest(datasets),
    compare: heaviest(under("compare")),
    failure: heaviest(failures),
    item: heaviest(items),
    search: existsSync(join(root, "search/index.html")) ? "search" : null,
  };
}

const TYPES: Record<string, [type: string, compress: boolean]> = {
  ".html": ["text/html; charset=utf-8", true],
  ".css": ["text/css", true],
  ".js": ["text/javascript", true],
  ".json": ["application/json", true],
  ".csv": ["text/csv", true],
  ".svg": ["image/svg+xml", true],
  ".atom": ["application/atom+xml", true],
  ".wasm": ["application/wasm", false],
};

/** The site on 127.0.0.1 as a static host serves it: gzip for text, 10 minutes of caching, a 404 page. */
async function serveLikeAHost(dir: string, basePath: string) {
  const server = createServer((req, res) => {
    const file = resolveFile(dir, basePath, new URL(req.url ?? "/", "http://x").pathname);
    const path = file ?? join(dir, "404.html");
    const [type, compress] = TYPES[extname(path)] ?? ["application/octet-stream", false];
    const gzip = compress && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    res.writeHead(file ? 200 : 404, {
      "Content-Type": type,
      "Cache-Control": "max-age=600",
      ...(gzip ? { "Content-Encoding": "gzip", Vary: "Accept-Encoding" } : {}),
    });
    if (!existsSync(path)) return res.end("not found");
    if (gzip) pipeline(createReadStream(path), createGzip(), res, () => {});
    else createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

interface Row {
  kind: Kind;
  path: string;
  scores: Record<(typeof CATEGORIES)[number], number | null>;
}

async function main(): Promise<number> {
  if (!existsSync(join(root, "index.html"))) {
    console.error(`lighthouse: ${root} is not a built site (build it first: npm run build)`);
    return 2;
  }
  const pages = pickPages();
  const server = await serveLikeAHost(root, base);
  const profile = mkdtempSync(join(tmpdir(), "lighthouse-chromium-"));
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? CHROMIUM.executablePath,
    chromeFlags: [...CHROMIUM.args],
    userDataDir: profile,
    logLevel: "silent",
  });
  const rows: Row[] = [];
  try {
    for (const kind of KINDS) {
      if (!only.has(kind)) continue;
      const path = pages[kind];
      if (path === null) {
        console.log(`${kind}: skipped, the site has no page of this kind`);
        continue;
      }
      const url = `${server.url}${base}${path ? `${path}/` : ""}`;
      const results: Row["scores"][] = [];
      const below = new Set<string>();
      for (let i = 0; i < runs; i++) {
        const result = await lighthouse(url, {
          port: chrome.port,
          output: "json",
          logLevel: "error",
          onlyCategories: [...CATEGORIES],
        });
        if (!result) throw new Error(`lighthouse: no result for ${url}`);
        const cats = result.lhr.categories;
        results.push(Object.fromEntries(CATEGORIES.map((c) => [c, cats[c]?.score ?? null])) as Row["scores"]);
        // the audits that weigh on a score and are not passed, to say what to fix
        for (const ref of CATEGORIES.flatMap((c) => cats[c]?.auditRefs ?? []))
          if (ref.weight > 0 && (result.lhr.audits[ref.id]?.score ?? 1) < 0.9) below.add(ref.id);
      }
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, median(results.map((r) => r[c]))])) as Row["scores"];
      rows.push({ kind, path: `/${path ? `${path}/` : ""}`, scores });
      console.log(`${kind}: ${CATEGORIES.map((c) => `${c} ${fmt(scores[c])}`).join(", ")}`);
      if (below.size) console.log(`  audits below 0.9: ${[...below].join(", ")}`);
    }
  } finally {
    chrome.kill();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  printTable(rows);
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ root, target: TARGET, rows }, null, 2)}\n`);
  const failed = rows.filter((r) => CATEGORIES.some((c) => (r.scores[c] ?? 0) < TARGET));
  if (failed.length) {
    console.error(`lighthouse: below ${TARGET} on ${failed.map((r) => r.kind).join(", ")}`);
    return 1;
  }
  console.log(`lighthouse: every category >= ${TARGET} on ${rows.length} pages`);
  return 0;
}

function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
}

const fmt = (s: number | null) => (s === null ? "n/a" : s.toFixed(2));

function printTable(rows: Row[]) {
  const head = ["page", ...CATEGORIES, "path"];
  const body = rows.map((r) => [r.kind, ...CATEGORIES.map((c) => fmt(r.scores[c])), r.path]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(["", line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n"));
}

process.exitCode = await main();
