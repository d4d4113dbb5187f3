// Slugs for URLs: lower-case ASCII words joined by '-'. @sindresorhus/slugify handles
// transliteration ("Café" → "cafe") and the odd characters of model names.
import slugifyLib from "@sindresorhus/slugify";

export function slugify(text: string): string {
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
