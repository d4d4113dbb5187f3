// "Cite this page": a plain-text reference and a BibTeX entry naming the release and the URL.
export interface CiteInput {
  /** Title of the page, e.g. "Arithmetic slip (error category)". */
  title: string;
  /** Release id the page belongs to; null for site-wide pages. */
  release: string | null;
  releaseTitle?: string | null;
  /** Publication day of the release (YYYY-MM-DD); null while it is unpublished. */
  date?: string | null;
  /** Absolute URL of the release page (the canonical one). */
  url: string;
}

export const CITE_AUTHOR = "ErrorAtlas contributors";
export const SITE_NAME = "ErrorAtlas";

/** Escapes BibTeX's special characters so a title cannot unbalance braces or start a command. */
export function bibtexEscape(s: string): string {
  return s.replace(/[\\{}$&%#_^~]/g, (c) =>
    c === "\\" ? "\\textbackslash{}" : c === "^" ? "\\^{}" : c === "~" ? "\\~{}" : `\\${c}`,
  );
}

/** A BibTeX key from the release and title: ascii letters and digits only. */
export function bibtexKey(input: CiteInput): string {
  const words = input.title
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9 ]/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 4)
    .map((w) => w.toLowerCase());
  const rel = (input.release ?? "site").replace(/[^A-Za-z0-9]/g, "");
  return ["erroratlas", rel, ...words].join("_");
}

export function citation(input: CiteInput): { text: string; bibtex: string } {
  const rel = input.release ? `, release ${input.release}` : "";
  const when = input.date ? ` (${input.date})` : "";
  const text = `${CITE_AUTHOR}. "${input.title}." ${SITE_NAME}${rel}${when}. ${input.url}`;
  const fields: [string, string][] = [
    ["title", `{${bibtexEscape(input.title)}}`],
    ["author", `{${CITE_AUTHOR}}`],
    ["howpublished", `{\\url{${input.url.replace(/[{}\\]/g, "")}}}`],
    ["url", `{${input.url.replace(/[{}\\]/g, "")}}`],
  ];
  if (input.date) {
    const [y, m] = input.date.split("-");
    fields.push(["year", `{${y}}`], ["month", `{${Number(m)}}`]);
  }
  if (input.release) {
    const title = input.releaseTitle ? ` (${bibtexEscape(input.releaseTitle)})` : "";
    fields.push(["note", `{${SITE_NAME} release ${bibtexEscape(input.release)}${title}}`]);
  }
  const body = fields.map(([k, v]) => `  ${k} = ${v}`).join(",\n");
  return { text, bibtex: `@misc{${bibtexKey(input)},\n${body}\n}` };
}
