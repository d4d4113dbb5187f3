// The site model a build has already made, handed from the pages (built in Astro's prerender
// bundle) to the downloads integration (which runs after them, in the same process), so one build
// reads and validates the data root once. Module state cannot do it: the two load separate copies
// of these modules. Nothing handed, or a different data root: the integration loads it itself.
import type { Site } from "./model.ts";

const KEY = Symbol.for("errormap.site-model");
type Slot = { root: string; site: Site };

export function handSite(root: string, site: Site): void {
  (globalThis as Record<symbol, Slot | undefined>)[KEY] = { root, site };
}

/** The handed site model of this data root, taken (the slot is emptied, so memory can be freed). */
export function takeSite(root: string): Site | null {
  const g = globalThis as Record<symbol, Slot | undefined>;
  const slot = g[KEY];
  g[KEY] = undefined;
  return slot && slot.root === root ? slot.site : null;
}
