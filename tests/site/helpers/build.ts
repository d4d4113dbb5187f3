// Builds the site for tests: Astro with the env vars astro.config.mjs reads, then Pagefind, both
// run with the Node that runs the tests (the system Node is too old for Astro).
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, relative, resolve, sep } from "node:path";

export const REPO = resolve(import.meta.dirname, "../../..");
const ASTRO = join(REPO, "node_modules/astro/bin/astro.mjs");
/** The search index step of `npm run build` (scripts/site/search-index.ts). */
const SEARCH_INDEX = join(REPO, "scripts/site/search-index.ts");

export interface BuildOptions {
  data: string;
  out: string;
  cache: string;
  base?: string;
  site?: string;
  pagefind?: boolean;
}

/**
 * The folder a build runs in: its output's parent, with a link to the repo's node_modules. Astro writes
 * its prerendered chunks into `<outDir>/.prerender` when the output is inside the working directory,
 * else into the working directory's `.astro/.prerender`, which builds running at once (test files run
 * in parallel) would share and delete under each other; the chunks import packages, hence the link.
 */
function ownWorkingDir(out: string): string {
  const dir = dirname(resolve(out));
  mkdirSync(dir, { recursive: true });
  const link = join(dir, "node_modules");
  if (!existsSync(link)) symlinkSync(join(REPO, "node_modules"), link, "dir");
  return dir;
}

/**
 * Runs `astro build` (and Pagefind); returns the wall time in ms and what the Astro build printed
 * (stdout and stderr). Throws with Astro's output on failure.
 */
export function buildSite(o: BuildOptions): { ms: number; log: string } {
  const t0 = Date.now();
  // Vitest puts Vite's variables (BASE_URL, MODE, NODE_ENV=test, ...) into process.env; a child
  // build must not inherit them, or Astro's own values are overridden.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(BASE_URL|MODE|DEV|PROD|SSR|NODE_ENV|TEST|VITEST.*)$/.test(k)),
  );
  const env = {
    ...inherited,
    ERRORMAP_DATA: o.data,
    ERRORMAP_OUT: o.out,
    ERRORMAP_CACHE: o.cache,
    ERRORMAP_BASE: o.base ?? "/",
    ERRORMAP_SITE: o.site ?? "https://erroratlas.example",
    ASTRO_TELEMETRY_DISABLED: "1",
  };
  const run = (args: string[], cwd = REPO) => {
    const r = spawnSync(process.execPath, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return `${r.stdout}\n${r.stderr}`;
  };
  const log = run([ASTRO, "build", "--root", REPO], ownWorkingDir(o.out));
  if (o.pagefind !== false) run([SEARCH_INDEX, o.out]);
  return { ms: Date.now() - t0, log };
}

/** Every file under `dir`, as paths relative to it with "/" separators, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".json": "application/json",
  ".csv": "text/csv",
  ".svg": "image/svg+xml",
  ".atom": "application/atom+xml",
  ".wasm": "application/wasm",
};

/** Maps a URL path under `base` to a file of `root`, as a static host would; null when none. */
export function resolveFile(root: string, base: string, urlPath: string): string | null {
  const b = base.endsWith("/") ? base : `${base}/`;
  if (!urlPath.startsWith(b) && urlPath !== b.slice(0, -1)) return null;
  let p = decodeURIComponent(urlPath.slice(b.length - 1) || "/");
  if (p.endsWith("/")) p += "index.html";
  const file = join(root, p);
  if (!file.startsWith(root)) return null;
  if (existsSync(file) && statSync(file).isFile()) return file;
  if (existsSync(join(file, "index.html"))) return join(file, "index.html");
  return null;
}

/** A static file server for `root` mounted at `base`, on 127.0.0.1 and a free port. */
export async function serve(root: string, base: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = resolveFile(root, base, path);
    if (!file) {
      const notFound = join(root, "404.html");
      res.writeHead(404, { "Content-Type": TYPES[".html"] });
      if (existsSync(notFound)) createReadStream(notFound).pipe(res);
      else res.end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/**
 * How the browser tests launch Debian's Chromium (README: never a downloaded browser): the
 * executable and flags, for playwright-core's launchPersistentContext.
 */
export const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
} as const;
