// Compare pages and the model page's rates (README "The site"): rates per 100 items attempted, and the
// paired test of two models on the items both attempted, checked against the snapshot's records and
// the release's analyses, read here on their own. On the demo data (data/: every model attempted every
// item) and on a data root made through the import and the heuristic run where models attempted
// different parts of a dataset; that root's site is built too, to read the pages and data.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { demoCopies } from "../../scripts/demo/formats.ts";
import { generateDemo } from "../../scripts/demo/generate.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { readRecords } from "../../src/lib/data/snapshot.ts";
import { benjaminiHochberg, mcnemarExact } from "../../src/lib/paired.ts";
import { attemptedItems } from "../../src/lib/site/attempted.ts";
import { loadSiteFromDisk } from "../../src/lib/site/fsdata.ts";
import type { SiteRelease } from "../../src/lib/site/model.ts";
import { compareIndexPage, comparePage, PAIR_LIST_CAP, partnerBits } from "../../src/lib/site/views/compare.ts";
import { modelPage } from "../../src/lib/site/views/model.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";
import { buildSite, REPO } from "./helpers/build.ts";

/** What the records and analyses say, computed here without the site's code. */
interface Truth {
  /** "dataset|instance_id" items each model has a record on. */
  attempted: Map<string, Set<string>>;
  /** Leaf of each analysed failure, by "model|dataset|instance_id". */
  leaf: Map<string, string>;
}

function truthOf(root: string, rel: SiteRelease): Truth {
  const attempted = new Map<string, Set<string>>();
  for (const r of readRecords(root, rel.snapshot!)) {
    const set = attempted.get(r.model) ?? attempted.set(r.model, new Set()).get(r.model)!;
    set.add(`${r.dataset}|${r.instance_id}`);
  }
  const lines = readFileSync(join(root, "releases", rel.id, "analyses.jsonl"), "utf8")
    .trim()
    .split("\n");
  const leaf = new Map<string, string>();
  for (const line of lines) {
    const a = JSON.parse(line);
    if (a.status === "ok") leaf.set(`${a.model}|${a.dataset}|${a.instance_id}`, a.category);
  }
  return { attempted, leaf };
}

/** The paired table of a and b by definition: every shared item, every category. */
function pairedByDefinition(t: Truth, a: string, b: string, datasets: string[]) {
  const shared = [...t.attempted.get(a)!].filter(
    (k) => t.attempted.get(b)!.has(k) && datasets.includes(k.slice(0, k.indexOf("|"))),
  );
  const cells = new Map<string, { both: number; a_only: number; b_only: number }>();
  for (const k of shared) {
    const la = t.leaf.get(`${a}|${k}`);
    const lb = t.leaf.get(`${b}|${k}`);
    for (const c of new Set([la, lb].filter((x): x is string => !!x))) {
      const x = cells.get(c) ?? cells.set(c, { both: 0, a_only: 0, b_only: 0 }).get(c)!;
      if (la === c && lb === c) x.both++;
      else if (la === c) x.a_only++;
      else x.b_only++;
    }
  }
  return { items: shared.length, cells };
}

const sig6 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(6)));

/** Checks every comparison of a release against the definition; returns how many rows it checked. */
function checkRelease(root: string, rel: SiteRelease): number {
  const truth = truthOf(root, rel);
  let rows = 0;
  for (const c of rel.aggregates.comparisons) {
    const page = comparePage(rel, c.a, c.b)!;
    const p = page.paired!;
    const want = pairedByDefinition(truth, c.a, c.b, c.datasets);
    expect(p.items).toBe(want.items);
    expect(p.rows.map((r) => r.id).sort()).toEqual([...want.cells.keys()].sort());
    const qs = benjaminiHochberg(p.rows.map((r) => mcnemarExact(r.a_only, r.b_only)));
    p.rows.forEach((r, i) => {
      expect({ both: r.both, a_only: r.a_only, b_only: r.b_only }).toEqual(want.cells.get(r.id));
      // The 2×2 table adds up to the items both attempted.
      expect(r.both + r.a_only + r.b_only + r.neither).toBe(p.items);
      expect(r.neither).toBeGreaterThanOrEqual(0);
      expect(r.a_per_100).toBeCloseTo(((r.both + r.a_only) / p.items) * 100, 3);
      expect(r.b_per_100).toBeCloseTo(((r.both + r.b_only) / p.items) * 100, 3);
      expect(r.p).toBe(sig6(mcnemarExact(r.a_only, r.b_only)));
      expect(r.p_adjusted).toBe(sig6(qs[i]!));
      expect(r.differs).toBe(r.p_adjusted < 0.05);
      if (r.differs) expect(r.more).toBe(r.a_only > r.b_only ? "a" : "b");
      rows++;
    });
    // Rows come most significant first.
    const adjusted = p.rows.map((r) => r.p_adjusted);
    expect(adjusted).toEqual([...adjusted].sort((x, y) => x - y));
    // The summary says what differs, in words, for every category that does.
    const differing = p.rows.filter((r) => r.differs);
    expect(p.summary[0]).toContain(`On the ${p.items.toLocaleString("en-US")} items both attempted`);
    if (differing.length === 0) expect(p.summary[1]).toMatch(/No category differs at the 5% level after correction/);
    for (const r of differing)
      expect(p.summary.some((s) => s.includes(`“${r.name}”`) && s.includes("makes this error more often"))).toBe(true);
  }
  return rows;
}

