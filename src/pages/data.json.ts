import type { APIRoute } from "astro";
import { pageJson } from "../lib/site/downloads.ts";
import { getSite } from "../lib/site/load.ts";
import { homePage } from "../lib/site/pages.ts";
import { jsonResponse } from "../lib/site/routes.ts";

export const GET: APIRoute = async () => jsonResponse(pageJson(homePage(await getSite())));
