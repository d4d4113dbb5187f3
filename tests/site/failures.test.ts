// Every analysed failure has its own page and every item with one its view (README "The site"), and
// long texts are cut at a stated length with a link to the whole text. Built once on the site
// fixture (tests/fixtures/site/make-fixture.ts), with two records changed first: the XSS probe's
// input also holds markup, and one failure's output is over 1 MB. On the shared real data, a
// browser opens 20 sampled failures and their item views: tests/site/real-data.real.test.ts.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stableJsonLine } from "../../src/lib/jsonio.ts";
import type { Analysis, EvalRecord } from "../../src/lib/schemas.ts";
import { CUT_CHARS, LIST_CUT_CHARS, headOf, itemOutputCut } from "../../src/lib/site/text.ts";
import { paths } from "../../src/lib/site/urls.ts";
import { XSS_OUTPUT, makeFixture } from "../fixtures/site/make-fixture.ts";
import { CHROMIUM, buildSite, listFiles, resolveFile, serve } from "./helpers/build.ts";
import { decode, norm, firstWords } from "./helpers/html.ts";

const BUDGET = 300_000;
const XSS_INPUT = `Question 2 <script>window.__xss=4</script><img src=x onerror="window.__xss=5"> Which is prime?`;
const XSS_KEY = "quizbank|alpha-7b|q02";

/** The page's visible words: tags removed, entities decoded, whitespace normalised. */
const words = (html: string) =>
  decode(html.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, " ").replace(/<[^>]+>/g, " "))
    .replace(/\s+/g, " ")
    .trim();
const fmt = (n: number) => n.toLocaleString("en-US");

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/** Rewrites a snapshot's dataset file, changing the records `edit` returns a new version of. */
function editRecords(root: string, snapshot: string, dataset: string, edit: (r: EvalRecord) => EvalRecord | null) {
  const path = join(root, "snapshots", snapshot, "records", `${dataset}.jsonl`);
  const out = readJsonl<EvalRecord>(path).map((r) => stableJsonLine(edit(r) ?? r));
  writeFileSync(path, out.join("\n") + "\n");
}

/**
 * A text over 1 MB with markup, non-ASCII letters and emoji, whose 20,000th UTF-16 unit is the first
 * half of a surrogate pair (a cut there must not split the pair).
 */
function longText(): string {
  const body = Array.from(
    { length: 24_000 },
    (_, i) => `Line ${i}: the sum grows — é ∑ <b>bold</b> & 🙂 ${i * 7}\n`,
  ).join("");
  let j = CUT_CHARS - 1;
  while (!(body.charCodeAt(j) >= 0xd800 && body.charCodeAt(j) <= 0xdbff)) j--;
  return "x".repeat(CUT_CHARS - 1 - j) + body;
}

