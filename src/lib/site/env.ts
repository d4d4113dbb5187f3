// Base-aware URLs inside Astro templates (import.meta.env is Vite's; keep it out of pure helpers).
import { absoluteUrl, baseJoiner } from "./urls.ts";

export const BASE: string = import.meta.env.BASE_URL ?? "/";
export const SITE: string = import.meta.env.SITE ?? "https://erroratlas.example";

/** A site path with the base path in front, for href and src (pages call this thousands of times). */
export const u = baseJoiner(BASE);
/** The absolute URL of a site path. */
export const abs = (path: string) => absoluteUrl(SITE, BASE, path);
