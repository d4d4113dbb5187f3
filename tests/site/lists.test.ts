// Failure lists (src/lib/site/lists.ts, FailureList.astro, public/failure-list.js): every category,
// model and dataset page lists all its failures. Built once from the repo's demo data under a base
// path: the first page is HTML that works without JavaScript, the chunk files beside the page hold
// the whole list within the file budget, and in Chromium the script pages and filters it and runs
// nothing from the data. The list model on a heuristic release of all of the shared real data:
// tests/site/real-data.real.test.ts.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSiteFromDisk } from "../../src/lib/site/fsdata.ts";
import {
  CHUNK_BYTES,
  chunkJson,
  chunkRow,
  failureList,
  listChunks,
  PAGE_SIZE,
  releaseLists,
  type ListChunk,
} from "../../src/lib/site/lists.ts";
import type { Site } from "../../src/lib/site/model.ts";
import { exampleOrder } from "../../src/lib/site/shown.ts";
import type { Analysis } from "../../src/lib/schemas.ts";
import { CHROMIUM, REPO, buildSite, listFiles, resolveFile, serve } from "./helpers/build.ts";
import { decode } from "./helpers/html.ts";

const BASE = "/errors/";
/** The demo's probe: an output holding <script> and <img onerror> (scripts/demo/instruct.ts). */
const PROBE = { dataset: "demo_instruct", model: "cirrus-mini", instance: "demo_instruct/i32" };
const PROBE_KEY = `${PROBE.dataset}|${PROBE.model}|${PROBE.instance}`;

let tmp: string;
let data: string;
let out: string;
let site: Site;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "site-lists-"));
  data = join(tmp, "data");
  cpSync(join(REPO, "data"), data, { recursive: true });
  out = join(tmp, "dist");
  const { ms } = buildSite({ data, out, cache: join(tmp, "cache"), base: BASE, pagefind: false });
  console.log(`demo build (astro): ${ms} ms`);
  site = loadSiteFromDisk(data);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const read = (rel: string) => readFileSync(join(out, rel), "utf8");

interface Row {
  key: string;
  model: string;
  dataset: string;
  instance_id: string;
  category: string;
  url: string;
}

