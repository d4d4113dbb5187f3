// The site on the real data (the real-data layer, README "Tests"): a heuristic release of all of
// ../shared/evaldata builds one page per category, model and dataset, a page per failure and item,
// failure lists in chunks within budget, with no broken internal link, every page's downloads, and a
// search that finds a category. One build serves every check.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Page } from "playwright-core";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { rng } from "../../scripts/lib/prng.ts";
import { AggregatesSchema, TaxonomySchema, type EvalRecord } from "../../src/lib/schemas.ts";
import { loadSiteFromDisk } from "../../src/lib/site/fsdata.ts";
import {
  CHUNK_BYTES,
  chunkJson,
  chunkRow,
  failureList,
  listChunks,
  PAGE_SIZE,
  releaseLists,
} from "../../src/lib/site/lists.ts";
import type { Site } from "../../src/lib/site/model.ts";
import { LIST_CUT_CHARS, headOf } from "../../src/lib/site/text.ts";
import { categoryPage } from "../../src/lib/site/views/category.ts";
import { itemSegment, paths } from "../../src/lib/site/urls.ts";
import { HELM_DIR, JSONL_DIR } from "../helpers/evaldata.ts";
import { CHROMIUM, REPO, buildSite, listFiles, resolveFile, serve } from "./helpers/build.ts";
import { decode, norm, firstWords } from "./helpers/html.ts";

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

