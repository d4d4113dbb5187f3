// Base-aware URLs inside Astro templates (import.meta.env is Vite's; keep it out of pure helpers).
import { absoluteUrl, joinBase } from "./urls.ts";

export const BASE: string = import.meta.env.BASE_URL ?? "/";
export const SITE: string = import.meta.env.SITE ?? "https://erroratlas.example";

/** The base path without its trailing slashes: "" for "/". */
const BASE_PREFIX = joinBase(BASE, "/").slice(0, -1);

/** A site path with the base path in front, for href and src (joinBase, with the base trimmed once: pages call this thousands of times). */
export const u = (path: string) => (path.startsWith("/") ? BASE_PREFIX + path : `${BASE_PREFIX}/${path}`);
/** The absolute URL of a site path. */
export const abs = (path: string) => absoluteUrl(SITE, BASE, path);
