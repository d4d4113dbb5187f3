import type { APIRoute } from "astro";
import { pageCsv } from "../lib/site/downloads.ts";
import { getSite } from "../lib/site/load.ts";
import { homePage } from "../lib/site/pages.ts";
import { csvResponse } from "../lib/site/routes.ts";

export const GET: APIRoute = async () => csvResponse(pageCsv(homePage(await getSite())));
