// The site-wide list of releases, newest first: the "a newer release exists" notice reads it.
import type { APIRoute } from "astro";
import { stableJson } from "../../lib/jsonio.ts";
import { ReleasesIndexSchema } from "../../lib/schemas.ts";
import { getSite } from "../../lib/site/load.ts";
import { releasesIndex } from "../../lib/site/feed.ts";
import { jsonResponse } from "../../lib/site/routes.ts";

export const GET: APIRoute = async () =>
  jsonResponse(stableJson(ReleasesIndexSchema.parse(releasesIndex(await getSite()))));
