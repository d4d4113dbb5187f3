import type { APIRoute } from "astro";
import { pageJson } from "../../../../../lib/site/downloads.ts";
import { modelPage } from "../../../../../lib/site/pages.ts";
import { modelPaths, jsonResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = modelPaths;
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return jsonResponse(pageJson(modelPage(site, rel, params.model!)!));
};
