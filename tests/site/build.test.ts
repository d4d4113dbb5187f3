// Builds the site from the fixture data root (once, under a base path) and checks the output:
// every internal link and download resolves, metadata is well-formed, untrusted text stays text,
// release pages are frozen when a newer release is added, and the pages work in Chromium.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ReleasesIndexSchema } from "../../src/lib/schemas.ts";
import { REVIEWER, REVIEW_DATE, REVIEW_NOTE_XSS, XSS_OUTPUT, makeFixture } from "../fixtures/site/make-fixture.ts";
import { CHROMIUM, REPO, buildSite, listFiles, resolveFile, serve } from "./helpers/build.ts";
import { decode } from "./helpers/html.ts";

const BASE = "/atlas/";
const SITE = "https://atlas.example";
const ARTIFACTS = join(REPO, "tests/artifacts");

let tmp: string;
let root: string;
let out: string;
let buildMs = 0;
let buildLog = "";

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "site-build-"));
  root = makeFixture(join(tmp, "data"));
  out = join(tmp, "dist");
  ({ ms: buildMs, log: buildLog } = buildSite({ data: root, out, cache: join(tmp, "cache"), base: BASE, site: SITE }));
  mkdirSync(ARTIFACTS, { recursive: true });
  console.log(`fixture build (astro + pagefind): ${buildMs} ms`);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const read = (rel: string) => readFileSync(join(out, rel), "utf8");
const htmlFiles = () => listFiles(out).filter((f) => f.endsWith(".html") && !f.startsWith("pagefind/"));
const links = (html: string) => [
  ...[...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) => decode(m[1])),
  ...[...html.matchAll(/http-equiv="refresh" content="[^"]*url=([^"]*)"/g)].map((m) => decode(m[1])),
];
const ids = (html: string) => new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => decode(m[1])));

