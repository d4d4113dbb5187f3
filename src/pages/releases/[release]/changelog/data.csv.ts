import type { APIRoute } from "astro";
import { pageCsv } from "../../../../lib/site/downloads.ts";
import { changelogPage } from "../../../../lib/site/pages.ts";
import { releasePaths, csvResponse, releaseOf } from "../../../../lib/site/routes.ts";

export const getStaticPaths = releasePaths;
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return csvResponse(pageCsv(changelogPage(site, rel)));
};