/** The list section of a page's HTML: its totals, status line, chunk folder and row links. */
function listSection(html: string) {
  const m = /<section class="failure-list"([^>]*)>([\s\S]*?)<\/section>/.exec(html);
  if (!m) return null;
  const attr = (name: string) => decode(new RegExp(`${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? "");
  const rows = /<ol class="fl-rows">([\s\S]*?)<\/ol>/.exec(m[2]!)?.[1] ?? "";
  return {
    total: Number(attr("data-total")),
    src: attr("data-src"),
    status: /data-status[^>]*>([^<]*)</.exec(m[2]!)?.[1] ?? "",
    hrefs: [...rows.matchAll(/<li><a href="([^"]*)"/g)].map((x) => decode(x[1]!)),
    body: m[2]!,
  };
}

/** A list's chunk files as the build wrote them (site path of the page, no base). */
function chunksOf(page: string): ListChunk[] {
  const dir = join(out, page, "failures");
  const first: ListChunk = JSON.parse(readFileSync(join(dir, "1.json"), "utf8"));
  expect(readdirSync(dir).sort()).toEqual(Array.from({ length: first.parts }, (_, i) => `${i + 1}.json`).sort());
  return Array.from({ length: first.parts }, (_, i) => JSON.parse(readFileSync(join(dir, `${i + 1}.json`), "utf8")));
}

/** Every release's failures as data.json rows: the union of its leaf categories' `failures`. */
function releaseRows(release: string): Row[] {
  const rel = site.releases.find((r) => r.id === release)!;
  const parents = new Set(rel.categories.map((c) => c.parent).filter(Boolean));
  return rel.categories
    .filter((c) => !parents.has(c.id))
    .flatMap((c) => JSON.parse(read(`releases/${release}/categories/${c.slug}/data.json`)).failures as Row[])
    .filter((r) => rel.byId.has(r.category) && !parents.has(r.category));
}

/** Each list page of the build with the rows it should hold, in order (from the data.json files). */
function expectedLists(): { page: string; kind: string; rows: Row[] }[] {
  const out: { page: string; kind: string; rows: Row[] }[] = [];
  for (const rel of site.releases) {
    for (const c of rel.categories) {
      const page = `releases/${rel.id}/categories/${c.slug}/`;
      out.push({ page, kind: "category", rows: JSON.parse(read(`${page}data.json`)).failures });
    }
    const all = releaseRows(rel.id);
    const ordered = (rows: Row[]) => exampleOrder(rows as unknown as Analysis[]) as unknown as Row[];
    for (const m of rel.modelIds)
      out.push({
        page: `releases/${rel.id}/models/${m}/`,
        kind: "model",
        rows: ordered(all.filter((r) => r.model === m)),
      });
    for (const d of rel.datasetIds)
      out.push({
        page: `releases/${rel.id}/datasets/${d}/`,
        kind: "dataset",
        rows: ordered(all.filter((r) => r.dataset === d)),
      });
  }
  return out;
}

describe("failure lists on the demo build, without JavaScript", () => {
  it("shows the first page of every category, model and dataset list, linking to each failure's page", () => {
    const lists = expectedLists();
    expect(lists.length).toBeGreaterThan(60);
    let linked = 0;
    for (const { page, rows } of lists) {
      const s = listSection(read(`${page}index.html`));
      expect(s, page).not.toBeNull();
      expect(s!.total, page).toBe(rows.length);
      expect(s!.src, page).toBe(`${BASE}${page}failures/`);
      const first = rows.slice(0, PAGE_SIZE);
      expect(s!.hrefs, page).toEqual(first.map((r) => `${BASE}${r.url.slice(1)}`));
      if (rows.length)
        expect(s!.status, page).toBe(`Showing 1–${first.length} of ${rows.length.toLocaleString("en-US")}`);
      for (const href of s!.hrefs) {
        expect(resolveFile(out, BASE, href), href).not.toBeNull();
        linked++;
      }
    }
    expect(linked).toBeGreaterThan(1000);
  });

  it("counts what the model and dataset pages count", () => {
    const rel = site.latest!;
    for (const m of rel.modelIds) {
      const json = JSON.parse(read(`releases/${rel.id}/models/${m}/data.json`));
      const s = listSection(read(`releases/${rel.id}/models/${m}/index.html`))!;
      expect(s.total, m).toBe(json.totals.analysed + (rel.aggregates.models[m]!.judge_errors ?? 0));
    }
    for (const d of rel.datasetIds) {
      const json = JSON.parse(read(`releases/${rel.id}/datasets/${d}/data.json`));
      const s = listSection(read(`releases/${rel.id}/datasets/${d}/index.html`))!;
      expect(s.total, d).toBe(json.totals.analysed + (rel.aggregates.datasets[d]!.judge_errors ?? 0));
    }
  });

  it("offers filters with counts, and leaves out the page's own column and one-value filters", () => {
    const rel = site.latest!;
    const cat = read(`releases/${rel.id}/categories/unexplained-by-rules/index.html`);
    const s = listSection(cat)!;
    const rows: Row[] = JSON.parse(read(`releases/${rel.id}/categories/unexplained-by-rules/data.json`)).failures;
    expect(s.body).toContain('<select data-dim="model">');
    expect(s.body).toContain('<select data-dim="dataset">');
    expect(s.body).toContain('<select data-dim="category">');
    const probeModel = rows.filter((r) => r.model === PROBE.model).length;
    expect(s.body).toContain(`<option value="${PROBE.model}">Cirrus-Mini (${probeModel})</option>`);
    expect(s.body).toContain(`<option value="">All models (${rows.length})</option>`);
    // A leaf category: no category filter; a model page: no model filter or column.
    const leaf = listSection(read(`releases/${rel.id}/categories/no-rule-applies/index.html`))!;
    expect(leaf.body).not.toContain('data-dim="category"');
    const model = listSection(read(`releases/${rel.id}/models/${PROBE.model}/index.html`))!;
    expect(model.body).not.toContain('data-dim="model"');
    expect(model.body).not.toContain("<span>Cirrus-Mini</span>");
    // Controls wait for the script; without it the page says where the whole list is.
    expect(s.body).toMatch(/<div class="fl-filters" data-controls hidden>/);
    expect(s.body).toContain(`<noscript>`);
    expect(s.body).toContain(`href="${BASE}releases/${rel.id}/categories/unexplained-by-rules/failures/1.json"`);
  });

  it("gives the latest aliases the release page's list", () => {
    const rel = site.latest!;
    for (const [alias, page] of [
      ["categories/unexplained-by-rules/", `releases/${rel.id}/categories/unexplained-by-rules/`],
      [`models/${PROBE.model}/`, `releases/${rel.id}/models/${PROBE.model}/`],
      [`datasets/${PROBE.dataset}/`, `releases/${rel.id}/datasets/${PROBE.dataset}/`],
    ]) {
      const a = listSection(read(`${alias}index.html`))!;
      const b = listSection(read(`${page}index.html`))!;
      expect(a.src).toBe(`${BASE}${page}failures/`);
      expect(a.hrefs).toEqual(b.hrefs);
      expect(a.total).toBe(b.total);
    }
  });

  it("loads the list script only on pages with a list to page or filter, and keeps it small", () => {
    const js = readFileSync(join(out, "failure-list.js"));
    expect(js.length).toBeLessThan(10_000);
    const pages = listFiles(out).filter((f) => f.endsWith(".html"));
    const withScript = pages.filter((f) => read(f).includes(`src="${BASE}failure-list.js"`));
    expect(withScript).toContain(`releases/${site.latest!.id}/categories/unexplained-by-rules/index.html`);
    for (const f of withScript) expect(read(f), f).toContain('<section class="failure-list"');
    expect(withScript).not.toContain("index.html");
    expect(withScript).not.toContain("about/index.html");
  });
});

describe("failure list chunks", () => {
  it("hold every failure of the page, in the page's order, each file within 300 KB", () => {
    let files = 0;
    let bytes = 0;
    for (const { page, rows } of expectedLists()) {
      const chunks = chunksOf(page);
      let at = 0;
      const got: ReturnType<typeof chunkRow>[] = [];
      for (const [i, c] of chunks.entries()) {
        const size = readFileSync(join(out, page, "failures", `${i + 1}.json`)).length;
        expect(size, page).toBeLessThanOrEqual(CHUNK_BYTES);
        expect(c.part).toBe(i + 1);
        expect(c.first).toBe(at);
        expect(c.total).toBe(rows.length);
        expect(c.list).toBe(`/${page}`);
        at += c.rows.length;
        got.push(...c.rows.map((r) => chunkRow(c, r)));
        files++;
        bytes += size;
      }
      expect(
        got.map((r) => r.key),
        page,
      ).toEqual(rows.map((r) => r.key));
      expect(
        got.map((r) => [r.url, r.model, r.dataset, r.instance_id, r.category]),
        page,
      ).toEqual(rows.map((r) => [r.url, r.model, r.dataset, r.instance_id, r.category]));
    }
    console.log(`demo: ${files} chunk files, ${bytes} bytes`);
  });

  it("split by bytes as well as by rows, and are the same bytes on every build", () => {
    const rel = site.latest!;
    for (const [kind, id] of releaseLists(rel)) {
      const small = listChunks(rel, kind, id, { rows: 1000, bytes: 1500 });
      const all = listChunks(rel, kind, id);
      expect(small.flatMap((c) => c.rows.map((r) => chunkRow(c, r).key))).toEqual(
        all.flatMap((c) => c.rows.map((r) => chunkRow(c, r).key)),
      );
      for (const c of small) {
        expect(c.parts).toBe(small.length);
        // Over the limit only when a single row is bigger than it.
        if (c.rows.length > 1) expect(Buffer.byteLength(chunkJson(c)), `${kind} ${id}`).toBeLessThanOrEqual(1500);
      }
      const page = all[0]!.list.slice(1);
      for (const [i, c] of all.entries()) expect(chunkJson(c)).toBe(read(`${page}failures/${i + 1}.json`));
    }
    const unexplained = listChunks(rel, "category", "unexplained", { rows: 1000, bytes: 1500 });
    expect(unexplained.length).toBeGreaterThan(5);
  });

  it("return nothing for an id the release does not have", () => {
    expect(listChunks(site.latest!, "model", "no-such-model")).toEqual([]);
    expect(failureList(site.latest!, "dataset", "no-such-dataset")).toBeNull();
  });
});

describe("failure lists in Chromium", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let context: BrowserContext;
  let profile: string;
  const rel = () => site.latest!.id;
  const catPage = () => `releases/${rel()}/categories/unexplained-by-rules/`;
  const catRows = (): Row[] => JSON.parse(read(`${catPage()}data.json`)).failures;

  beforeAll(async () => {
    server = await serve(out, BASE);
    profile = mkdtempSync(join(tmpdir(), "lists-chromium-"));
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

  type Watched = Page & { errors: string[]; dialogs: string[]; chunks: string[] };
  const open = async (path: string, setup?: (p: Page) => Promise<unknown>): Promise<Watched> => {
    const page = (await context.newPage()) as Watched;
    page.errors = [];
    page.dialogs = [];
    page.chunks = [];
    page.on("pageerror", (e) => page.errors.push(String(e)));
    page.on("dialog", (d) => {
      page.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => {
      if (/\/failures\/\d+\.json$/.test(r.url())) page.chunks.push(new URL(r.url()).pathname);
    });
    if (setup) await setup(page);
    await page.goto(`${server.url}${BASE}${path}`, { waitUntil: "load" });
    return page;
  };
  const status = (p: Page) => p.locator(".failure-list [data-status]");
  const hrefs = (p: Page) =>
    p.locator(".failure-list .fl-rows li > a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const withBase = (rows: Row[]) => rows.map((r) => `${BASE}${r.url.slice(1)}`);
  // Generous: the machine's speed must not decide a test (the script answers in milliseconds).
  const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 50 });

  it("pages to the next rows and back", async () => {
    const rows = catRows();
    expect(rows.length).toBeGreaterThan(2 * PAGE_SIZE);
    const p = await open(catPage());
    await p.locator(".failure-list [data-next]").click();
    await poll(() => status(p).textContent()).toBe(`Showing 51–100 of ${rows.length}`);
    expect(await hrefs(p)).toEqual(withBase(rows.slice(50, 100)));
    expect(await p.locator(".failure-list .fl-rows").getAttribute("start")).toBe("51");
    expect(new URL(p.url()).searchParams.get("page")).toBe("2");
    await p.locator(".failure-list [data-next]").click();
    await poll(() => status(p).textContent()).toBe(`Showing 101–${rows.length} of ${rows.length}`);
    expect(await p.locator(".failure-list [data-next]").isDisabled()).toBe(true);
    await p.locator(".failure-list [data-prev]").click();
    await p.locator(".failure-list [data-prev]").click();
    await poll(() => status(p).textContent()).toBe(`Showing 1–50 of ${rows.length}`);
    expect(await hrefs(p)).toEqual(withBase(rows.slice(0, 50)));
    expect(p.chunks).toEqual([`${BASE}${catPage()}failures/1.json`]);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  it("filters by a model: only its rows, and how many", async () => {
    const rows = catRows().filter((r) => r.model === PROBE.model);
    const p = await open(catPage());
    await p.selectOption('.failure-list select[data-dim="model"]', PROBE.model);
    await poll(() => status(p).textContent()).toBe(
      `Showing 1–${Math.min(50, rows.length)} of ${rows.length} (filtered from ${catRows().length})`,
    );
    expect(await hrefs(p)).toEqual(withBase(rows.slice(0, 50)));
    const models = await p.locator(".failure-list .fl-meta > span:first-child").allTextContents();
    expect(new Set(models)).toEqual(new Set(["Cirrus-Mini"]));
    expect(new URL(p.url()).searchParams.get("model")).toBe(PROBE.model);
    // The filtered address opens filtered.
    const q = await open(`${catPage()}?model=${PROBE.model}&dataset=${PROBE.dataset}`);
    const both = rows.filter((r) => r.dataset === PROBE.dataset);
    await poll(() => hrefs(q)).toEqual(withBase(both.slice(0, 50)));
    expect(await q.locator('.failure-list select[data-dim="dataset"]').inputValue()).toBe(PROBE.dataset);
    expect([...p.errors, ...q.errors]).toEqual([]);
    await p.close();
    await q.close();
  });

  it("pages and filters across chunks, fetching only the chunks it needs to page", async () => {
    // Chunks of 20 rows instead of the build's one: page 2 spans chunks 3 to 5.
    const r = site.latest!;
    const small = listChunks(r, "category", "unexplained", { rows: 20, bytes: CHUNK_BYTES });
    expect(small.length).toBeGreaterThan(5);
    const rows = catRows();
    const p = await open(catPage(), (page) =>
      page.route("**/failures/*.json", (route) => {
        const n = Number(/(\d+)\.json$/.exec(route.request().url())![1]);
        return route.fulfill({ contentType: "application/json", body: chunkJson(small[n - 1]!) });
      }),
    );
    await p.locator(".failure-list [data-next]").click();
    await poll(() => status(p).textContent()).toBe(`Showing 51–100 of ${rows.length}`);
    expect(await hrefs(p)).toEqual(withBase(rows.slice(50, 100)));
    expect(p.chunks.map((c) => c.split("/").pop())).toEqual(["1.json", "2.json", "3.json", "4.json", "5.json"]);
    await p.selectOption('.failure-list select[data-dim="dataset"]', PROBE.dataset);
    const filtered = rows.filter((x) => x.dataset === PROBE.dataset);
    await poll(() => hrefs(p)).toEqual(withBase(filtered.slice(0, 50)));
    expect(new Set(p.chunks).size).toBe(small.length);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  it("works on the latest alias, from the release page's chunks", async () => {
    const rows = catRows();
    const p = await open("categories/unexplained-by-rules/");
    await p.locator(".failure-list [data-next]").click();
    await poll(() => status(p).textContent()).toBe(`Showing 51–100 of ${rows.length}`);
    expect(await hrefs(p)).toEqual(withBase(rows.slice(50, 100)));
    expect(p.chunks).toEqual([`${BASE}${catPage()}failures/1.json`]);
    await p.close();
  });

  it("lists the XSS probe as text, and its link leads to its page; nothing runs", async () => {
    const rows = catRows();
    const probe = rows.find((r) => r.key === PROBE_KEY)!;
    expect(probe).toBeDefined();
    const p = await open(catPage());
    await p.selectOption('.failure-list select[data-dim="model"]', PROBE.model);
    await p.selectOption('.failure-list select[data-dim="dataset"]', PROBE.dataset);
    const link = p.locator(".failure-list .fl-rows li", { hasText: PROBE.instance }).locator("a");
    await poll(() => link.count()).toBe(1);
    expect(await link.getAttribute("href")).toBe(`${BASE}${probe.url.slice(1)}`);
    await link.click();
    await p.waitForURL(`**${probe.url}`);
    expect(await p.evaluate(() => document.body.textContent ?? "")).toContain("<img src=x onerror=alert(2)>");
    await p.waitForTimeout(200);
    expect(p.dialogs).toEqual([]);
    expect(p.errors).toEqual([]);
    await p.close();
  });

  it("shows markup in the list's data as text and runs none of it", async () => {
    const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    const [chunk] = listChunks(site.latest!, "category", "unexplained");
    const tampered: ListChunk = {
      ...chunk!,
      titles: chunk!.titles.map((t) => `${t} ${evil}`),
      models: chunk!.models.map(([id, name]) => [id, `${name}${evil}`]),
      rows: chunk!.rows.map((r) => [...r.slice(0, 4), `${r[4]}${evil}`, ...r.slice(5)]),
    };
    const p = await open(catPage(), (page) =>
      page.route("**/failures/1.json", (route) =>
        route.fulfill({ contentType: "application/json", body: JSON.stringify(tampered) }),
      ),
    );
    await p.locator(".failure-list [data-next]").click();
    await poll(() => status(p).textContent()).toMatch(/^Showing 51–100/);
    const text = await p.locator(".failure-list .fl-rows").textContent();
    expect(text).toContain(evil);
    expect(await p.locator(".failure-list .fl-rows img, .failure-list .fl-rows script").count()).toBe(0);
    await p.waitForTimeout(200);
    expect(await p.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(p.dialogs).toEqual([]);
    await p.close();
  });
});
