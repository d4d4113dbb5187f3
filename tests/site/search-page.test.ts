// The search page on the demo site (the repo's data/, with Pagefind) in Chromium at phone width: it
// loads no search code until the reader starts to search and nothing on it moves while it loads
// (README "Performance": Lighthouse), failures are found by their item id with their title, where
// they are and an excerpt, and the kind filter offers "failure".
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, REPO, buildSite, serve } from "./helpers/build.ts";

describe("search page (demo site, Chromium at 390 px)", () => {
  let tmp: string;
  let out: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "site-search-"));
    out = join(tmp, "dist");
    buildSite({ data: join(REPO, "data"), out, cache: join(tmp, "cache") });
    server = await serve(out, "/");
    browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens a page, recording the URLs it requests and the layout shifts no input caused. */
  const open = async (path: string) => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.addInitScript(() => {
      const w = window as unknown as { __shift: number };
      w.__shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
          if (!e.hadRecentInput) w.__shift += e.value;
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto(`${server.url}/${path}`, { waitUntil: "load" });
    return {
      page,
      requests,
      errors,
      shift: () => page.evaluate(() => (window as unknown as { __shift: number }).__shift),
    };
  };
  const pagefindRequests = (rs: string[]) => rs.filter((u) => u.includes("/pagefind/"));

  /** A failure page of the demo's newest release, and its item's instance id (as the page gives it). */
  const aFailure = () => {
    const items = join(out, "releases/demo-3/datasets/demo_arith/items");
    const item = readdirSync(items).sort()[0];
    const model = readdirSync(join(items, item), { withFileTypes: true }).find((e) => e.isDirectory())!.name;
    const html = readFileSync(join(items, item, model, "index.html"), "utf8");
    const id = html.match(/data-pagefind-meta="item"[^>]*>([^<]+)</)![1];
    return { id, path: `/releases/demo-3/datasets/demo_arith/items/${item}/${model}/` };
  };

  it("loads Pagefind only when the reader heads for the search box, and nothing moves meanwhile", async () => {
    const { page, requests, errors, shift } = await open("search/");
    await page.waitForTimeout(500);
    expect(pagefindRequests(requests)).toEqual([]);
    expect(await page.locator("#search-status").textContent()).toMatch(/item id/);
    expect(await shift()).toBe(0);
    const loading = page.waitForRequest((r) => r.url().endsWith("/pagefind/pagefind.js"));
    await page.focus("#q");
    await loading;
    expect(errors).toEqual([]);
    await page.close();
  });

  it("finds a failure by its item id, with its title, where it is and an excerpt", async () => {
    const f = aFailure();
    const { page, errors } = await open(`search/?q=${encodeURIComponent(f.id)}`);
    const hit = page.locator(`#results li:has(a[href="${f.path}"])`);
    await hit.waitFor();
    expect((await hit.locator("a").textContent())?.trim().length).toBeGreaterThan(0);
    expect(await hit.locator(".badge").allTextContents()).toEqual(["failure", "release demo-3"]);
    expect(await hit.locator(".meta").textContent()).toContain(`item ${f.id}`);
    expect((await hit.locator("p").textContent())?.trim().length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("offers failures in the kind filter, and the filter keeps only them", async () => {
    const { page, errors } = await open("search/?q=answer");
    await page.waitForSelector("#results li");
    // on a phone the filters start folded
    expect(await page.locator("#filter-panel").getAttribute("open")).toBeNull();
    await page.click("#filter-panel > summary");
    const failure = page.locator('#filters input[name="kind"][value="failure"]');
    await failure.check();
    await page.waitForFunction(() => {
      const kinds = [...document.querySelectorAll("#results .badge")]
        .map((b) => b.textContent ?? "")
        .filter((t) => !t.startsWith("release "));
      return kinds.length > 0 && kinds.every((k) => k === "failure");
    });
    expect(page.url()).toContain("kind=failure");
    expect(errors).toEqual([]);
    await page.close();
  });
});
