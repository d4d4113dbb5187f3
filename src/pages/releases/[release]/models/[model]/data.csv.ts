import type { APIRoute } from "astro";
import { pageCsv } from "../../../../../lib/site/downloads.ts";
import { modelPage } from "../../../../../lib/site/pages.ts";
import { modelPaths, csvResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = modelPaths;
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return csvResponse(pageCsv(modelPage(site, rel, params.model!)!));
};
