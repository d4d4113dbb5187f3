// The `data.json` and `data.csv` beside every data page (src/lib/site/downloads.ts): written in one
// pass over the site model, not as Astro routes. As routes they were two thirds of the site's files
// and most of its build time at atlas scale (issue 6, README "Performance"). A worker thread writes
// them into a staging folder while Astro renders the pages (the build uses one core; this uses the
// other), and they are moved into the output when the build is done. `astro dev` serves them too.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { AstroIntegration } from "astro";
import { dataRoot } from "../lib/paths.ts";
import { dataPages, downloadsOf } from "../lib/site/downloads.ts";
import { loadSiteFromDisk } from "../lib/site/fsdata.ts";
import { writeDownloads } from "./write-downloads.ts";

export default function downloads(): AstroIntegration {
  let base = "/";
  let rootDir = "";
  let outDir = "";
  let staged: Promise<string[]> | null = null;
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
          if (!/\/data\.(json|csv)$/.test(url.pathname)) return next();
          const path = "/" + url.pathname.slice(base.replace(/\/+$/, "").length).replace(/^\/+/, "");
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
        staged = new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new Error(`the downloads worker exited with code ${code} before it finished`)));
        });
        staged.catch(() => {}); // awaited at build:done; do not let it go unhandled meanwhile
      },
      "astro:build:done": async ({ dir, logger }) => {
        const t0 = performance.now();
        const out = fileURLToPath(dir);
        let files: number;
        if (staged) {
          // Move each staged file beside its page (the page folders exist by now).
          const paths = await staged;
          const from = staging();
          paths.forEach((p, i) => {
            const target = join(out, ...p.split("/").filter(Boolean).map(decodeURIComponent));
            if (!existsSync(dirname(target))) mkdirSync(dirname(target), { recursive: true });
            renameSync(join(from, String(i)), target);
          });
          rmSync(from, { recursive: true, force: true });
          files = paths.length;
        } else {
          files = writeDownloads(dataRoot(), out).length;
        }
        logger.info(`${files} download files${staged ? " (written alongside the pages by a worker)" : ""}, ${((performance.now() - t0) / 1000).toFixed(1)}s after the pages`);
      },
    },
  };
}
