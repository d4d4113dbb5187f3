// Atom feed of releases (site-wide).
import type { APIRoute } from "astro";
import { getSite } from "../lib/site/load.ts";
import { releasesAtom } from "../lib/site/feed.ts";
import { BASE, SITE } from "../lib/site/env.ts";

export const GET: APIRoute = async () =>
  new Response(releasesAtom(await getSite(), SITE, BASE), {
    headers: { "Content-Type": "application/atom+xml; charset=utf-8" },
  });
