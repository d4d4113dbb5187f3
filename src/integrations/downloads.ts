// The `data.json` and `data.csv` beside every data page (src/lib/site/downloads.ts), and the chunk
// files of every failure list (src/lib/site/lists.ts): written in one pass over the site model, not
// as Astro routes. As routes they were two thirds of the site's files
// and most of its build time at atlas scale (README "Performance"). A worker thread writes
// them into a staging folder while Astro renders the pages (the build uses one core; this uses the
// other), and they are moved into the output when the build is done. `astro dev` serves them too.
//
// The same goes for each release's own files (release.json, taxonomy, analyses, aggregates,
// registry), served byte for byte under /releases/<id>/files/: copied from the data root when the
// build is done. As a route they went through a Response in memory, 1.8 s at atlas scale.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { AstroIntegration } from "astro";
import { readRelease } from "../lib/data/release.ts";
import { dataRoot, layout, RELEASE_FILE } from "../lib/paths.ts";
import { dataPages, downloadsOf } from "../lib/site/downloads.ts";
import { loadSiteFromDisk, releaseIds } from "../lib/site/fsdata.ts";
import { failureListFiles } from "../lib/site/lists.ts";
import { FULL_TEXT_FILE, fullTextFiles } from "../lib/site/items.ts";
import { paths } from "../lib/site/urls.ts";
import { writeDownloads } from "./write-downloads.ts";

const TYPES: Record<string, string> = {
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/jsonl; charset=utf-8",
};

/** release.json and every file whose hash release.json records (taxonomy, analyses, aggregates, registry). */
const releaseFiles = (r: { files: Record<string, string> }) => [RELEASE_FILE.release, ...Object.keys(r.files).sort()];

/** Each release's own files: where they are in the data root, and their path in the site. */
export function releaseFileCopies(root: string): { from: string; path: string }[] {
  return releaseIds(root).flatMap((id) => {
    const release = readRelease(root, id)!;
    return releaseFiles(release).map((file) => ({
      from: layout(root).releaseFile(id, file),
      path: paths.releaseFile(id, file),
    }));
  });
}

/** The output file of a site path (its segments are URL-encoded, see paths). */
const outFile = (out: string, path: string) => join(out, ...path.split("/").filter(Boolean).map(decodeURIComponent));

export default function downloads(): AstroIntegration {
  let base = "/";
  let rootDir = "";
  let outDir = "";
  let stagedPaths: Promise<string[]> | null = null;
  const staging = () => join(dirname(outDir), `.${basename(outDir)}-downloads`);
  return {
    name: "errormap-downloads",
    hooks: {
      "astro:config:done": ({ config }) => {
        base = config.base;
        rootDir = fileURLToPath(config.root);
        outDir = fileURLToPath(config.outDir);
      },
      "astro:server:setup": ({ server }) => {
        // Dev only: answer a download from the current data root (read again for each request, so
        // edits show without a restart; fine for one file at a time).
        server.middlewares.use((req, res, next) => {
          const url = new URL(req.url ?? "/", "http://dev");
          const path = "/" + url.pathname.slice(base.replace(/\/+$/, "").length).replace(/^\/+/, "");
          if (/^\/releases\/[^/]+\/files\/[^/]+$/.test(path)) {
            const file = releaseFileCopies(dataRoot()).find((f) => f.path === path);
            if (!file) return next();
            res.setHeader(
              "Content-Type",
              TYPES[file.path.slice(file.path.lastIndexOf("."))] ?? "application/octet-stream",
            );
            res.end(readFileSync(file.from));
            return;
          }
          if (/\/failures\/\d+\.json$/.test(path)) {
            for (const file of failureListFiles(loadSiteFromDisk(dataRoot()))) {
              if (file.path !== path) continue;
              res.setHeader("Content-Type", file.type);
              res.end(file.body);
              return;
            }
            return next();
          }
          if (FULL_TEXT_FILE.test(path)) {
            const root = dataRoot();
            for (const file of fullTextFiles(root, loadSiteFromDisk(root))) {
              if (file.path !== path) continue;
              res.setHeader("Content-Type", file.type);
              res.end(file.body);
              return;
            }
            return next();
          }
          if (!/\/data\.(json|csv)$/.test(url.pathname)) return next();
          for (const page of dataPages(loadSiteFromDisk(dataRoot()))) {
            const file = downloadsOf(page).find((f) => f.path === path);
            if (!file) continue;
            res.setHeader("Content-Type", file.type);
            res.end(file.body);
            return;
          }
          next();
        });
      },
      "astro:build:start": () => {
        // The worker runs the TypeScript sources as they are, which needs Node's type stripping.
        if (!process.features.typescript) return;
        rmSync(staging(), { recursive: true, force: true });
        const worker = new Worker(join(rootDir, "src/integrations/write-downloads.ts"), {
          workerData: { errormapDownloads: true, root: dataRoot(), out: staging() },
        });
        stagedPaths = new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
          worker.once("exit", (code) =>
            reject(new Error(`the downloads worker exited with code ${code} before it finished`)),
          );
        });
        stagedPaths.catch(() => {}); // awaited at build:done; do not let it go unhandled meanwhile
      },
      "astro:build:done": async ({ dir, logger }) => {
        const t0 = performance.now();
        const out = fileURLToPath(dir);
        let files: number;
        if (stagedPaths) {
          // Move each staged file beside its page (the page folders exist by now).
          const staged = await stagedPaths;
          const from = staging();
          staged.forEach((p, i) => {
            const target = outFile(out, p);
            if (!existsSync(dirname(target))) mkdirSync(dirname(target), { recursive: true });
            renameSync(join(from, String(i)), target);
          });
          rmSync(from, { recursive: true, force: true });
          files = staged.length;
        } else {
          files = writeDownloads(dataRoot(), out).length;
        }
        for (const f of releaseFileCopies(dataRoot())) {
          const target = outFile(out, f.path);
          mkdirSync(dirname(target), { recursive: true });
          copyFileSync(f.from, target);
          files++;
        }
        logger.info(
          `${files} download files${stagedPaths ? " (written alongside the pages by a worker)" : ""}, ${((performance.now() - t0) / 1000).toFixed(1)}s after the pages`,
        );
      },
    },
  };
}
