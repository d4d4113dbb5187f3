// Head metadata of a page: citation_* tags, Open Graph and schema.org JSON-LD, as plain data the
// layout renders (so it is unit-tested rather than spread through templates).
import { CITE_AUTHOR, SITE_NAME } from "./cite.ts";

export interface HeadInput {
  title: string;
  description: string;
  /** Absolute canonical URL. */
  url: string;
  /** date: the release's publication day (YYYY-MM-DD), null while unpublished. */
  release: { id: string; title: string; date?: string | null } | null;
  /** Absolute URLs of the page's downloads, when it has data. */
  downloads: { json: string; csv: string } | null;
  keywords?: string[];
}

export function citationMeta(h: HeadInput): { name: string; content: string }[] {
  const out = [
    { name: "citation_title", content: h.title },
    { name: "citation_author", content: CITE_AUTHOR },
    { name: "citation_publisher", content: SITE_NAME },
    { name: "citation_abstract_html_url", content: h.url },
  ];
  if (h.release) out.push({ name: "citation_technical_report_number", content: `release ${h.release.id}` });
  if (h.release?.date) out.push({ name: "citation_publication_date", content: h.release.date.replace(/-/g, "/") });
  if (h.keywords?.length) out.push({ name: "citation_keywords", content: h.keywords.join("; ") });
  return out;
}

export function openGraph(h: HeadInput): { property: string; content: string }[] {
  return [
    { property: "og:type", content: "website" },
    { property: "og:site_name", content: SITE_NAME },
    { property: "og:title", content: h.title },
    { property: "og:description", content: h.description },
    { property: "og:url", content: h.url },
  ];
}

/** schema.org Dataset for a data page (only pages with downloads are datasets). */
export function datasetJsonLd(h: HeadInput): Record<string, unknown> | null {
  if (!h.downloads) return null;
  return {
    "@context": "https://schema.org",
    "@type": "Dataset",
    name: h.title,
    description: h.description,
    url: h.url,
    ...(h.release ? { version: h.release.id } : {}),
    ...(h.release?.date ? { datePublished: h.release.date } : {}),
    creator: { "@type": "Organization", name: CITE_AUTHOR },
    publisher: { "@type": "Organization", name: SITE_NAME },
    isAccessibleForFree: true,
    ...(h.keywords?.length ? { keywords: h.keywords } : {}),
    distribution: [
      { "@type": "DataDownload", encodingFormat: "application/json", contentUrl: h.downloads.json },
      { "@type": "DataDownload", encodingFormat: "text/csv", contentUrl: h.downloads.csv },
    ],
  };
}
