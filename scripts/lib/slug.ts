// Slugs for URLs: lower-case ASCII words joined by '-'. @sindresorhus/slugify handles
// transliteration ("Café" → "cafe") and the odd characters of model names.
import { createRequire } from "node:module";
import type slugifyLibrary from "@sindresorhus/slugify";

// Required on first use, not imported: few commands make slugs, and loading the library (with its
// transliteration tables) added ~50 ms to the start of every command (README "Performance").
const require = createRequire(import.meta.url);
let slugifyLib: typeof slugifyLibrary | undefined;

export function slugify(text: string): string {
  slugifyLib ??= (require("@sindresorhus/slugify") as { default: typeof slugifyLibrary }).default;
  const s = slugifyLib(text, { decamelize: false });
  return s || "x";
}

/** A slug not yet in `taken`, adding -2, -3, ... when needed; `taken` is updated. */
export function uniqueSlug(text: string, taken: Set<string>): string {
  const base = slugify(text);
  let s = base;
  for (let i = 2; taken.has(s); i++) s = `${base}-${i}`;
  taken.add(s);
  return s;
}
