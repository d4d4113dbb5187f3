import type { APIRoute } from "astro";
import { pageJson } from "../../../../../lib/site/downloads.ts";
import { comparePage } from "../../../../../lib/site/pages.ts";
import { comparePaths, jsonResponse, releaseOf } from "../../../../../lib/site/routes.ts";

export const getStaticPaths = comparePaths;
export const GET: APIRoute = async ({ params, props }) => {
  const { site, rel } = await releaseOf(params.release);
  return jsonResponse(pageJson(comparePage(site, rel, props.a, props.b)!));
};
