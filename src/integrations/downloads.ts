// Writes the `data.json` and `data.csv` beside every data page (src/lib/site/downloads.ts) when the
// build is done, and serves them in `astro dev`. One pass over the site model writes every file
// directly: as Astro routes, the downloads were two thirds of the site's files and most of its
// build time at atlas scale (issue 6, README "Performance").
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AstroIntegration } from "astro";
import { dataRoot } from "../lib/paths.ts";
import { dataPages, downloadsOf } from "../lib/site/downloads.ts";
import { loadSiteFromDisk } from "../lib/site/fsdata.ts";
import { takeSite } from "../lib/site/handoff.ts";

/** Writes in flight at once: the disk's latency overlaps with making the next files. */
const IN_FLIGHT = 32;

export default function downloads(): AstroIntegration {
  let base = "/";
  return {
    name: "errormap-downloads",
    hooks: {
      "astro:config:done": ({ config }) => {
        base = config.base;
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
      "astro:build:done": async ({ dir, logger }) => {
        const t0 = performance.now();
        const out = fileURLToPath(dir);
        const root = dataRoot();
        const handed = takeSite(root);
        const site = handed ?? loadSiteFromDisk(root);
        const pending = new Set<Promise<void>>();
        const dirs = new Map<string, Promise<unknown>>(); // folder -> its mkdir, made once
        let files = 0;
        for (const page of dataPages(site)) {
          for (const f of downloadsOf(page)) {
            const target = join(out, ...f.path.split("/").filter(Boolean).map(decodeURIComponent));
            const folder = dirname(target);
            let made = dirs.get(folder);
            if (!made) dirs.set(folder, (made = mkdir(folder, { recursive: true })));
            const p = made.then(() => writeFile(target, f.body)).finally(() => pending.delete(p));
            pending.add(p);
            files++;
            if (pending.size >= IN_FLIGHT) await Promise.race(pending);
          }
        }
        await Promise.all(pending);
        logger.info(`${files} download files written (site model ${handed ? "handed over by the pages" : "loaded again"}) in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
      },
    },
  };
}
