// Charts at phone width: every bar chart fits a 390 px screen whole (labels above the bars, value
// labels inside the chart, nothing cut, nothing scrolling sideways), and a heatmap wider than the
// screen says that it scrolls. Checked on the layout functions, then in Chromium on the demo site
// (the repo's data/) built once.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { barChart, groupedBarChart, LABEL_CHARS, PLOT_END, wrapLabel } from "../../src/lib/site/charts.ts";
import { CHROMIUM, REPO, buildSite, serve } from "./helpers/build.ts";

describe("bar chart layout for any width", () => {
  it("wraps a long label into lines of at most LABEL_CHARS characters and loses no character", () => {
    const label = "Answered with the right number in the wrong unit/scale-factor_and_a_very_long_tail_without_spaces";
    const lines = wrapLabel(label);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(LABEL_CHARS);
    expect(lines.join("").replace(/\s/g, "")).toBe(label.replace(/\s/g, ""));
    // breaks at a space where there is one in the line's second half
    expect(lines[0].endsWith(" ")).toBe(false);
    expect(label.startsWith(`${lines[0]} `)).toBe(true);
    // a space beats punctuation later in the line
    expect(wrapLabel("Claude 3 Haiku (2024-03-07)", 24)).toEqual(["Claude 3 Haiku", "(2024-03-07)"]);
    expect(wrapLabel("meta-llama/Llama-3.1-405B-Instruct-Turbo", 24)).toEqual([
      "meta-llama/Llama-3.1-",
      "405B-Instruct-Turbo",
    ]);
    expect(wrapLabel("Short")).toEqual(["Short"]);
    expect(wrapLabel("")).toEqual([""]);
  });

  it("puts each label above its bar, and a wrapped label's bar lower", () => {
    const g = barChart([
      { label: "A", value: 0.5 },
      { label: "B ".repeat(40), value: 0.2 },
      { label: "C", value: 0.1 },
    ]);
    for (const b of g.bars) expect(b.labelY).toBeLessThan(b.y);
    const [a, b, c] = g.bars;
    expect(b.lines.length).toBeGreaterThan(1);
    expect(b.y - a.y).toBeGreaterThan(c.y - b.y);
  });

  it("keeps bars, whiskers and value labels' anchors within PLOT_END percent of the width", () => {
    const g = barChart([
      { label: "A", value: 1, ci: [0.9, 1] },
      { label: "B", value: 0.3, marker: 0.98 },
    ]);
    for (const b of g.bars) {
      expect(b.x + b.w).toBeLessThanOrEqual(PLOT_END);
      expect(b.valueX).toBeLessThanOrEqual(PLOT_END);
      if (b.ci) expect(b.ci.x2).toBeLessThanOrEqual(PLOT_END);
    }
    expect(g.ticks[0].anchor).toBe("start");
    const gg = groupedBarChart([{ label: "X", values: [1, 0.5], flag: true }], ["#000", "#fff"]);
    expect(gg.groups[0].lines[0]).toBe("★ X");
    expect(gg.groups[0].bars[1].y).toBeGreaterThan(gg.groups[0].bars[0].y);
    expect(gg.groups[0].labelY).toBeLessThan(gg.groups[0].bars[0].y);
    for (const b of gg.groups[0].bars) expect(b.valueX).toBeLessThanOrEqual(PLOT_END);
  });
});

const PHONE = { width: 390, height: 844 };
const ARTIFACTS = join(REPO, "tests/artifacts");