/** Each model page's rate per 100 items attempted: its analysed failures in a leaf over its records. */
function checkModelRates(root: string, rel: SiteRelease): void {
  const truth = truthOf(root, rel);
  for (const m of rel.modelIds) {
    const page = modelPage(rel, m)!;
    const items = truth.attempted.get(m)!.size;
    expect(page.totals.records).toBe(items);
    for (const r of page.signature) {
      const count = [...truth.leaf].filter(([k, c]) => k.startsWith(`${m}|`) && c === r.id).length;
      expect(r.count).toBe(count);
      expect(r.per_100).toBeCloseTo((count / items) * 100, 3);
    }
  }
}

describe("compare pages and rates on the demo data (data/)", () => {
  const root = join(REPO, "data");
  const site = loadSiteFromDisk(root);

  it.each(site.releases.map((r) => [r.id, r] as const))("release %s: paired tables as defined", (_id, rel) => {
    expect(checkRelease(root, rel)).toBeGreaterThan(0);
  });

  it.each(site.releases.map((r) => [r.id, r] as const))("release %s: model rates per 100 items", (_id, rel) => {
    checkModelRates(root, rel);
  });

  it("shows shares and rates side by side: a model with fewer failures can have the larger share", () => {
    const rel = site.latest!;
    const cases = rel.aggregates.comparisons.flatMap((c) =>
      comparePage(rel, c.a, c.b)!.categories.filter(
        (k) => k.a_share > k.b_share !== k.a_per_100 > k.b_per_100 && k.a_per_100 !== k.b_per_100,
      ),
    );
    // The demo has such categories: exactly the reading the rates are there to correct.
    expect(cases.length).toBeGreaterThan(0);
    for (const k of cases) expect(k.a_share > k.b_share).not.toBe(k.a_per_100 > k.b_per_100);
  });

  it("lists every pair on the index while few, with the pairs each model has for the picker", () => {
    const rel = site.latest!;
    const idx = compareIndexPage(rel);
    expect(idx.lists_pairs).toBe(true);
    expect(idx.pairs).toHaveLength(rel.aggregates.comparisons.length);
    const bits = partnerBits(idx);
    idx.models.forEach((m, i) => {
      idx.models.forEach((o, j) => {
        const has = (Number.parseInt(bits[i]![j >> 2]!, 16) >> (j & 3)) & 1;
        const paired = idx.pairs.some((p) => (p.a === m.id && p.b === o.id) || (p.a === o.id && p.b === m.id));
        expect(has === 1).toBe(paired);
      });
    });
  });

  it("says when the items both attempted cannot be told (no snapshot in the data root), and still shows the shares", () => {
    const rel = { ...site.latest!, snapshot: null } as SiteRelease;
    const c = rel.aggregates.comparisons[0]!;
    const page = comparePage(rel, c.a, c.b)!;
    expect(page.paired).toBeNull();
    expect(page.categories.length).toBeGreaterThan(0);
    expect(compareIndexPage(rel).pairs.every((p) => p.differ === null)).toBe(true);
    expect(modelPage(rel, c.a)!.compare.every((x) => x.differ === null)).toBe(true);
  });

  it("at 100 models (4,950 pairs) lists the models, not every pair", () => {
    const rel = site.latest!;
    const ids = Array.from({ length: 100 }, (_, i) => `m-${String(i).padStart(3, "0")}`);
    const comparisons = ids.flatMap((a, i) =>
      ids.slice(i + 1).map((b) => ({ a, b, datasets: [], a_failures: 0, b_failures: 0, categories: [] as never[] })),
    );
    const big = { ...rel, aggregates: { ...rel.aggregates, comparisons } } as SiteRelease;
    const idx = compareIndexPage(big);
    expect(idx.pairs.length).toBeGreaterThan(PAIR_LIST_CAP);
    expect(idx.lists_pairs).toBe(false);
    expect(idx.models).toHaveLength(100);
    expect(idx.models.every((m) => m.pairs === 99)).toBe(true);
    // The picker's bit sets: 25 hex digits per model, every other model set.
    const bits = partnerBits(idx);
    expect(bits[0]).toBe("e" + "f".repeat(24));
    expect(bits.join("").length).toBe(2_500);
  });
});