describe("site build on the fixture", () => {
  it("builds every page family of both releases", () => {
    const files = new Set(listFiles(out));
    for (const f of [
      "index.html",
      "404.html",
      "about/index.html",
      "search/index.html",
      "releases/index.html",
      "releases/index.json",
      "releases.atom",
      "releases/r1/index.html",
      "releases/r2/changelog/index.html",
      "releases/r2/categories/question-misreading/index.html",
      "releases/r2/categories/question-misreading/data.json",
      "releases/r2/categories/question-misreading/data.csv",
      "releases/r2/models/gamma-mini/index.html",
      "releases/r2/datasets/quizbank/index.html",
      "releases/r2/compare/index.html",
      "releases/r2/compare/alpha-7b--gamma-mini/index.html",
      "categories/refusal/index.html",
      "models/alpha-7b/index.html",
      "datasets/sumworld/index.html",
      "pagefind/pagefind.js",
      "site.css",
      "site.js",
    ])
      expect(files.has(f), f).toBe(true);
    expect(files.has("releases/r1/models/gamma-mini/index.html")).toBe(false);
  });

  it("resolves every internal link, script, stylesheet and fragment", () => {
    const bad: string[] = [];
    const idCache = new Map<string, Set<string>>();
    const idsOf = (file: string) => {
      if (!idCache.has(file)) idCache.set(file, ids(readFileSync(file, "utf8")));
      return idCache.get(file)!;
    };
    let checked = 0;
    for (const f of htmlFiles()) {
      const html = read(f);
      for (const link of links(html)) {
        if (/^(mailto:|data:)/.test(link)) continue;
        let target = link;
        if (/^https?:\/\//.test(link)) {
          if (!link.startsWith(SITE)) continue; // external
          target = link.slice(SITE.length);
        }
        const [path, frag] = target.split("#");
        checked++;
        if (path === "") {
          if (frag && !idsOf(join(out, f)).has(frag)) bad.push(`${f}: ${link} (no such id)`);
          continue;
        }
        if (!path.startsWith(BASE)) {
          bad.push(`${f}: ${link} (ignores the base path)`);
          continue;
        }
        const file = resolveFile(out, BASE, path.split("?")[0]);
        if (!file) bad.push(`${f}: ${link}`);
        else if (frag && file.endsWith(".html") && !idsOf(file).has(frag)) bad.push(`${f}: ${link} (no such id)`);
      }
    }
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it("offers data.json and data.csv beside every release data page, and they parse", () => {
    const pages = htmlFiles().filter(
      (f) =>
        (/^releases\/[^/]+\/(categories|models|datasets|compare|changelog)\//.test(f) && !f.includes("/items/")) ||
        /^releases\/[^/]+\/index\.html$/.test(f),
    );
    expect(pages.length).toBeGreaterThan(35);
    for (const f of pages) {
      const html = read(f);
      if (html.includes('http-equiv="refresh"')) continue; // a renamed slug's redirect
      const dir = f.slice(0, -"index.html".length);
      expect(html, f).toContain(`href="${BASE}${dir}data.json"`);
      expect(html, f).toContain(`href="${BASE}${dir}data.csv"`);
      const data = JSON.parse(read(`${dir}data.json`));
      expect(data.path, f).toBe(`/${dir}`);
      expect(read(`${dir}data.csv`).split("\r\n")[0]).toMatch(/^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)+$/);
    }
    // the category download lists every failure, and has the examples the page shows in full
    const cat = JSON.parse(read("releases/r2/categories/reasoning/data.json"));
    expect(cat.failures).toHaveLength(cat.examples_total);
    expect(cat.examples).toHaveLength(cat.examples_shown);
    for (const f of cat.failures.filter((x: { example: string | null }) => x.example))
      expect(f.example).toMatch(/^\/releases\/r2\/categories\/[a-z0-9-]+\/#ex-[0-9a-f]{16}$/);
  });

  it("moves the downloads a worker wrote alongside the pages into place, leaving no staging folder", () => {
    // The build runs on Node with type stripping, so the worker path is the one taken here.
    expect(process.features.typescript).toBeTruthy();
    expect(existsSync(join(tmp, ".dist-downloads"))).toBe(false);
    expect(readFileSync(join(out, "data.json"), "utf8")).toMatch(/^\{"/);
    // Only the worker path says so (src/integrations/downloads.ts), with every download it staged
    // plus the release files copied after: exactly the files of those kinds in the output.
    const said = /(\d+) download files \(written alongside the pages by a worker\)/.exec(buildLog);
    expect(said, buildLog.slice(-2000)).not.toBeNull();
    const written = listFiles(out).filter(
      (f) =>
        /(^|\/)data\.(json|csv)$/.test(f) ||
        /^releases\/[^/]+\/files\/[^/]+$/.test(f) ||
        /\/failures\/\d+\.json$/.test(f) ||
        /\/items\/.*\.txt$/.test(f),
    );
    expect(Number(said![1])).toBe(written.length);
  });

  it("writes well-formed head metadata on data pages", () => {
    const html = read("releases/r2/categories/arithmetic-slip/index.html");
    expect(html).toContain(`<link rel="canonical" href="${SITE}${BASE}releases/r2/categories/arithmetic-slip/">`);
    expect(html).toMatch(/<meta name="citation_title" content="Arithmetic slip">/);
    expect(html).toMatch(
      /<meta property="og:url" content="https:\/\/atlas\.example\/atlas\/releases\/r2\/categories\/arithmetic-slip\/">/,
    );
    const ld = html.match(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/)![1];
    const data = JSON.parse(ld);
    expect(data["@type"]).toBe("Dataset");
    expect(data.version).toBe("r2");
    for (const d of data.distribution)
      expect(resolveFile(out, BASE, new URL(d.contentUrl).pathname), d.contentUrl).not.toBeNull();
    expect(html).toContain("Cite this page");
    expect(html).toContain("@misc{erroratlas_r2_arithmetic_slip");
  });

  it("has exactly one h1 and the landmarks on every page", () => {
    for (const f of htmlFiles()) {
      const html = read(f);
      expect(html.match(/<h1[\s>]/g)?.length ?? 0, f).toBe(1);
      expect(html, f).toMatch(/<main[\s>]/);
      expect(html, f).toMatch(/<html lang="en"/);
    }
  });

  it("marks latest aliases and points them to the release page", () => {
    const html = read("categories/arithmetic-slip/index.html");
    expect(html).toContain(`<link rel="canonical" href="${SITE}${BASE}releases/r2/categories/arithmetic-slip/">`);
    expect(html).toContain("This page follows the latest release");
    expect(html).not.toContain("data-pagefind-body"); // only the release page is indexed
  });

  it("redirects a renamed category's old slug, in the renaming release and in the aliases", () => {
    for (const [f, to] of [
      ["releases/r2/categories/misread-question/index.html", `${BASE}releases/r2/categories/question-misreading/`],
      ["categories/misread-question/index.html", `${BASE}categories/question-misreading/`],
    ]) {
      const html = read(f);
      expect(html).toContain(`<meta http-equiv="refresh" content="0; url=${to}">`);
      expect(html).toMatch(/<link rel="canonical" href="https:\/\/atlas\.example\/atlas\/[^"]*question-misreading\/">/);
    }
    // a category r2 retired answers under the latest aliases with its last page
    expect(read("categories/rambling-answer/index.html")).toContain(
      `url=${BASE}releases/r1/categories/rambling-answer/`,
    );
    // r1 still has its own page under the old slug
    expect(read("releases/r1/categories/misread-question/index.html")).toContain("<h1>Misread the question</h1>");
  });

  it("shows untrusted text escaped, and runs no script but the site's own", () => {
    const html = read(
      "releases/r1/categories/" +
        JSON.parse(read("releases/r1/data.json"))
          .taxonomy.tree.flatMap((n: { children: { slug: string }[] }) => n.children)
          .map((c: { slug: string }) => c.slug)
          .find((s: string) => read(`releases/r1/categories/${s}/data.json`).includes("__xss"))! +
        "/index.html",
    );
    expect(html).toContain("&lt;script&gt;window.__xss=1&lt;/script&gt;");
    expect(html).not.toContain("<script>window.__xss");
    expect(html).not.toContain("<img src=x");
    for (const f of htmlFiles()) {
      const scripts = [...read(f).matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
      for (const s of scripts)
        expect(s, f).toMatch(/type="application\/ld\+json"|src="\/atlas\/(site|search|failure-list)\.js"/);
    }
  });

  it("keeps client JavaScript small (Pagefind aside)", () => {
    const size = (f: string) => readFileSync(join(out, f)).length;
    expect(size("site.js") + size("search.js") + size("failure-list.js")).toBeLessThan(50_000);
  });

  it("writes the release index and the Atom feed", () => {
    const ix = ReleasesIndexSchema.parse(JSON.parse(read("releases/index.json")));
    expect(ix.latest).toBe("r2");
    expect(ix.releases.map((r) => r.id)).toEqual(["r2", "r1"]);
    const atom = read("releases.atom");
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(atom.match(/<entry>/g)).toHaveLength(2);
  });

  it("indexes data pages for Pagefind with kind and release filters", () => {
    const html = read("releases/r2/models/beta-70b/index.html");
    expect(html).toContain('<span data-pagefind-filter="kind">model</span>');
    expect(html).toContain('<span data-pagefind-filter="release">r2</span>');
    expect(html).toContain('<span data-pagefind-filter="family">Beta</span>');
    expect(existsSync(join(out, "pagefind/pagefind-entry.json"))).toBe(true);
    const count = (dir: string) =>
      Object.values(
        JSON.parse(read(`${dir}pagefind-entry.json`)).languages as Record<string, { page_count: number }>,
      ).reduce((s, l) => s + l.page_count, 0);
    // categories + models + datasets of both releases in the main bundle, and the failures of the
    // latest (r2) only, in bundles of their own (scripts/site/search-index.ts); not aliases, item
    // views, home or about
    const bundles: string[] = JSON.parse(read("pagefind/bundles.json")).failures;
    expect(bundles).toEqual(["pagefind-failures-1/"]);
    expect(count("pagefind/")).toBe(9 + 2 + 2 + (10 + 3 + 2));
    const pages = count("pagefind/") + bundles.reduce((s, b) => s + count(b), 0);
    const failures = readFileSync(join(root, "releases", "r2", "analyses.jsonl"), "utf8")
      .trim()
      .split("\n").length;
    expect(pages).toBe(9 + 2 + 2 + (10 + 3 + 2) + failures);
  });

  it("keeps every page within its budget (HTML at most 300 KB)", () => {
    const over = htmlFiles().filter((f) => readFileSync(join(out, f)).length > 300_000);
    expect(over).toEqual([]);
  });

  it("gives the 404 page and the about page the site frame", () => {
    expect(read("404.html")).toContain("Page not found");
    const about = read("about/index.html");
    expect(about).toContain("<h1");
    expect(about).toContain("How to cite");
  });
});

describe("disputed items, reviews and measured precision", () => {
  const text = (html: string) => decode(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ");

  it("lists a dataset's items to review and its reviewed items, escaped", () => {
    const quiz = read("releases/r2/datasets/quizbank/index.html");
    const data = JSON.parse(read("releases/r2/datasets/quizbank/data.json"));
    expect(quiz).toContain(">Items to review</h2>");
    expect(quiz).toContain(">Reviewed items</h3>");
    expect(quiz).not.toContain("Suspect items");
    const t = text(quiz);
    expect(t).toContain("Reference wrong");
    expect(t).toContain("Reference right");
    expect(t).toContain(`${REVIEWER}, ${REVIEW_DATE}`);
    const moved = data.items_review.reference_errors.failures;
    expect(moved).toBeGreaterThan(0);
    expect(t).toContain(`${moved} failures on 1 item reviewed as a reference error`);
    // a reviewer's note is data: shown as text, never markup
    expect(t).toContain(REVIEW_NOTE_XSS);
    expect(quiz).not.toContain("<b onmouseover");
    // data.json carries every item with its review
    expect(data.suspect_items.map((s: { review: { verdict: string } | null }) => s.review?.verdict).sort()).toEqual([
      "reference-right",
      "reference-wrong",
    ]);
    const sum = read("releases/r2/datasets/sumworld/index.html");
    const item = JSON.parse(read("releases/r2/datasets/sumworld/data.json")).suspect_items[0];
    expect(item.review).toBeNull();
    expect(text(sum)).toContain("Failures on these items stay model failures");
    expect(text(sum)).toContain(
      `${item.instance_id} ${item.reference} ${item.consensus} ${item.agreeing.length} of ${item.models}:`,
    );
    expect(sum).toContain(`href="${BASE}about/#disputed-references-and-reviews"`);
  });

  it("keeps the old wording on the pages of a release made before reviews", () => {
    const old = read("releases/r1/datasets/quizbank/index.html");
    expect(old).toContain(">Suspect items</h2>");
    expect(old).toContain("Failures on them count as noise.");
    expect(old).not.toContain("Items to review");
    expect(read("releases/r1/categories/arithmetic-slip/index.html")).not.toContain("Checked by hand");
    expect(read("releases/r1/index.html")).not.toContain("Checked by hand");
    // its category downloads still carry a review object, all zeros
    expect(JSON.parse(read("releases/r1/categories/arithmetic-slip/data.json")).review).toEqual({
      n: 0,
      agree: 0,
      disagree: 0,
      unsure: 0,
      precision: null,
      ci_low: null,
      ci_high: null,
    });
  });

  it("shows each category's measured precision, flags one below 80%, and says when none was checked", () => {
    const arith = text(read("releases/r2/categories/arithmetic-slip/index.html"));
    expect(arith).toMatch(/Checked by hand: 5 failures, precision 40\.0% \(95% interval \d+\.\d–\d+\.\d%\)/);
    expect(arith).toContain("Flagged: measured precision below 80%.");
    const misread = text(read("releases/r2/categories/question-misreading/index.html"));
    expect(misread).toContain("Checked by hand: 4 failures, precision 100.0%");
    expect(misread).not.toContain("Flagged");
    expect(text(read("releases/r2/categories/refusal/index.html"))).toContain("Not yet checked by hand");
    const data = JSON.parse(read("releases/r2/categories/arithmetic-slip/data.json"));
    expect(data.review).toMatchObject({ n: 5, agree: 2, disagree: 3, unsure: 0, precision: 0.4 });
    expect(data.review.ci_low).toBeLessThan(0.4);
    expect(data.review.ci_high).toBeGreaterThan(0.4);
  });

  it("marks failures on disputed items, and shows the review on failures moved to Reference error", () => {
    const marked = listFiles(join(out, "releases/r2/categories")).filter(
      (f) => f.endsWith("index.html") && read(`releases/r2/categories/${f}`).includes("Disputed reference."),
    );
    expect(marked.length).toBeGreaterThan(0);
    const ref = text(read("releases/r2/categories/reference-error-reviewed/index.html"));
    expect(ref).toContain(`Reference reviewed. ${REVIEWER} found this item's reference wrong on ${REVIEW_DATE}`);
    expect(ref).toContain("Judge's category Question misreading");
    expect(ref).toContain(
      "Placed by people: every failure here is on an item whose reference a person reviewed and found wrong",
    );
    expect(ref).not.toContain("Not yet checked by hand");
    const rows = JSON.parse(read("releases/r2/categories/reference-error-reviewed/data.json")).failures;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((f: { judged_category?: string }) => f.judged_category === "c-misread")).toBe(true);
  });

  it("gives the judge's overall precision and the items to review on the release page, with how to review", () => {
    const html = read("releases/r2/index.html");
    const t = text(html);
    expect(t).toMatch(/The judge, overall\. Checked by hand: 10 failures, precision 66\.7% \(95% interval/);
    expect(t).toContain("1 item to review, 2 items reviewed (1 found to have a wrong reference)");
    expect(html).toContain(`href="${BASE}about/#disputed-references-and-reviews"`);
    expect(JSON.parse(read("releases/r2/data.json")).reviews).toMatchObject({
      disputed_items: 1,
      reviewed_items: 2,
      overall: { n: 10 },
    });
    const about = read("about/index.html");
    expect(about).toContain('id="disputed-references-and-reviews"');
    expect(about).toContain("docs/validation/");
  });
});

describe("a build with no release yet", () => {
  it("succeeds with a home page that says so", () => {
    const t = mkdtempSync(join(tmpdir(), "site-empty-"));
    try {
      const o = join(t, "dist");
      buildSite({ data: join(t, "no-data"), out: o, cache: join(t, "cache"), pagefind: false });
      const home = readFileSync(join(o, "index.html"), "utf8");
      expect(home).toContain("No release yet");
      expect(JSON.parse(readFileSync(join(o, "releases/index.json"), "utf8"))).toEqual({ latest: null, releases: [] });
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });
});

describe("frozen releases", () => {
  it("changes no byte of r1's pages when r2 is added", () => {
    const t = mkdtempSync(join(tmpdir(), "site-r1-"));
    try {
      const o = join(t, "dist");
      buildSite({
        data: makeFixture(join(t, "data"), ["r1"]),
        out: o,
        cache: join(t, "cache"),
        base: BASE,
        site: SITE,
      });
      const before = listFiles(join(o, "releases/r1"));
      const after = listFiles(join(out, "releases/r1"));
      expect(before.length).toBeGreaterThan(30);
      expect(after).toEqual(before);
      const changed = before.filter(
        (f) => !readFileSync(join(o, "releases/r1", f)).equals(readFileSync(join(out, "releases/r1", f))),
      );
      expect(changed).toEqual([]);
      // while the site-wide pages did change
      expect(readFileSync(join(o, "releases/index.json"), "utf8")).not.toBe(read("releases/index.json"));
    } finally {
      rmSync(t, { recursive: true, force: true });
    }
  });
});

describe("in Chromium", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    server = await serve(out, BASE);
    profile = mkdtempSync(join(tmpdir(), "site-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM,
      args: [...CHROMIUM.args],
      viewport: { width: 1280, height: 900 },
    });
  });
  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const open = async (path: string, viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    (page as Page & { errors?: string[] }).errors = errors;
    await page.goto(`${server.url}${BASE}${path.replace(/^\//, "")}`, { waitUntil: "load" });
    return page;
  };

  it("search finds a category by name, and a filter narrows it", async () => {
    const page = await open("search/?q=arithmetic");
    await page.waitForSelector("#results li");
    const titles = await page.locator("#results li > a").allTextContents();
    expect(titles).toContain("Arithmetic slip");
    const all = titles.length;
    const kinds = await page.locator("#results .badge").allTextContents();
    expect(kinds.some((k) => k === "category")).toBe(true);
    await page.check('#filters input[name="release"][value="r1"]');
    await page.waitForFunction((n) => {
      const items = document.querySelectorAll("#results li");
      return items.length > 0 && items.length < n;
    }, all);
    const badges = await page.locator("#results .badge").allTextContents();
    expect(badges.filter((b) => b.startsWith("release ")).every((b) => b === "release r1")).toBe(true);
    expect(page.url()).toContain("release=r1");
    await page.check('#filters input[name="kind"][value="category"]');
    await page.waitForFunction(() =>
      [...document.querySelectorAll("#results .badge")].every((b) => b.textContent !== "model"),
    );
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  });

  it("the header search box leads to results", async () => {
    const page = await open("");
    await page.fill("#site-q", "refusal");
    await page.press("#site-q", "Enter");
    await page.waitForSelector("#results li");
    expect(await page.locator("#results li > a").allTextContents()).toContain("Refusal");
    await page.close();
  });

  it("an example anchor scrolls to its example", async () => {
    const data = JSON.parse(read("releases/r2/categories/reasoning/data.json"));
    const ex = data.examples[Math.min(data.examples_shown, data.examples.length) - 1];
    const page = await open(`releases/r2/categories/reasoning/#${ex.anchor}`);
    const box = await page.evaluate((id) => {
      const el = document.getElementById(id)!;
      const r = el.getBoundingClientRect();
      return { top: r.top, inner: window.innerHeight, scrollY: window.scrollY, target: el.matches(":target") };
    }, ex.anchor);
    expect(box.scrollY).toBeGreaterThan(0);
    expect(box.top).toBeGreaterThanOrEqual(-1);
    expect(box.top).toBeLessThan(box.inner / 2);
    expect(box.target).toBe(true);
    await page.close();
  });

  it("shows the XSS record as text and runs nothing from it", async () => {
    const cat = JSON.parse(read("releases/r2/data.json"))
      .taxonomy.tree.flatMap((n: { slug: string; children: { slug: string }[] }) => [n, ...n.children])
      .map((c: { slug: string }) => c.slug)
      .filter((s: string) => read(`releases/r2/categories/${s}/data.json`).includes("__xss"));
    expect(cat.length).toBeGreaterThan(0);
    for (const path of [`releases/r2/categories/${cat[0]}/`, `categories/${cat[0]}/`, "search/?q=xss"]) {
      const page = await open(path);
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      if (!path.startsWith("search")) {
        const text = await page.evaluate(() => document.body.textContent ?? "");
        expect(text).toContain(XSS_OUTPUT);
      }
      await page.close();
    }
  });

  it("shows a reviewer's note as text and runs nothing from it", async () => {
    const page = await open("releases/r2/datasets/quizbank/");
    await page.hover("text=bold").catch(() => undefined);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.evaluate(() => document.body.textContent ?? "")).toContain(REVIEW_NOTE_XSS);
    await page.close();
  });

  it("tells an old release's reader that a newer release exists", async () => {
    const old = await open("releases/r1/categories/arithmetic-slip/");
    await old.waitForSelector("#newer-release:not([hidden])");
    expect(await old.locator("#newer-release a").getAttribute("href")).toBe(`${BASE}releases/r2/`);
    await old.close();
    const current = await open("releases/r2/categories/arithmetic-slip/");
    await current.waitForTimeout(300);
    expect(await current.locator("#newer-release").isHidden()).toBe(true);
    await current.close();
  });

  it("the compare picker navigates to the chosen pair", async () => {
    const page = await open("releases/r2/compare/");
    await page.selectOption('select[name="a"]', "gamma-mini");
    await page.selectOption('select[name="b"]', "alpha-7b");
    await Promise.all([page.waitForURL(/compare\/alpha-7b--gamma-mini\/$/), page.click("#compare-picker button")]);
    expect(await page.locator("h1").textContent()).toBe("Alpha 7B vs Gamma Mini");
    await page.close();
  });

  it("starts keyboard navigation at the skip link", async () => {
    const page = await open("releases/r2/models/alpha-7b/");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.close();
  });

  const shots: [string, string][] = [
    ["home", ""],
    ["category", "releases/r2/categories/arithmetic-slip/"],
    ["model", "releases/r2/models/alpha-7b/"],
    ["dataset", "releases/r2/datasets/quizbank/"],
  ];
  for (const [name, path] of shots) {
    it(`renders the ${name} page at desktop and phone width without sideways scrolling`, async () => {
      for (const [size, viewport] of [
        ["desktop", { width: 1280, height: 900 }],
        ["phone", { width: 390, height: 844 }],
      ] as const) {
        const page = await open(path, viewport);
        // the top of the page (long pages are cut at 2,400 px so the shots stay viewable)
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.screenshot({
          path: join(ARTIFACTS, `${name}-${size}.png`),
          fullPage: true,
          clip: { x: 0, y: 0, width: viewport.width, height: Math.min(height, 2400) },
        });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} ${size}`).toBeLessThanOrEqual(1);
        expect((page as Page & { errors?: string[] }).errors).toEqual([]);
        await page.close();
      }
    });
  }

  it("renders in dark mode", async () => {
    const page = await open("releases/r2/categories/arithmetic-slip/");
    await page.emulateMedia({ colorScheme: "dark" });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(15, 18, 22)");
    await page.screenshot({ path: join(ARTIFACTS, "category-dark.png"), fullPage: false });
    await page.close();
  });
});