describe("charts on a 390 px phone (demo site, Chromium)", () => {
  let tmp: string;
  let out: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "site-phone-"));
    out = join(tmp, "dist");
    buildSite({ data: join(REPO, "data"), out, cache: join(tmp, "cache"), pagefind: false });
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await serve(out, "/");
    browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The first page (in name order) of a kind in the demo's newest release. */
  const first = (kind: string) => {
    const dir = join(out, "releases/demo-3", kind);
    const name = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()[0];
    return `releases/demo-3/${kind}/${name}/`;
  };

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}/${path}`, { waitUntil: "load" });
    expect(errors).toEqual([]);
    return page;
  };

  /** What the test reads of each bar chart (its table open) and the page, measured in the browser. */
  const measure = (page: Page) =>
    page.evaluate(() => {
      for (const d of document.querySelectorAll<HTMLDetailsElement>("figure.chart details")) d.open = true;
      const doc = document.documentElement;
      const charts = [...document.querySelectorAll("figure.chart")]
        .filter((f) => f.querySelector("svg.bars"))
        .map((fig) => {
          const svg = fig.querySelector("svg.bars")!;
          const box = svg.getBoundingClientRect();
          const f = fig.getBoundingClientRect();
          // every element of the figure that could scroll sideways
          const scrolling = [fig, ...fig.querySelectorAll("*")]
            .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible")
            .map((e) => e.tagName + (e.className && typeof e.className === "string" ? `.${e.className}` : ""));
          // texts reaching out of the chart's box (the 1.5 px of a label's halo aside)
          const outside = [...svg.querySelectorAll("text")]
            .map((t) => ({ t: t.textContent ?? "", r: t.getBoundingClientRect() }))
            .filter(({ r }) => r.left < box.left - 1.5 || r.right > box.right + 1.5)
            .map(({ t }) => t);
          const rows = [...svg.querySelectorAll("g.bar, g.group")].map((g) => {
            const label = g.querySelector("text.label")!.getBoundingClientRect();
            const rects = [...g.querySelectorAll("rect")].map((r) => r.getBoundingClientRect());
            const values = [...g.querySelectorAll("text.value")].map((t) => t.getBoundingClientRect());
            return {
              labelBottom: label.bottom,
              barTop: Math.min(...rects.map((r) => r.top)),
              bars: rects.length,
              values: values.filter((v) => v.width > 0 && v.left >= box.left && v.right <= box.right).length,
            };
          });
          return {
            id: fig.getAttribute("aria-labelledby"),
            left: f.left,
            right: Math.max(f.right, box.right),
            scrolling,
            outside,
            rows,
          };
        });
      return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, innerWidth: window.innerWidth, charts };
    });

  const pages = () => [
    ["model", first("models")],
    ["category", first("categories")],
    ["dataset", first("datasets")],
    ["compare", first("compare")],
  ];

  it("fits every bar chart of a model, a category, a dataset and a compare page in the screen's width", async () => {
    let seen = 0;
    for (const [kind, path] of pages()) {
      const page = await open(path);
      const m = await measure(page);
      expect(m.scrollWidth, `${kind}: the page scrolls sideways`).toBeLessThanOrEqual(m.clientWidth);
      expect(m.charts.length, `${kind}: no bar chart`).toBeGreaterThan(0);
      for (const c of m.charts) {
        const where = `${kind} ${path} ${c.id}`;
        expect(c.left, where).toBeGreaterThanOrEqual(0);
        expect(c.right, where).toBeLessThanOrEqual(PHONE.width);
        expect(c.scrolling, where).toEqual([]);
        expect(c.outside, where).toEqual([]);
        expect(c.rows.length, where).toBeGreaterThan(0);
        for (const r of c.rows) {
          // the label's own line(s) above the bars, and a visible value label per bar
          expect(r.labelBottom, where).toBeLessThanOrEqual(r.barTop + 1);
          expect(r.values, where).toBe(r.bars);
        }
        seen++;
      }
      const fig = page.locator("figure.chart:has(svg.bars)").first();
      await fig.screenshot({ path: join(ARTIFACTS, `phone-${kind}-chart.png`) });
      await page.close();
    }
    expect(seen).toBeGreaterThanOrEqual(5);
  });

  it("shows that a heatmap scrolls sideways exactly when it is wider than the screen", async () => {
    for (const viewport of [PHONE, { width: 1280, height: 900 }]) {
      const page = await browser.newPage({ viewport });
      await page.goto(`${server.url}/`, { waitUntil: "load" });
      const heat = await page.evaluate(() => {
        const box = document.querySelector("figure.heat .scroll-x")!;
        const hint = document.querySelector("figure.heat .scroll-hint")!;
        return {
          scrolls: box.scrollWidth > box.clientWidth,
          hint: hint.getBoundingClientRect().height,
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        };
      });
      expect(heat.page).toBeLessThanOrEqual(0);
      if (heat.scrolls) expect(heat.hint).toBeGreaterThan(10);
      else expect(heat.hint).toBe(0);
      if (viewport === PHONE) {
        // the demo's heatmap is wider than a phone
        expect(heat.scrolls).toBe(true);
        await page.locator("figure.heat").screenshot({ path: join(ARTIFACTS, "phone-home-heatmap.png") });
      }
      await page.close();
    }
  });
});
