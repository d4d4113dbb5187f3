import type { APIRoute } from "astro";
import { pageCsv } from "../../../../../lib/site/downloads.ts";
import { datasetPage } from "../../../../../lib/site/pages.ts";
import { datasetPaths, csvResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = datasetPaths;
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return csvResponse(pageCsv(datasetPage(site, rel, params.dataset!)!));
};
