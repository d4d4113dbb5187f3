// @ts-check
// The atlas site. Where it lives and where it builds to come from the environment, so a maintainer
// (or a test) can build from another data root into another folder without editing this file:
//   ERRORMAP_SITE  absolute origin, default https://erroratlas.example
//   ERRORMAP_BASE  base path, default "/"
//   ERRORMAP_OUT   output folder, default dist
//   ERRORMAP_CACHE Astro's cache folder (content store), default node_modules/.astro; parallel builds
//                  need their own
//   ERRORMAP_DATA  data root (read by src/content.config.ts through src/lib/paths.ts)
//   ERRORMAP_CONCURRENCY  pages rendered at once (default 4)
import { defineConfig } from "astro/config";
import mdx from "@astrojs/mdx";
import downloads from "./src/integrations/downloads.ts";

const env = process.env;

export default defineConfig({
  site: env.ERRORMAP_SITE || "https://erroratlas.example",
  base: env.ERRORMAP_BASE || "/",
  outDir: env.ERRORMAP_OUT || "./dist",
  cacheDir: env.ERRORMAP_CACHE || "./node_modules/.astro",
  trailingSlash: "ignore",
  // Pages rendered at once: overlaps writing one page with rendering the next (4 measured faster
  // than 1; more did not help on 2 cores).
  build: { format: "directory", concurrency: Number(env.ERRORMAP_CONCURRENCY || 4) },
  integrations: [mdx(), downloads()],
  // Pages must not change when other releases are added: no prefetch scripts, no dev toolbar.
  prefetch: false,
  devToolbar: { enabled: false },
});
