// Site-wide views of the release list: /releases/index.json and the Atom feed /releases.atom.
import type { ReleasesIndex } from "../schemas.ts";
import type { Site } from "./model.ts";
import { absoluteUrl, paths } from "./urls.ts";

export function releasesIndex(site: Site): ReleasesIndex {
  return {
    latest: site.latest?.id ?? null,
    releases: [...site.releases].reverse().map((r) => ({
      id: r.id,
      title: r.release.title,
      published: !!r.release.published,
      previous: r.release.previous,
    })),
  };
}

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** A release's date is the day it was published; an unpublished one has none and gets a fixed `updated`. */
const NO_DATE = "1970-01-01T00:00:00Z";
const dateOf = (r: Site["releases"][number]) =>
  r.release.published?.date ? `${r.release.published.date}T00:00:00Z` : NO_DATE;

export function releasesAtom(site: Site, origin: string, base: string): string {
  const url = (p: string) => absoluteUrl(origin, base, p);
  const entries = [...site.releases].reverse().map((r) => {
    const c = r.release.counts;
    const summary = `${c.analysed} analysed failures of ${c.models} models on ${c.datasets} datasets; judge ${r.release.judge} (${r.release.judge_model}).`;
    return [
      "  <entry>",
      `    <id>${xml(url(paths.release(r.id)))}</id>`,
      `    <title>${xml(`Release ${r.id}: ${r.release.title}`)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xml(url(paths.release(r.id)))}"/>`,
      `    <updated>${dateOf(r)}</updated>`,
      `    <summary>${xml(summary)}</summary>`,
      "  </entry>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(url(paths.atom()))}</id>`,
    "  <title>ErrorAtlas releases</title>",
    `  <link rel="self" type="application/atom+xml" href="${xml(url(paths.atom()))}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(url(paths.releases()))}"/>`,
    `  <updated>${site.releases.map(dateOf).sort().at(-1) ?? NO_DATE}</updated>`,
    "  <author><name>ErrorAtlas contributors</name></author>",
    ...entries,
    "</feed>",
    "",
  ].join("\n");
}