// The shared layer: the site on generated releases is tests/site/build.test.ts (its fixture is made
// by the demo generator, tests/fixtures/site/make-fixture.ts).
describe("site on a heuristic release of all the shared data", () => {
  let tmp: string;
  let out: string;
  let root: string;
  let loaded: Site | undefined;
  /** The site model of the same data root (loaded on first use). */
  const site = () => (loaded ??= loadSiteFromDisk(root));
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "site-real-"));
    root = join(tmp, "data");
    cpSync(join(REPO, "data/registry"), join(root, "registry"), { recursive: true });
    const jsonl = readdirSync(JSONL_DIR)
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => join(JSONL_DIR, f));
    await importSnapshot({ root, snapshot: "all", paths: [...jsonl, HELM_DIR] });
    await runPipeline({ root, snapshot: "all", release: "r1" });
    out = join(tmp, "dist");
    const { ms } = buildSite({ data: root, out, cache: join(tmp, "cache") });
    console.log(`real-data build (astro + pagefind): ${ms} ms, ${listFiles(out).length} files`);
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("has one page, with its downloads, per category, model and dataset", () => {
    const rel = join(tmp, "data/releases/r1");
    const taxonomy = TaxonomySchema.parse(JSON.parse(readFileSync(join(rel, "taxonomy.json"), "utf8")));
    const agg = AggregatesSchema.parse(JSON.parse(readFileSync(join(rel, "aggregates.json"), "utf8")));
    const files = new Set(listFiles(out));
    const pages = [
      ...taxonomy.categories.map((c) => `releases/r1/categories/${c.slug}/`),
      ...Object.keys(agg.models).map((m) => `releases/r1/models/${m}/`),
      ...Object.keys(agg.datasets).map((d) => `releases/r1/datasets/${d}/`),
    ];
    expect(Object.keys(agg.models)).toHaveLength(40);
    expect(Object.keys(agg.datasets)).toHaveLength(6);
    for (const p of pages)
      for (const f of ["index.html", "data.json", "data.csv"]) expect(files.has(p + f), p + f).toBe(true);
    // Downloads parse.
    const json = JSON.parse(readFileSync(join(out, "releases/r1/datasets/gsm8k/data.json"), "utf8"));
    expect(json).toBeTypeOf("object");
    expect(readFileSync(join(out, "releases/r1/datasets/gsm8k/data.csv"), "utf8").split("\n")[0]).toContain(",");
  });

  it("serves the release's files byte for byte, matching the hashes release.json records", () => {
    const release = JSON.parse(readFileSync(join(tmp, "data/releases/r1/release.json"), "utf8"));
    expect(readFileSync(join(out, "releases/r1/files/release.json"))).toEqual(
      readFileSync(join(tmp, "data/releases/r1/release.json")),
    );
    expect(Object.keys(release.files).sort()).toEqual([
      "aggregates.json",
      "analyses.jsonl",
      "registry.json",
      "reviews.json",
      "taxonomy.json",
    ]);
    for (const [f, hash] of Object.entries(release.files)) {
      expect(
        createHash("sha256")
          .update(readFileSync(join(out, "releases/r1/files", f)))
          .digest("hex"),
        f,
      ).toBe(hash);
    }
    expect(readFileSync(join(out, "releases/r1/index.html"), "utf8")).toContain(
      'href="/releases/r1/files/analyses.jsonl"',
    );
  });

  it("lists disputed items to review, counts none of their failures as noise, and keeps pages within 300 KB", () => {
    const agg = AggregatesSchema.parse(JSON.parse(readFileSync(join(tmp, "data/releases/r1/aggregates.json"), "utf8")));
    const gsm = agg.datasets.gsm8k!.suspect_items;
    expect(gsm.length).toBeGreaterThan(0);
    const json = JSON.parse(readFileSync(join(out, "releases/r1/datasets/gsm8k/data.json"), "utf8"));
    expect(json.items_review.to_review).toBe(gsm.filter((s) => s.review === null).length);
    const html = decode(readFileSync(join(out, "releases/r1/datasets/gsm8k/index.html"), "utf8"));
    expect(html).toContain(">Items to review</h2>");
    for (const s of gsm) expect(html).toContain(s.instance_id);
    // with no review, nothing on a disputed item is noise
    for (const d of Object.keys(agg.datasets)) {
      const data = JSON.parse(readFileSync(join(out, `releases/r1/datasets/${d}/data.json`), "utf8"));
      const disputed = new Set(data.suspect_items.map((s: { instance_id: string }) => s.instance_id));
      expect(
        data.noise_failures.filter((f: { instance_id: string }) => disputed.has(f.instance_id)),
        d,
      ).toEqual([]);
    }
    expect(readFileSync(join(out, "releases/r1/index.html"), "utf8")).toContain("Not yet checked by hand");
    const over = listFiles(out).filter((f) => f.endsWith(".html") && readFileSync(join(out, f)).length > 300_000);
    expect(over).toEqual([]);
  });

  it("has no broken internal link on any page", () => {
    const broken: string[] = [];
    for (const f of listFiles(out).filter((x) => x.endsWith(".html") && !x.startsWith("pagefind/"))) {
      const html = readFileSync(join(out, f), "utf8");
      for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        const link = decode(m[1]);
        if (/^(https?:|mailto:|#|data:)/.test(link)) continue;
        const path = new URL(link, `http://x/${f}`).pathname;
        if (!resolveFile(out, "/", path)) broken.push(`${f} → ${link}`);
      }
    }
    expect(broken.slice(0, 20)).toEqual([]);
  });

  it("finds a category by name through Pagefind in Chromium", async () => {
    const server = await serve(out, "/");
    const profile = mkdtempSync(join(tmpdir(), "chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM,
      args: [...CHROMIUM.args],
    });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/search/?q=truncated`);
      await page.waitForSelector("#results li", { timeout: 20_000 });
      const titles = await page.locator("#results li > a").allTextContents();
      expect(titles.some((t) => /truncat/i.test(t))).toBe(true);
    } finally {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it("opens 20 sampled failures from the categories' data.json, then their item views, and finds every output", async () => {
    const server = await serve(out, "/");
    const profile = mkdtempSync(join(tmpdir(), "site-failures-real-chromium-"));
    const context = await chromium.launchPersistentContext(profile, { ...CHROMIUM, args: [...CHROMIUM.args] });
    try {
      const rows: { url: string; key: string; dataset: string; instance_id: string; model: string }[] = [];
      const dir = join(out, "releases/r1/categories");
      for (const slug of readdirSync(dir).sort()) {
        const data = JSON.parse(readFileSync(join(dir, slug, "data.json"), "utf8"));
        // leaves only, so each failure is drawn once
        if (data.children?.length) continue;
        rows.push(...data.failures);
      }
      expect(rows.length).toBeGreaterThan(1000);
      const recordsOf = new Map<string, EvalRecord[]>();
      const manifest = JSON.parse(readFileSync(join(root, "snapshots/all/manifest.json"), "utf8"));
      const itemRecords = (dataset: string, instance: string) => {
        if (!recordsOf.has(dataset))
          recordsOf.set(dataset, readJsonl<EvalRecord>(join(root, "snapshots/all", manifest.datasets[dataset].file)));
        return recordsOf.get(dataset)!.filter((r) => r.instance_id === instance);
      };
      const draw = rng(16);
      const sample = Array.from({ length: 20 }, () => rows.splice(Math.floor(draw() * rows.length), 1)[0]!);
      const text = async (page: Page) => norm(await page.evaluate(() => document.body.textContent ?? ""));
      for (const row of sample) {
        const page = await context.newPage();
        const res = await page.goto(`${server.url}${row.url}`, { waitUntil: "load" });
        expect(res?.status(), row.url).toBe(200);
        const recs = itemRecords(row.dataset, row.instance_id);
        const own = recs.find((r) => r.model === row.model)!;
        const first = firstWords(headOf(own.output, LIST_CUT_CHARS));
        expect(await text(page), row.url).toContain(first || "(empty");
        // on to the item view, through the page's own link
        await Promise.all([page.waitForURL(/\/items\/[^/]+\/$/), page.click("text=All models on this item")]);
        expect(new URL(page.url()).pathname).toBe(paths.item("r1", row.dataset, row.instance_id));
        expect(page.url()).toContain(itemSegment(row.instance_id));
        const t = await text(page);
        for (const r of recs)
          expect(t, `${row.url}: ${r.model}`).toContain(firstWords(headOf(r.output, 500)) || "(empty");
        await page.close();
      }
    } finally {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it("holds every failure of each list in chunks within 300 KB, the category lists in data.json's order", () => {
    const rel = site().latest!;
    let files = 0;
    let bytes = 0;
    let biggest = 0;
    const totals = { category: 0, model: 0, dataset: 0 };
    for (const [kind, id] of releaseLists(rel)) {
      const chunks = listChunks(rel, kind, id);
      const keys: string[] = [];
      for (const c of chunks) {
        const size = Buffer.byteLength(chunkJson(c));
        expect(size).toBeLessThanOrEqual(CHUNK_BYTES);
        biggest = Math.max(biggest, size);
        files++;
        bytes += size;
        keys.push(...c.rows.map((r) => chunkRow(c, r).key));
      }
      const view = failureList(rel, kind, id)!;
      expect(keys.length).toBe(view.total);
      expect(keys.slice(0, PAGE_SIZE)).toEqual(view.rows.map((r) => r.key));
      if (kind === "category") {
        const page = categoryPage(rel, rel.byId.get(id)!.slug)!;
        expect(keys).toEqual(page.failures.map((f) => f.key));
        if (!rel.byId.get(id)!.parent) totals.category += keys.length;
      } else totals[kind] += keys.length;
    }
    // Every failure is in one top-level category, one model's and one dataset's list.
    expect(totals.model).toBe(rel.analyses.length);
    expect(totals.dataset).toBe(rel.analyses.length);
    expect(totals.category).toBe(rel.analyses.length);
    console.log(`real data: ${rel.analyses.length} failures, ${files} chunk files, ${bytes} bytes, largest ${biggest}`);
  });

  it("pages the largest category: more than 5,000 failures, many chunks", () => {
    const rel = site().latest!;
    const unexplained = failureList(rel, "category", "unexplained")!;
    expect(unexplained.total).toBeGreaterThan(5000);
    expect(listChunks(rel, "category", "unexplained").length).toBeGreaterThan(4);
    expect(unexplained.facets.find((f) => f.dim === "model")!.options.length).toBeGreaterThan(20);
  });
});