describe("failure pages and item views on the fixture", () => {
  let tmp: string;
  let root: string;
  let out: string;
  let long: { key: string; text: string; slug: string; analysis: Analysis };
  /** A correct output longer than an item view shows, on an item with an analysed failure. */
  let correct: { record: EvalRecord; text: string };
  const read = (rel: string) => readFileSync(join(out, rel), "utf8");
  const pageOf = (path: string) => read(`${path.replace(/^\//, "")}index.html`);

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "site-failures-"));
    root = makeFixture(join(tmp, "data"));
    for (const s of ["s1", "s2"])
      editRecords(root, s, "quizbank", (r) => (r.instance_id === "q02" ? { ...r, input: XSS_INPUT } : null));
    // the long output: a failure of gamma-mini (only in r2) on sumworld
    const analyses = readJsonl<Analysis>(join(root, "releases/r2/analyses.jsonl"));
    const analysis = analyses.find((a) => a.dataset === "sumworld" && a.model === "gamma-mini")!;
    const text = longText();
    editRecords(root, "s2", "sumworld", (r) =>
      `${r.dataset}|${r.model}|${r.instance_id}` === analysis.key ? { ...r, output: text } : null,
    );
    const analysed = new Set(analyses.map((a) => `${a.dataset}|${a.instance_id}`));
    const right = readJsonl<EvalRecord>(join(root, "snapshots/s2/records/sumworld.jsonl")).find(
      (r) => r.correct === true && analysed.has(`${r.dataset}|${r.instance_id}`),
    )!;
    const rightText = `The answer is ${right.reference}. ${"Checked again, step by step. ".repeat(200)}`;
    editRecords(root, "s2", "sumworld", (r) =>
      r.model === right.model && r.instance_id === right.instance_id ? { ...r, output: rightText } : null,
    );
    correct = { record: right, text: rightText };
    const taxonomy = JSON.parse(readFileSync(join(root, "releases/r2/taxonomy.json"), "utf8"));
    const slug = taxonomy.categories.find((c: { id: string }) => c.id === analysis.category).slug;
    long = { key: analysis.key, text, slug, analysis };
    out = join(tmp, "dist");
    buildSite({ data: root, out, cache: join(tmp, "cache") });
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Every record of a snapshot dataset file. */
  const records = (snapshot: string, dataset: string) =>
    readJsonl<EvalRecord>(join(root, "snapshots", snapshot, "records", `${dataset}.jsonl`));
  const snapshotOf = (release: string) => (release === "r1" ? "s1" : "s2");

  it("cuts a text at a stated length without splitting a surrogate pair", () => {
    expect(headOf("abc", 5)).toBe("abc");
    expect(headOf("ab🙂cd", 3)).toBe("ab");
    expect(headOf("ab🙂cd", 4)).toBe("ab🙂");
    expect(itemOutputCut(3)).toBe(LIST_CUT_CHARS);
    expect(itemOutputCut(100) * 100).toBeLessThanOrEqual(150_000);
  });

  it("gives every failure row of every category's data.json a page, and every analysed failure one", () => {
    let checked = 0;
    for (const release of ["r1", "r2"]) {
      const analyses = readJsonl<Analysis>(join(root, `releases/${release}/analyses.jsonl`));
      const dir = join(out, "releases", release, "categories");
      for (const slug of readdirSync(dir)) {
        if (!existsSync(join(dir, slug, "data.json"))) continue; // a renamed slug's redirect
        const data = JSON.parse(readFileSync(join(dir, slug, "data.json"), "utf8"));
        for (const row of data.failures as { url: string; key: string }[]) {
          expect(row.url).toBe(
            paths.failure(release, row.key.split("|")[0]!, row.key.split("|")[2]!, row.key.split("|")[1]!),
          );
          expect(resolveFile(out, "/", row.url), row.url).not.toBeNull();
          checked++;
        }
      }
      for (const a of analyses)
        expect(
          existsSync(join(out, paths.failure(release, a.dataset, a.instance_id, a.model).slice(1), "index.html")),
        ).toBe(true);
      // one page per analysed failure and one view per item with one, nothing more
      const pages = listFiles(join(out, "releases", release, "datasets")).filter(
        (f) => f.includes("/items/") && f.endsWith("index.html"),
      );
      const items = new Set(analyses.map((a) => `${a.dataset}|${a.instance_id}`));
      expect(pages.length).toBe(analyses.length + items.size);
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("shows on a failure page the output's first words, the judge's title and summary, and the category", () => {
    const analyses = readJsonl<Analysis>(join(root, "releases/r2/analyses.jsonl"));
    const byKey = new Map(
      records("s2", "quizbank")
        .concat(records("s2", "sumworld"))
        .map((r) => [`${r.dataset}|${r.model}|${r.instance_id}`, r]),
    );
    const taxonomy = JSON.parse(readFileSync(join(root, "releases/r2/taxonomy.json"), "utf8"));
    const names = new Map<string, string>(taxonomy.categories.map((c: { id: string; name: string }) => [c.id, c.name]));
    for (const a of analyses) {
      const html = pageOf(paths.failure("r2", a.dataset, a.instance_id, a.model));
      const t = words(html);
      expect(t).toContain(firstWords(byKey.get(a.key)!.output));
      expect(t).toContain(norm(a.title));
      expect(t).toContain(norm(a.summary));
      expect(t).toContain(names.get(a.category)!);
      expect(html).toContain(`href="${paths.item("r2", a.dataset, a.instance_id)}"`);
      expect(html).toContain(
        `<link rel="canonical" href="https://erroratlas.example${paths.failure("r2", a.dataset, a.instance_id, a.model)}">`,
      );
      expect(t).toContain("Cite this page");
      expect(html).toContain('<span data-pagefind-filter="kind">failure</span>');
      expect(html.length).toBeLessThan(BUDGET);
    }
  });

  it("lists on an item view every model's output on the item, as the snapshot has it", () => {
    for (const release of ["r1", "r2"]) {
      const analyses = readJsonl<Analysis>(join(root, `releases/${release}/analyses.jsonl`));
      const items = new Set(analyses.map((a) => `${a.dataset}|${a.instance_id}`));
      for (const item of items) {
        const [dataset, instance] = item.split("|") as [string, string];
        const html = pageOf(paths.item(release, dataset, instance));
        const t = words(html);
        const recs = records(snapshotOf(release), dataset).filter((r) => r.instance_id === instance);
        expect(recs.length).toBeGreaterThan(0);
        for (const r of recs) {
          expect(html).toContain(`id="model-${r.model}"`);
          expect(t).toContain(firstWords(r.output));
          expect(t).toContain(r.correct ? "Correct" : "Failed");
        }
        // each analysed failure links its own page; the item is not indexed for search
        for (const a of analyses.filter((x) => `${x.dataset}|${x.instance_id}` === item))
          expect(html).toContain(`href="${paths.failure(release, dataset, instance, a.model)}"`);
        expect(html).not.toContain("data-pagefind-body");
        expect(html.length).toBeLessThan(BUDGET);
      }
    }
  });

  it("shows a disputed item's dispute and its review on the item view", () => {
    const agg = JSON.parse(readFileSync(join(root, "releases/r2/aggregates.json"), "utf8"));
    const items = Object.values(agg.datasets).flatMap((d) => (d as { suspect_items: unknown[] }).suspect_items) as {
      dataset: string;
      instance_id: string;
      consensus: string;
      agreeing: string[];
      models: number;
      review: { verdict: string; reviewer: string; date: string; note: string } | null;
    }[];
    expect(items.map((s) => s.review?.verdict ?? null).sort()).toEqual(
      [null, "reference-right", "reference-wrong"].sort(),
    );
    for (const s of items) {
      const t = words(pageOf(paths.item("r2", s.dataset, s.instance_id)));
      expect(t).toContain(`${s.agreeing.length} models of ${s.models} agree on the answer ${s.consensus}`);
      if (s.review) {
        expect(t).toContain(s.review.verdict === "reference-wrong" ? "Reference wrong." : "Reference right.");
        expect(t).toContain(
          `${s.review.reviewer} reviewed this item's reference on ${s.review.date}: ${norm(s.review.note)}`,
        );
      } else expect(t).toContain("No one has reviewed this reference yet");
    }
    // a release made before reviews words its suspect item as noise
    expect(words(pageOf(paths.item("r1", "quizbank", "q01")))).toContain("Suspect reference");
  });

  it("cuts a 1 MB output on its failure page at the stated length, linking the whole text byte for byte", () => {
    const [dataset, model, instance] = long.key.split("|") as [string, string, string];
    const page = paths.failure("r2", dataset, instance, model);
    const html = pageOf(page);
    expect(Buffer.byteLength(html)).toBeLessThan(BUDGET);
    const head = headOf(long.text, CUT_CHARS);
    expect(head.length).toBe(CUT_CHARS - 1); // the surrogate pair at the cut is left out whole
    expect(words(html)).toContain(`Showing the first ${fmt(head.length)} of ${fmt(long.text.length)} characters.`);
    expect(decode(html)).toContain(head + "</pre>");
    expect(html).toContain(`href="${page}output.txt"`);
    const file = readFileSync(join(out, page.slice(1), "output.txt"));
    expect(file.equals(Buffer.from(long.text, "utf8"))).toBe(true);
    // short texts of the same failure are whole, with no file
    expect(existsSync(join(out, page.slice(1), "input.txt"))).toBe(false);
  });

  it("keeps the category page and the item view with that output within the budget, cut shorter and linked", () => {
    const [dataset, model, instance] = long.key.split("|") as [string, string, string];
    const full = `${paths.failure("r2", dataset, instance, model)}output.txt`;
    for (const path of [paths.category("r2", long.slug), paths.item("r2", dataset, instance)]) {
      const html = pageOf(path);
      expect(Buffer.byteLength(html), path).toBeLessThan(BUDGET);
      const shown = headOf(long.text, LIST_CUT_CHARS).length;
      expect(words(html)).toContain(`Showing the first ${fmt(shown)} of ${fmt(long.text.length)} characters.`);
      expect(html).toContain(`href="${full}"`);
    }
    // a category example links the failure's own page
    expect(pageOf(paths.category("r2", long.slug))).toContain(
      `href="${paths.failure("r2", dataset, instance, model)}"`,
    );
    // no HTML page of the site is over budget
    const over = listFiles(out).filter((f) => f.endsWith(".html") && readFileSync(join(out, f)).length > BUDGET);
    expect(over).toEqual([]);
  });

  it("links a correct output an item view cuts to its whole text, and gives it no failure page", () => {
    const r = correct.record;
    const html = pageOf(paths.item("r2", r.dataset, r.instance_id));
    const file = `${paths.failure("r2", r.dataset, r.instance_id, r.model)}output.txt`;
    expect(correct.text.length).toBeGreaterThan(itemOutputCut(3));
    expect(html).toContain(`href="${file}"`);
    expect(readFileSync(join(out, file.slice(1)), "utf8")).toBe(correct.text);
    expect(existsSync(join(out, paths.failure("r2", r.dataset, r.instance_id, r.model).slice(1), "index.html"))).toBe(
      false,
    );
  });

  it("links only what exists from failure pages and item views", () => {
    const bad: string[] = [];
    const pages = listFiles(out).filter((f) => f.includes("/items/") && f.endsWith("index.html"));
    for (const f of pages) {
      const html = read(f);
      const ids = new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]));
      for (const [, href] of html.matchAll(/\shref="([^"]*)"/g)) {
        const link = decode(href!);
        if (/^https?:/.test(link)) continue;
        const [path, frag] = link.split("#");
        if (path === "") {
          if (!ids.has(frag!)) bad.push(`${f}: ${link}`);
        } else if (!resolveFile(out, "/", path!)) bad.push(`${f}: ${link}`);
      }
    }
    expect(pages.length).toBeGreaterThan(100);
    expect(bad).toEqual([]);
  });

  it("shows the XSS probe as text on its failure page, its item view and its category's page", () => {
    const [dataset, model, instance] = XSS_KEY.split("|") as [string, string, string];
    for (const path of [paths.failure("r2", dataset, instance, model), paths.item("r2", dataset, instance)]) {
      const html = pageOf(path);
      expect(html).toContain("&lt;script&gt;window.__xss=1&lt;/script&gt;");
      expect(html).toContain("&lt;script&gt;window.__xss=4&lt;/script&gt;");
      expect(html).not.toMatch(/<script>window\.__xss|<img src=x/);
      expect(words(html)).toContain(norm(XSS_OUTPUT));
      expect(words(html)).toContain(norm(XSS_INPUT));
    }
  });

  describe("in Chromium", () => {
    let server: Awaited<ReturnType<typeof serve>>;
    let context: BrowserContext;
    let profile: string;
    beforeAll(async () => {
      server = await serve(out, "/");
      profile = mkdtempSync(join(tmpdir(), "site-failures-chromium-"));
      context = await chromium.launchPersistentContext(profile, { ...CHROMIUM, args: [...CHROMIUM.args] });
    });
    afterAll(async () => {
      await context?.close();
      await server?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it("runs nothing from the XSS probe on its failure page, item view and category page", async () => {
      const [dataset, model, instance] = XSS_KEY.split("|") as [string, string, string];
      const analyses = readJsonl<Analysis>(join(root, "releases/r2/analyses.jsonl"));
      const category = JSON.parse(readFileSync(join(root, "releases/r2/taxonomy.json"), "utf8")).categories.find(
        (c: { id: string }) => c.id === analyses.find((a) => a.key === XSS_KEY)!.category,
      ).slug;
      for (const path of [
        paths.failure("r2", dataset, instance, model),
        paths.item("r2", dataset, instance),
        paths.category("r2", category),
      ]) {
        const page: Page = await context.newPage();
        const dialogs: string[] = [];
        page.on("dialog", (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await page.goto(`${server.url}${path}`, { waitUntil: "load" });
        await page.waitForTimeout(200);
        expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), path).toBeUndefined();
        expect(dialogs).toEqual([]);
        const text = norm(await page.evaluate(() => document.body.textContent ?? ""));
        expect(text).toContain(norm(XSS_OUTPUT));
        await page.close();
      }
    });
  });
});

// The shared layer: a heuristic release of all of ../shared/evaldata, built once.
