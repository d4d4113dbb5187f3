import type { APIRoute } from "astro";
import { pageJson } from "../../../../../lib/site/downloads.ts";
import { categoryPage } from "../../../../../lib/site/pages.ts";
import { categoryPaths, jsonResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = () => categoryPaths(false);
export const GET: APIRoute = async ({ params }) => {
  const { site, rel } = await releaseOf(params.release);
  return jsonResponse(pageJson(categoryPage(site, rel, params.slug!)!));
};
