import type { APIRoute } from "astro";
import { pageJson } from "../../../lib/site/downloads.ts";
import { releasePage } from "../../../lib/site/pages.ts";
import { releasePaths, jsonResponse, releaseOf } from "../../../lib/site/routes.ts";

export const getStaticPaths = releasePaths;
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return jsonResponse(pageJson(releasePage(site, rel)));
};
