// Unit tests of what the site's pages show (src/lib/site), on the fixture data root.
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReleasesIndexSchema, type Analysis } from "../../src/lib/schemas.ts";
import { stableJsonLine } from "../../src/lib/jsonio.ts";
import { loadSiteFromDisk, searchSorted } from "../../src/lib/site/fsdata.ts";
import { buildSite, orderReleases, pickLatest, type Site } from "../../src/lib/site/model.ts";
import {
  EXAMPLE_CAP,
  NOISE_EXAMPLE_CAP,
  exampleOrder,
  firstInOrder,
  keysShownInFull,
  shownExamples,
} from "../../src/lib/site/shown.ts";
import { categoryPage, categoryRedirects } from "../../src/lib/site/views/category.ts";
import { changelogPage, intervalsApart } from "../../src/lib/site/views/changelog.ts";
import { compareIndexPage, comparePage } from "../../src/lib/site/views/compare.ts";
import { datasetPage } from "../../src/lib/site/views/dataset.ts";
import { homePage } from "../../src/lib/site/views/home.ts";
import { modelPage } from "../../src/lib/site/views/model.ts";
import { releasePage } from "../../src/lib/site/views/release.ts";
import { releaseRef } from "../../src/lib/site/views/shared.ts";
import { pageCsv, pageJson } from "../../src/lib/site/downloads.ts";
import { releasesAtom, releasesIndex } from "../../src/lib/site/feed.ts";
import { searchFacets } from "../../src/lib/site/search.ts";
import { exampleAnchor } from "../../src/lib/site/urls.ts";
import { XSS_OUTPUT, makeFixture } from "../fixtures/site/make-fixture.ts";