describe("compare pages where models attempted different items", () => {
  let root: string;
  let out: string;
  let truth: Truth;
  let rel: SiteRelease;

  beforeAll(async () => {
    root = tempRoot("errormap-compare-");
    // Two demo datasets, each item twice (so differences reach significance), each model keeping a
    // different three quarters of the items (and Basalt every item), so the items two models share
    // must be read from the snapshot.
    const records = (["demo_arith", "demo_instruct"] as const).flatMap((d) => demoCopies(generateDemo().get(d)!, 2));
    const models = [...new Set(records.map((r) => r.record.model))].sort();
    const keep = (model: string, id: string) => {
      const n = Number(id.replace(/\D/g, ""));
      return model.startsWith("Basalt") || (n + models.indexOf(model)) % 4 !== 0;
    };
    const lines = records
      .filter((r) => keep(r.record.model, r.record.instance_id))
      .map((r) => JSON.stringify(r.record));
    mkdirSync(join(root, "in"));
    writeFileSync(join(root, "in", "records.jsonl"), lines.join("\n") + "\n");
    await importSnapshot({ root, snapshot: "s1", paths: [join(root, "in", "records.jsonl")] });
    await runPipeline({ root, snapshot: "s1", release: "r1", judge: "heuristic" });
    rel = loadSiteFromDisk(root).releases[0]!;
    truth = truthOf(root, rel);
    out = join(root, "dist");
    buildSite({ data: root, out, cache: join(root, "astro-cache"), pagefind: false });
  });
  afterAll(() => removeRoot(root));

  it("the models really attempted different items (read from the snapshot, not assumed)", () => {
    expect(rel.datasetIds).toHaveLength(2);
    for (const d of rel.datasetIds) {
      const partial = rel.modelIds.filter((m) => attemptedItems(rel, m, d) !== "all");
      expect(partial.length).toBeGreaterThanOrEqual(2);
      for (const m of partial)
        expect(attemptedItems(rel, m, d)).toEqual(
          new Set([...truth.attempted.get(m)!].filter((k) => k.startsWith(`${d}|`)).map((k) => k.slice(d.length + 1))),
        );
    }
  });

  it("pairs only the items both attempted, with the tables as defined", () => {
    expect(checkRelease(root, rel)).toBeGreaterThan(0);
    const sizes = rel.aggregates.comparisons.map((c) => comparePage(rel, c.a, c.b)!);
    // Two partial models share fewer items than either attempted.
    expect(sizes.some((p) => p.paired!.items < Math.min(p.a.records, p.b.records))).toBe(true);
  });

  it("gives each model's rate per 100 items it attempted", () => {
    checkModelRates(root, rel);
  });

  it("shows rates per 100 items and the paired test table on the built compare page, and carries them in data.json", () => {
    const c = rel.aggregates.comparisons.find((x) => comparePage(rel, x.a, x.b)!.paired!.rows.some((r) => r.differs))!;
    expect(c).toBeDefined();
    const page = comparePage(rel, c.a, c.b)!;
    const dir = join(out, "releases", "r1", "compare", `${c.a}--${c.b}`);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html).toContain(`Per category, on the ${page.paired!.items} items both attempted`);
    expect(html).toContain("per 100 items");
    expect(html).toContain('<table class="paired"');
    const table = html.slice(
      html.indexOf('<table class="paired'),
      html.indexOf("</table>", html.indexOf('<table class="paired')),
    );
    for (const h of ["Both (a)", "(b)", "(c)", "Neither (d)", "Adjusted p"]) expect(table).toContain(h);
    expect((table.match(/<tr/g) ?? []).length).toBe(page.paired!.rows.length + 1);
    for (const r of page.paired!.rows) expect(table).toContain(r.a_per_100.toFixed(1));
    // The words: what differs (Astro escapes the text, and quotes stay as they are).
    const differing = page.paired!.rows.find((r) => r.differs)!;
    expect(html).toContain("makes this error more often");
    expect(html).toContain(`“${differing.name}”`);
    // data.json: the page object, paired numbers included, in stable key order.
    const json = readFileSync(join(dir, "data.json"), "utf8");
    expect(JSON.parse(json).paired).toEqual(JSON.parse(JSON.stringify(page.paired)));
    expect(json.indexOf('"a_only"')).toBeLessThan(json.indexOf('"b_only"'));
    const csv = readFileSync(join(dir, "data.csv"), "utf8").split("\r\n");
    expect(csv[0]).toContain(
      "both,a_only,b_only,neither,a_per_100_shared,b_per_100_shared,mcnemar_p,mcnemar_p_adjusted",
    );
  });

  it("shows rates per 100 items attempted beside the shares on the built model page", () => {
    const m = rel.modelIds[0]!;
    const html = readFileSync(join(out, "releases", "r1", "models", m, "index.html"), "utf8");
    expect(html).toContain("How often: failures per 100 items attempted");
    expect(html).toContain("Per 100 items attempted");
    for (const r of modelPage(rel, m)!.signature) expect(html).toContain(r.per_100.toFixed(1));
  });

  it("gives the picker the pairs each model has", () => {
    const html = readFileSync(join(out, "releases", "r1", "compare", "index.html"), "utf8");
    expect((html.match(/data-with="[0-9a-f]+"/g) ?? []).length).toBe(rel.modelIds.length);
  });
});
