// Reading built HTML in tests: entities back to text, whitespace normalised.

/** The text of HTML-escaped content (the entities Astro writes; "&amp;" last, so "&amp;lt;" stays "&lt;"). */
export const decode = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");

/** Whitespace runs as one space, trimmed. */
export const norm = (s: string) => s.replace(/\s+/g, " ").trim();

/** The first `n` words of a text, whitespace normalised. */
export const firstWords = (s: string, n = 8) => norm(s).split(" ").slice(0, n).join(" ");
