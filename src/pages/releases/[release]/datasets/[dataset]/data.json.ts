import type { APIRoute } from "astro";
import { pageJson } from "../../../../../lib/site/downloads.ts";
import { datasetPage } from "../../../../../lib/site/pages.ts";
import { datasetPaths, jsonResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = datasetPaths;
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return jsonResponse(pageJson(datasetPage(site, rel, params.dataset!)!));
};
