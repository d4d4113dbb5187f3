// Unit tests of the site's pure helpers: chart geometry, citations, safe serialisation, URLs, text folding.
import { describe, expect, it } from "vitest";
import { barChart, groupedBarChart, heatmap } from "../../src/lib/site/charts.ts";
import { bibtexEscape, bibtexKey, citation } from "../../src/lib/site/cite.ts";
import { citationMeta, datasetJsonLd } from "../../src/lib/site/meta.ts";
import { csvCell, safeJsonLd, toCsv } from "../../src/lib/site/serialize.ts";
import { FOLD_CHARS, textView } from "../../src/lib/site/text.ts";
import { absoluteUrl, joinBase, paths } from "../../src/lib/site/urls.ts";

describe("bar chart geometry", () => {
  const g = barChart([
    { label: "A", value: 0.5, ci: [0.4, 0.6] },
    { label: "B", value: 0.25, ci: [0.2, 0.3], marker: 0.1 },
    { label: "C", value: 0 },
  ]);

  it("draws bars proportional to values from the same origin", () => {
    const [a, b, c] = g.bars;
    expect(a.x).toBe(b.x);
    expect(a.w / b.w).toBeCloseTo(2, 2);
    expect(c.w).toBe(0);
    expect(a.y).toBeLessThan(b.y);
  });

  it("puts whiskers at the interval ends and markers at their value", () => {
    const [a, b] = g.bars;
    expect(a.ci!.x1).toBeLessThan(a.x + a.w);
    expect(a.ci!.x2).toBeGreaterThan(a.x + a.w);
    expect((a.ci!.x2 - a.ci!.x1) / a.w).toBeCloseTo(0.4, 2);
    expect(b.marker!.x - b.x).toBeCloseTo(b.w * 0.4, 1);
    expect(g.bars[2].ci).toBeNull();
  });

  it("has ascending ticks inside the plot, reaching past the largest interval end", () => {
    const xs = g.ticks.map((t) => t.x);
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
    expect(xs[0]).toBe(g.plot.x0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(g.plot.x1);
    expect(g.ticks.at(-1)!.text).toMatch(/%$/);
    expect(a60(g)).toBeLessThanOrEqual(g.plot.x1);
  });

  const a60 = (geo: typeof g) => geo.bars[0].ci!.x2;

  it("grows with the number of rows", () => {
    expect(barChart([{ label: "x", value: 0.1 }]).height).toBeLessThan(g.height);
  });
});

describe("grouped bars and heatmap", () => {
  it("draws one bar per series in each group", () => {
    const g = groupedBarChart([{ label: "X", values: [0.2, 0.4], flag: true }], ["#000", "#fff"]);
    expect(g.groups[0].bars).toHaveLength(2);
    expect(g.groups[0].bars[1].w / g.groups[0].bars[0].w).toBeCloseTo(2, 2);
    expect(g.groups[0].bars.map((b) => b.fill)).toEqual(["#000", "#fff"]);
  });

  it("colours cells by value and keeps numbers readable on them", () => {
    const g = heatmap(
      [{ label: "m1" }, { label: "m2" }],
      [{ label: "c1" }, { label: "c2" }],
      [
        [0, 0.5],
        [0.25, null],
      ],
    );
    expect(g.cells).toHaveLength(4);
    const [low, high, , missing] = g.cells;
    expect(low.fill).not.toBe(high.fill);
    expect(low.textFill).toBe("#ffffff"); // dark end of cividis
    expect(high.textFill).toBe("#000000"); // light end
    expect(missing.fill).toBe("none");
    expect(missing.text).toBe("–");
    expect(high.text).toBe("50%");
  });
});

describe("citation", () => {
  it("names the release and URL in text and BibTeX", () => {
    const c = citation({
      title: "Arithmetic slip",
      release: "r2",
      releaseTitle: "Second",
      url: "https://x.example/releases/r2/categories/arithmetic-slip/",
    });
    expect(c.text).toContain("release r2");
    expect(c.text).toContain("https://x.example/releases/r2/categories/arithmetic-slip/");
    expect(c.bibtex).toMatch(/^@misc\{erroratlas_r2_arithmetic_slip,/);
    expect(c.bibtex).toContain("note = {ErrorAtlas release r2 (Second)}");
    expect(c.bibtex).not.toContain("year");
  });

  it("dates a published release's pages by the publication day", () => {
    const c = citation({
      title: "Arithmetic slip",
      release: "r2",
      releaseTitle: "Second",
      date: "2026-11-01",
      url: "https://x.example/releases/r2/",
    });
    expect(c.text).toContain("release r2 (2026-11-01)");
    expect(c.bibtex).toContain("year = {2026}");
    expect(c.bibtex).toContain("month = {11}");
  });

  it("escapes BibTeX specials so a title cannot break the entry", () => {
    expect(bibtexEscape("50% {of} $x_1 & #2")).toBe("50\\% \\{of\\} \\$x\\_1 \\& \\#2");
    const c = citation({ title: "a}b", release: null, url: "https://x.example/" });
    const opens = (c.bibtex.match(/(?<!\\)\{/g) ?? []).length;
    const closes = (c.bibtex.match(/(?<!\\)\}/g) ?? []).length;
    expect(opens).toBe(closes);
  });

  it("keys entries by the title's first four ASCII words, read after NFKD (where Ü becomes U and a mark that splits the word)", () => {
    // Published keys: what these give must not change.
    expect(bibtexKey({ title: "Café Über-Modell vs. GPT-4o (r1)", release: "r1", url: "" })).toBe(
      "erroratlas_r1_cafe_u_ber_modell",
    );
    expect(bibtexKey({ title: "Arithmetic slip", release: null, url: "" })).toBe("erroratlas_site_arithmetic_slip");
  });
});

describe("safe serialisation", () => {
  it("keeps JSON-LD from closing its script tag and round-trips", () => {
    const value = { name: "</script><script>alert(1)</script> & <!--", s: "\u2028" };
    const out = safeJsonLd(value);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toContain("\u2028");
    expect(JSON.parse(out)).toEqual(value);
  });

  it("quotes CSV cells and defuses formulas", () => {
    expect(csvCell('say "hi", twice')).toBe('"say ""hi"", twice"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(-0.5)).toBe("-0.5");
    expect(csvCell(null)).toBe("");
    expect(csvCell("line\nbreak")).toBe('"line\nbreak"');
    expect(toCsv(["a", "b"], [[1, "x"]])).toBe("a,b\r\n1,x\r\n");
  });
});

describe("head metadata", () => {
  const h = {
    title: "T",
    description: "D",
    url: "https://x.example/p/",
    release: { id: "r1", title: "R" },
    downloads: { json: "https://x.example/p/data.json", csv: "https://x.example/p/data.csv" },
  };
  it("describes data pages as schema.org Datasets with their downloads", () => {
    const ld = datasetJsonLd(h)!;
    expect(ld["@type"]).toBe("Dataset");
    expect(ld.version).toBe("r1");
    expect((ld.distribution as { contentUrl: string }[]).map((d) => d.contentUrl)).toEqual([
      h.downloads.json,
      h.downloads.csv,
    ]);
    expect(datasetJsonLd({ ...h, downloads: null })).toBeNull();
  });
  it("gives citation_* tags", () => {
    const names = citationMeta(h).map((m) => m.name);
    expect(names).toContain("citation_title");
    expect(names).toContain("citation_author");
  });
});

describe("URLs", () => {
  it("respects any form of the base path", () => {
    expect(joinBase("/", "/releases/r1/")).toBe("/releases/r1/");
    expect(joinBase("/atlas", "/releases/r1/")).toBe("/atlas/releases/r1/");
    expect(joinBase("/atlas/", "/")).toBe("/atlas/");
    expect(absoluteUrl("https://x.example", "/atlas/", "/a/")).toBe("https://x.example/atlas/a/");
  });
  it("puts downloads beside the page and encodes ids", () => {
    expect(paths.data(paths.category("r1", "slip"), "json")).toBe("/releases/r1/categories/slip/data.json");
    expect(paths.model("r1", "a b")).toBe("/releases/r1/models/a%20b/");
    expect(paths.compare("r1", "a", "b")).toBe("/releases/r1/compare/a--b/");
  });
});

describe("text folding", () => {
  it("folds long texts and never drops characters", () => {
    expect(textView("short").fold).toBe(false);
    const long = "x".repeat(FOLD_CHARS + 1);
    expect(textView(long)).toEqual({ empty: false, fold: true, chars: FOLD_CHARS + 1, lines: 1 });
    expect(textView("a\n".repeat(20)).fold).toBe(true);
    expect(textView("  \n").empty).toBe(true);
  });
});
