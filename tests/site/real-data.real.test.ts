// The site on the real data: a heuristic release of all of ../shared/evaldata builds
// one page per category, model and dataset, with no broken internal link, every page's downloads,
// and a search that finds a category.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium } from "playwright-core";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { AggregatesSchema, TaxonomySchema } from "../../src/lib/schemas.ts";
import { HELM_DIR, JSONL_DIR, hasEvaldata } from "../helpers/evaldata.ts";
import { CHROMIUM, REPO, buildSite, listFiles, resolveFile, serve } from "./helpers/build.ts";

const decode = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");

// The shared layer: the site on generated releases is tests/site/build.test.ts (its fixture is made
// by the demo generator, tests/fixtures/site/make-fixture.ts).
describe.skipIf(!hasEvaldata)("site on a heuristic release of all the shared data", () => {
  let tmp: string;
  let out: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "site-real-"));
    const root = join(tmp, "data");
    cpSync(join(REPO, "data/registry"), join(root, "registry"), { recursive: true });
    const jsonl = ["alpaca_eval", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"].map((f) =>
      join(JSONL_DIR, `${f}.jsonl`),
    );
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
});