let dir: string;
let site: Site;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "site-pages-"));
  makeFixture(join(dir, "root"));
  site = loadSiteFromDisk(join(dir, "root"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = (id: string) => site.releases.find((x) => x.id === id)!;

describe("release order and latest", () => {
  const rel = (id: string, previous: string | null, published = true) => ({
    id,
    previous,
    published: published ? { inputs_sha256: "x", outputs_sha256: "y" } : null,
  });

  it("follows the previous chain whatever the input order", () => {
    const ordered = orderReleases([rel("c", "b"), rel("a", null), rel("b", "a")]);
    expect(ordered.map((x) => x.id)).toEqual(["a", "b", "c"]);
  });

  it("orders ids not by name but by chain", () => {
    const ordered = orderReleases([rel("2024-a", "2025-z"), rel("2025-z", null)]);
    expect(ordered.map((x) => x.id)).toEqual(["2025-z", "2024-a"]);
  });

  it("keeps every release even with a cycle or a missing previous", () => {
    const ordered = orderReleases([rel("x", "y"), rel("y", "x"), rel("z", "gone")]);
    expect(ordered.map((x) => x.id).sort()).toEqual(["x", "y", "z"]);
  });

  it("prefers the newest published release as latest", () => {
    expect(pickLatest(orderReleases([rel("a", null), rel("b", "a", false)]))?.id).toBe("a");
    expect(pickLatest(orderReleases([rel("a", null, false), rel("b", "a", false)]))?.id).toBe("b");
    expect(pickLatest([])).toBeNull();
  });

  it("loads the fixture with r2 after r1 and latest r2", () => {
    expect(site.releases.map((x) => x.id)).toEqual(["r1", "r2"]);
    expect(site.latest?.id).toBe("r2");
    expect(r("r2").previous?.id).toBe("r1");
    expect(r("r1").previous).toBeNull();
  });
});

describe("loading", () => {
  it("joins every failure a page shows in full with its record, and reads no other record", () => {
    for (const rel of site.releases) {
      expect(rel.analyses.length).toBeGreaterThan(30);
      const shown = keysShownInFull(rel);
      expect(shown.size).toBeGreaterThan(0);
      for (const k of shown) expect(rel.records.get(k), k).toBeDefined();
      expect([...rel.records.keys()].sort()).toEqual([...shown].sort());
      // every example of every category page has its texts
      for (const c of rel.categories)
        for (const e of categoryPage(rel, c.slug)!.examples) expect(e.output, e.key).not.toBeNull();
    }
  });

  it("finds a shown record by its own instance id, not one quoted in its texts or metadata", () => {
    // Lines are skipped unparsed unless their instance id is wanted: a look-alike inside the input
    // (escaped in JSON) or in nested metadata must neither hide the record nor stand in for it.
    const root = join(dir, "lookalike");
    makeFixture(root, ["r1"]);
    const rel = loadSiteFromDisk(root).releases[0]!;
    const key = [...keysShownInFull(rel)].sort()[0]!;
    const [dataset, , instance] = key.split("|");
    const files = readdirSync(join(root, "snapshots", rel.release.snapshot, "records"));
    let patched = 0;
    for (const f of files) {
      const path = join(root, "snapshots", rel.release.snapshot, "records", f);
      const lines = readFileSync(path, "utf8")
        .split("\n")
        .map((line) => {
          if (!line) return line;
          const rec = JSON.parse(line);
          // the wanted record quotes its own id in its metadata too; every other record quotes the wanted id
          rec.metadata = { ...rec.metadata, instance_id: instance };
          if (`${rec.dataset}|${rec.model}|${rec.instance_id}` === key) {
            rec.input = `Quoting "instance_id":"nope" in the text. ${rec.input}`;
            patched++;
          }
          return stableJsonLine(rec);
        });
      writeFileSync(path, lines.join("\n"));
    }
    expect(patched).toBe(1);
    const again = loadSiteFromDisk(root).releases[0]!;
    expect(again.records.get(key)?.input).toMatch(/^Quoting "instance_id":"nope"/);
    expect(again.records.get(key)?.dataset).toBe(dataset);
    expect(again.records.get(key)?.metadata).toMatchObject({ instance_id: instance });
    expect([...again.records.keys()].sort()).toEqual([...keysShownInFull(again)].sort());
  });

  it("finds every record of a sorted snapshot file by binary search alone", () => {
    const root = join(dir, "sorted");
    makeFixture(root, ["r1"]);
    const snap = loadSiteFromDisk(root).releases[0]!.release.snapshot;
    const folder = join(root, "snapshots", snap, "records");
    let checked = 0;
    for (const f of readdirSync(folder)) {
      // in the import's order (the fixture writes its records in another)
      const recs = readFileSync(join(folder, f), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      // some lines longer than a probe's first read (4 KB), some longer than its second (128 KB)
      recs.forEach((r, i) => {
        r.output = `${r.output} ${"long output ".repeat(i % 7 === 0 ? 20_000 : i % 3 === 0 ? 600 : 0)}`;
      });
      recs.sort((x, y) =>
        x.model !== y.model
          ? x.model < y.model
            ? -1
            : 1
          : x.instance_id < y.instance_id
            ? -1
            : x.instance_id > y.instance_id
              ? 1
              : 0,
      );
      writeFileSync(join(folder, f), recs.map((r) => stableJsonLine(r)).join("\n") + "\n");
      const dataset = recs[0].dataset as string;
      const keys = new Set(recs.map((r) => `${r.dataset}|${r.model}|${r.instance_id}`));
      keys.add(`${dataset}|zz-no-such-model|1`).add(`${dataset}|${recs[0].model}|no such item`);
      const out: { id: string; data: Record<string, unknown> }[] = [];
      searchSorted(join(folder, f), snap, dataset, keys, out);
      // only the two made-up keys are left for a scan
      expect([...keys].sort()).toEqual([`${dataset}|${recs[0].model}|no such item`, `${dataset}|zz-no-such-model|1`]);
      expect(out.map((e) => e.data)).toEqual(expect.arrayContaining(recs));
      expect(out).toHaveLength(recs.length);
      checked += recs.length;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("finds shown records in a snapshot file that is out of order (binary search, then a scan)", () => {
    const root = join(dir, "unsorted");
    makeFixture(root, ["r1"]);
    const rel = loadSiteFromDisk(root).releases[0]!;
    const folder = join(root, "snapshots", rel.release.snapshot, "records");
    for (const f of readdirSync(folder)) {
      const lines = readFileSync(join(folder, f), "utf8").split("\n").filter(Boolean);
      // reversed: every binary search goes the wrong way
      writeFileSync(join(folder, f), lines.reverse().join("\n") + "\n");
    }
    const again = loadSiteFromDisk(root).releases[0]!;
    expect(again.records.size).toBeGreaterThan(0);
    expect([...again.records.keys()].sort()).toEqual([...keysShownInFull(again)].sort());
    for (const [k, r] of again.records) expect(`${r.dataset}|${r.model}|${r.instance_id}`).toBe(k);
  });

  it("names the file and line of a shown record that breaks the schema", () => {
    const root = join(dir, "badrecord");
    makeFixture(root, ["r1"]);
    const rel = loadSiteFromDisk(root).releases[0]!;
    const key = [...keysShownInFull(rel)].sort()[0]!;
    const folder = join(root, "snapshots", rel.release.snapshot, "records");
    let where = "";
    for (const f of readdirSync(folder)) {
      const lines = readFileSync(join(folder, f), "utf8").split("\n");
      lines.forEach((line, i) => {
        if (!line) return;
        const rec = JSON.parse(line);
        if (`${rec.dataset}|${rec.model}|${rec.instance_id}` !== key) return;
        rec.score = "high";
        lines[i] = stableJsonLine(rec);
        where = `${f}:${i + 1}`;
      });
      writeFileSync(join(folder, f), lines.join("\n"));
    }
    expect(where).not.toBe("");
    expect(() => loadSiteFromDisk(root)).toThrow(
      new RegExp(`records/${where.replace(".", "\\.")}: record .*score`, "s"),
    );
  });

  it("names the file and line of a broken analyses line", () => {
    const root = join(dir, "broken");
    makeFixture(root, ["r1"]);
    appendFileSync(join(root, "releases/r1/analyses.jsonl"), "{not json\n");
    expect(() => loadSiteFromDisk(root)).toThrow(/analyses\.jsonl: line \d+/);
  });

  it("rejects data that does not match the schemas", () => {
    const root = join(dir, "invalid");
    makeFixture(root, ["r1"]);
    writeFileSync(
      join(root, "releases/r1/taxonomy.json"),
      JSON.stringify({ version: "x", judge: "nobody", categories: [] }),
    );
    expect(() => loadSiteFromDisk(root)).toThrow(/taxonomy r1/);
  });

  it("builds an empty site from an empty data root", () => {
    const empty = loadSiteFromDisk(join(dir, "nothing-here"));
    expect(empty.releases).toEqual([]);
    const home = homePage(empty);
    expect(home.latest).toBeNull();
    expect(releasesIndex(empty)).toEqual({ latest: null, releases: [] });
  });
});

describe("category page", () => {
  it("shows the category's counts from the aggregates and all its analyses as examples", () => {
    const rel = r("r2");
    const page = categoryPage(rel, "arithmetic-slip")!;
    const share = rel.aggregates.overall.shares.find((s) => s.category === "c-arith")!;
    expect(page.overall.count).toBe(share.count);
    expect(page.overall.share).toBe(share.share);
    expect(page.examples_total).toBe(rel.analyses.filter((a) => a.category === "c-arith").length);
    expect(page.examples.every((e) => e.category.id === "c-arith" && e.output !== null)).toBe(true);
    expect(page.parent?.slug).toBe("reasoning");
    expect(page.by_model.map((m) => m.id).sort()).toEqual(["alpha-7b", "beta-70b", "gamma-mini"]);
    // sorted by share, highest first
    expect(page.by_model.map((m) => m.share)).toEqual([...page.by_model.map((m) => m.share)].sort((a, b) => b - a));
  });

  it("puts a parent's sub-categories and their failures on the parent page", () => {
    const rel = r("r1");
    const page = categoryPage(rel, "reasoning")!;
    expect(page.children.map((c) => c.slug)).toEqual(["arithmetic-slip", "misread-question"]);
    const n = rel.analyses.filter((a) => a.category === "c-arith" || a.category === "c-misread").length;
    expect(page.examples_total).toBe(n);
  });

  it("shows the XSS record's output as data, unchanged", () => {
    const page = categoryPage(
      r("r1"),
      r("r1").byId.get(r("r1").analyses.find((a) => a.key === "quizbank|alpha-7b|q02")!.category)!.slug,
    )!;
    expect(page.examples.find((e) => e.key === "quizbank|alpha-7b|q02")?.output).toBe(XSS_OUTPUT);
  });

  it("caps shown examples at EXAMPLE_CAP in a fixed order, and keeps all in the JSON", () => {
    const rel = r("r2");
    const base = rel.analyses[0];
    const many: Analysis[] = Array.from({ length: 75 }, (_, i) => ({
      ...base,
      key: `quizbank|alpha-7b|x${i}`,
      instance_id: `x${i}`,
      category: "c-grader",
    }));
    const shuffled = {
      ...rel,
      analysesByCategory: new Map(rel.analysesByCategory).set("c-grader", [...many].reverse()),
    };
    const a = categoryPage(shuffled, "reference-disputed")!;
    const b = categoryPage(
      { ...rel, analysesByCategory: new Map(rel.analysesByCategory).set("c-grader", many) },
      "reference-disputed",
    )!;
    expect(a.examples_total).toBe(75);
    expect(a.examples_shown).toBe(EXAMPLE_CAP);
    expect(a.examples.map((e) => e.key)).toEqual(b.examples.map((e) => e.key));
    expect(a.examples).toHaveLength(EXAMPLE_CAP);
    // data.json: the shown examples in full, and every failure as a row, in the same order
    const json = JSON.parse(pageJson(a));
    expect(json.examples).toHaveLength(EXAMPLE_CAP);
    expect(json.failures).toHaveLength(75);
    expect(json.failures.slice(0, EXAMPLE_CAP).map((f: { key: string }) => f.key)).toEqual(
      a.examples.map((e) => e.key),
    );
    expect(json.failures[0]).not.toHaveProperty("output");
    // the page's HTML needs no rows
    expect(categoryPage(shuffled, "reference-disputed", false)!.failures).toEqual([]);
  });

  it("gives each example a stable anchor unique within the release", () => {
    const anchors = r("r2").analyses.map((a) => exampleAnchor(a.key));
    expect(new Set(anchors).size).toBe(anchors.length);
    expect(anchors.every((x) => /^ex-[0-9a-f]{16}$/.test(x))).toBe(true);
    // Anchors are in published URLs: pinned to the values every release so far has used.
    expect(exampleAnchor("a|b|c")).toBe("ex-fa972447bed74984");
    expect(exampleAnchor("gsm8k|gpt-4o|42")).toBe("ex-f938c2225acbab39");
  });

  it("redirects a renamed category's old slug in the release that renamed it", () => {
    expect(categoryRedirects(r("r2"))).toEqual([{ from: "misread-question", to: "question-misreading" }]);
    expect(categoryRedirects(r("r1"))).toEqual([]);
  });

  it("never redirects a slug a current category uses", () => {
    const rel = r("r2");
    const cats = rel.categories.map((c) => (c.id === "c-arith" ? { ...c, old_slugs: ["refusal", "old-arith"] } : c));
    expect(categoryRedirects({ ...rel, categories: cats })).toContainEqual({
      from: "old-arith",
      to: "arithmetic-slip",
    });
    expect(categoryRedirects({ ...rel, categories: cats }).some((x) => x.from === "refusal")).toBe(false);
  });
});

describe("model page", () => {
  it("compares the model's shares with its peers and links to shown examples", () => {
    const rel = r("r2");
    const page = modelPage(rel, "alpha-7b")!;
    const arith = page.signature.find((s) => s.id === "c-arith")!;
    const sig = rel.aggregates.signatures["alpha-7b"].find((s) => s.category === "c-arith")!;
    expect(arith.share).toBeCloseTo(sig.share, 9);
    expect(arith.peer_share).toBe(sig.peer_share);
    expect(page.signature[0].id).toBe("c-arith"); // r2 re-reads alpha's failures as arithmetic slips
    expect(page.distinctive.length).toBeGreaterThan(0);
    expect(Math.abs(page.distinctive[0].diff)).toBeGreaterThanOrEqual(Math.abs(page.distinctive.at(-1)!.diff));
    const shown = new Set(shownExamples(rel).values());
    expect(page.examples.length).toBeGreaterThan(0);
    for (const e of page.examples) expect(shown.has(e.path)).toBe(true);
    expect(page.per_dataset.map((d) => d.id)).toEqual(["quizbank", "sumworld"]);
    const pair = rel.aggregates.pairs.find((p) => p.model === "alpha-7b" && p.dataset === "quizbank")!;
    expect(page.per_dataset[0].accuracy).toBe(pair.accuracy);
    expect(page.model.family).toBe("Alpha");
    expect(page.compare.map((c) => c.other).sort()).toEqual(["beta-70b", "gamma-mini"]);
  });

  it("returns null for a model the release does not have", () => {
    expect(modelPage(r("r1"), "gamma-mini")).toBeNull();
  });
});

describe("dataset page", () => {
  it("lists suspect items, noise examples and models ranked per category", () => {
    const rel = r("r2");
    const page = datasetPage(rel, "quizbank")!;
    expect(page.suspect_items.map((s) => s.instance_id)).toEqual(
      rel.aggregates.datasets.quizbank.suspect_items.map((s) => s.instance_id),
    );
    expect(page.suspect_items.map((s) => s.instance_id)).toContain("q01");
    expect(page.noise_total).toBeGreaterThan(0);
    expect(page.noise_failures).toHaveLength(page.noise_total);
    expect(page.noise_examples.length).toBe(Math.min(page.noise_total, NOISE_EXAMPLE_CAP));
    expect(page.noise_examples.every((e) => e.category.facet === "noise" && e.dataset === "quizbank")).toBe(true);
    expect(page.noise_share).toBe(rel.aggregates.datasets.quizbank.noise_share);
    for (const c of page.ranking) {
      const counts = c.rows.map((x) => x.count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    }
    const facetTotal = page.facets.reduce((s, f) => s + f.count, 0);
    expect(facetTotal).toBe(page.totals.analysed);
    expect(page.models.map((m) => m.accuracy)).toEqual([...page.models.map((m) => m.accuracy)].sort((a, b) => b - a));
  });
});

describe("compare pages", () => {
  it("pre-builds every pair of the aggregates and lists them in the picker", () => {
    const rel = r("r2");
    const idx = compareIndexPage(rel);
    expect(idx.pairs).toHaveLength(3);
    const page = comparePage(rel, "alpha-7b", "beta-70b")!;
    expect(page.a.name).toBe("Alpha 7B");
    expect(page.categories[0].id).toBe("c-arith");
    expect(page.categories[0].significant).toBe(true);
    expect(comparePage(rel, "beta-70b", "alpha-7b")).toBeNull();
  });
});

describe("release and changelog", () => {
  it("shows everything needed to reproduce a release", () => {
    const page = releasePage(r("r2"));
    expect(page.meta.snapshot_sha256).toHaveLength(64);
    expect(page.previous?.id).toBe("r1");
    expect(page.taxonomy.tree.map((n) => n.slug)).toContain("reasoning");
    expect(page.taxonomy.retired.map((c) => c.slug)).toEqual(["rambling-answer"]);
    expect(page.judge_errors).toEqual([]);
  });

  it("lists the judge errors of a release, with what went wrong", () => {
    const rel = r("r2");
    const failed = {
      ...rel.analyses[0],
      status: "judge_error" as const,
      category: "judge-error",
      error: "invalid JSON after 5 attempts <b>x</b>",
    };
    const page = releasePage({ ...rel, analyses: [failed, ...rel.analyses.slice(1)] });
    expect(page.judge_errors).toEqual([
      expect.objectContaining({
        key: failed.key,
        instance_id: failed.instance_id,
        error: "invalid JSON after 5 attempts <b>x</b>",
      }),
    ]);
    expect(page.judge_errors[0].model_name).not.toBe("");
  });

  it("lists new, renamed and retired categories and new models of r2", () => {
    const page = changelogPage(r("r2"));
    expect(page.previous?.id).toBe("r1");
    expect(page.models.added.map((m) => m.id)).toEqual(["gamma-mini"]);
    expect(page.datasets.added).toEqual([]);
    expect(page.categories.added.map((c) => c.slug)).toEqual(["refusal", "reference-error-reviewed"]);
    expect(page.categories.renamed).toEqual([
      expect.objectContaining({ slug: "question-misreading", from_slug: "misread-question" }),
    ]);
    expect(page.categories.retired.map((c) => c.slug)).toEqual(["rambling-answer"]);
    expect(page.categories.retired[0].path).toBe("/releases/r1/categories/rambling-answer/");
  });

  it("reports only shifts whose intervals do not overlap", () => {
    const page = changelogPage(r("r2"));
    expect(
      page.signature_shifts.some((s) => s.model?.id === "alpha-7b" && s.category.id === "c-arith" && s.diff > 0),
    ).toBe(true);
    for (const s of [...page.category_shifts, ...page.signature_shifts])
      expect(intervalsApart(s.before.ci, s.after.ci)).toBe(true);
    // a model missing from r1 has no shift
    expect(page.signature_shifts.some((s) => s.model?.id === "gamma-mini")).toBe(false);
  });

  it("treats the first release as all new", () => {
    const page = changelogPage(r("r1"));
    expect(page.previous).toBeNull();
    expect(page.categories.added).toHaveLength(r("r1").categories.length);
  });

  it("compares intervals", () => {
    expect(intervalsApart([0.1, 0.2], [0.25, 0.3])).toBe(true);
    expect(intervalsApart([0.1, 0.26], [0.25, 0.3])).toBe(false);
    expect(intervalsApart([0.5, 0.6], [0.1, 0.2])).toBe(true);
  });
});

describe("home, index, feed, search facets", () => {
  it("builds the home page from the latest release", () => {
    const home = homePage(site);
    expect(home.latest?.id).toBe("r2");
    expect(home.heatmap.rows).toHaveLength(3);
    expect(home.heatmap.values.every((row) => row.length === home.heatmap.cols.length)).toBe(true);
    expect(home.top_categories.map((c) => c.share)).toEqual(
      [...home.top_categories.map((c) => c.share)].sort((a, b) => b - a),
    );
    expect(home.whats_new?.models.added.map((m) => m.id)).toEqual(["gamma-mini"]);
  });

  it("lists releases newest first in index.json", () => {
    const ix = ReleasesIndexSchema.parse(releasesIndex(site));
    expect(ix.latest).toBe("r2");
    expect(ix.releases.map((x) => x.id)).toEqual(["r2", "r1"]);
    expect(ix.releases[0].previous).toBe("r1");
  });

  it("writes an Atom feed with one entry per release and the base in its links", () => {
    const atom = releasesAtom(site, "https://example.org", "/atlas/");
    expect(atom.match(/<entry>/g)).toHaveLength(2);
    expect(atom).toContain("<id>https://example.org/atlas/releases/r2/</id>");
    expect(atom.indexOf("releases/r2/")).toBeLessThan(atom.indexOf("releases/r1/"));
    // A published release is dated by its publication day; the feed is as new as its newest entry.
    const dated = structuredClone(r("r1").release);
    dated.published = { inputs_sha256: "0".repeat(64), outputs_sha256: "0".repeat(64), date: "2026-10-05" };
    const withDate = releasesAtom(
      { ...site, releases: site.releases.map((x) => (x.id === "r1" ? { ...x, release: dated } : x)) },
      "https://example.org",
      "/atlas/",
    );
    const r1Entry = withDate.slice(withDate.indexOf("releases/r1/"));
    expect(r1Entry).toContain("<updated>2026-10-05T00:00:00Z</updated>");
    expect(withDate.split("<entry>")[0]).toContain("<updated>2026-10-05T00:00:00Z</updated>");
  });

  it("gives search filters per page kind", () => {
    const rel = r("r2");
    expect(searchFacets(site, modelPage(rel, "beta-70b")!)).toEqual({
      kind: "model",
      release: "r2",
      datasets: ["QuizBank", "SumWorld"],
      families: ["Beta"],
    });
    const cat = searchFacets(site, categoryPage(rel, "refusal")!);
    expect(cat.kind).toBe("category");
    expect(cat.families).toEqual(["Gamma"]);
    expect(searchFacets(site, datasetPage(rel, "sumworld")!).datasets).toEqual(["SumWorld"]);
  });
});

describe("downloads", () => {
  it("writes each page's CSV with a header and one row per table line", () => {
    const rel = r("r2");
    const page = categoryPage(rel, "arithmetic-slip")!;
    const lines = pageCsv(page).trimEnd().split("\r\n");
    expect(lines[0]).toBe("section,id,name,count,share,ci_low,ci_high");
    expect(lines).toHaveLength(1 + 1 + page.by_model.length + page.by_dataset.length);
    const model = pageCsv(modelPage(rel, "alpha-7b")!);
    expect(model.split("\r\n")[0]).toContain("peer_share");
  });

  it("gives the same JSON for the same page twice (stable order)", () => {
    const a = pageJson(datasetPage(r("r2"), "quizbank")!);
    const b = pageJson(datasetPage(loadSiteFromDisk(join(dir, "root")).releases[1], "quizbank")!);
    expect(a).toBe(b);
  });

  it("orders examples independently of input order", () => {
    const list = r("r2").analyses;
    expect(exampleOrder([...list].reverse()).map((a) => a.key)).toEqual(exampleOrder(list).map((a) => a.key));
  });

  it("orders examples by their anchor, then by key (the hashes compared as numbers agree with the strings)", () => {
    const base = r("r2").analyses[0]!;
    const many: Analysis[] = Array.from({ length: 3000 }, (_, i) => ({
      ...base,
      key: `d${i % 5}|m-${i % 11}|item ${i} ü`,
    }));
    const byString = [...many].sort((x, y) => {
      const [ax, ay] = [exampleAnchor(x.key), exampleAnchor(y.key)];
      return ax < ay ? -1 : ax > ay ? 1 : x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
    });
    expect(exampleOrder(many).map((a) => a.key)).toEqual(byString.map((a) => a.key));
  });

  it("picks the first n in example order without sorting everything, the same as the full order", () => {
    const base = r("r2").analyses[0]!;
    // many analyses, some keys repeated so ties on the anchor fall back to the key
    const many: Analysis[] = Array.from({ length: 500 }, (_, i) => ({ ...base, key: `k|m|${(i * 7919) % 400}` }));
    for (const n of [0, 1, 5, 30, 499, 600]) {
      expect(
        firstInOrder(many, n).map((a) => a.key),
        `n=${n}`,
      ).toEqual(
        exampleOrder(many)
          .slice(0, n)
          .map((a) => a.key),
      );
    }
  });
});

describe("buildSite", () => {
  it("fails clearly when a release has no taxonomy", () => {
    const rel = r("r1");
    expect(() =>
      buildSite({
        releases: [rel.release],
        taxonomies: new Map(),
        aggregates: new Map(),
        analyses: new Map(),
        snapshots: new Map(),
        records: new Map(),
        models: [],
        datasets: [],
        registries: new Map(),
      }),
    ).toThrow(/taxonomy/);
  });
});

describe("releaseRef", () => {
  it("says whether the release is published (frozen) or may still change", () => {
    expect(releaseRef(r("r1")).published).toBe(true);
    const draft = { ...r("r1"), release: { ...r("r1").release, published: null } };
    expect(releaseRef(draft).published).toBe(false);
  });
});

describe("a release's own registry copy", () => {
  it("keeps the names the release recorded, whatever the data root's registry says now", () => {
    const root = join(dir, "root-registry");
    makeFixture(root);
    const before = loadSiteFromDisk(root);
    const someModel = before.releases[0].modelIds[0];
    const oldName = modelPage(before.releases[0], someModel)!.model.name;
    // r1 froze its registry; then the data root's registry renames the model.
    const models = JSON.parse(readFileSync(join(root, "registry/models.json"), "utf8"));
    const datasets = JSON.parse(readFileSync(join(root, "registry/datasets.json"), "utf8"));
    writeFileSync(join(root, "releases/r1/registry.json"), JSON.stringify({ models, datasets }));
    for (const m of models) if (m.id === someModel) m.name = "Renamed In The Registry";
    writeFileSync(join(root, "registry/models.json"), JSON.stringify(models));
    const after = loadSiteFromDisk(root);
    const r1 = after.releases.find((x) => x.id === "r1")!;
    const r2 = after.releases.find((x) => x.id === "r2")!;
    expect(modelPage(r1, someModel)!.model.name).toBe(oldName);
    if (r2.modelIds.includes(someModel)) expect(modelPage(r2, someModel)!.model.name).toBe("Renamed In The Registry");
  });
});
