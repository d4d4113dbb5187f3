import type { APIRoute } from "astro";
import { pageCsv } from "../../../../../lib/site/downloads.ts";
import { categoryPage } from "../../../../../lib/site/pages.ts";
import { categoryPaths, csvResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = () => categoryPaths(false);
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return csvResponse(pageCsv(categoryPage(site, rel, params.slug!)!));
};
