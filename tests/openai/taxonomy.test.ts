// Taxonomy induction (generate / update / review), the rules enforced in code, recursion,
// classification into leaves, the cache, and continuity with a previous release's taxonomy, all
// against the loopback chat server playing the judge on real failures.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JudgeCache } from "../../scripts/judges/cache.ts";
import { createOpenAIJudge, maxPerNode } from "../../scripts/judges/openai/index.ts";
import {
  IdMinter,
  distinctTitles,
  enforceRules,
  type TitleItem,
  type Working,
} from "../../scripts/judges/openai/taxonomy.ts";
import { type Taxonomy, TaxonomySchema } from "../../src/lib/schemas.ts";
import { slugify } from "../../scripts/lib/slug.ts";
import { type ChatServer, type ChatRequestBody, answerFor, skillOf, startChatServer } from "../helpers/chat-server.ts";
import { CONTEXT_SOURCES, tempDir } from "./contexts.ts";

const TAX = { batchSize: 60, classifyBatchSize: 40, minSplit: 20 };
const wordsIn = (s: string) => s.trim().split(/\s+/).length;

describe("taxonomy rules enforced in code", () => {
  const w = (name: string, description = "d", origins: string[] = []): Working => ({
    name,
    description,
    facet: "skill",
    origins,
  });

  test("names ≤ 5 words, descriptions ≤ 30 words, no catch-all, no duplicates, at most the limit", () => {
    const { cats, repairs } = enforceRules(
      [
        w("Tracking quantities across several steps of work", "x ".repeat(45)),
        w("Miscellaneous"),
        w("Other errors"),
        w("General"),
        w("Hard to analyse"),
        w("Misc reasoning slips"),
        w("Unit conversion", "a", ["p1"]),
        w("unit  conversion.", "b", ["p2"]),
        w("Reading comprehension"),
        w("Temporal reasoning"),
      ],
      3,
    );
    expect(cats.map((c) => c.name)).toEqual([
      "Tracking quantities across several steps",
      "Unit conversion",
      "Reading comprehension",
    ]);
    expect(wordsIn(cats[0]!.description)).toBe(30);
    expect(cats[1]!.origins).toEqual(["p1", "p2"]); // the duplicate merged in
    expect(repairs).toBe(2 + 5 + 1 + 1); // name + description, 5 banned, 1 duplicate, 1 over the limit
  });

  test("the per-node limit is min(25, ceil(n/10))", () => {
    expect([1, 10, 11, 95, 250, 251, 5000].map(maxPerNode)).toEqual([1, 1, 2, 10, 25, 25, 25]);
  });

  test("titles are folded, deduplicated and sorted, keeping the first summary by key", () => {
    const d = distinctTitles([
      { key: "b", title: "Unit  Conversion ", summary: "second" },
      { key: "a", title: "unit conversion", summary: "first" },
      { key: "c", title: "Arithmetic", summary: "s" },
    ]);
    expect(d.map((t) => [t.norm, t.summary])).toEqual([
      ["arithmetic", "s"],
      ["unit conversion", "first"],
    ]);
  });

  test("new ids and slugs never reuse a previous or retired category's", () => {
    const cat = (id: string, slug: string, old: string[] = []) => ({
      id,
      slug,
      name: id,
      description: "",
      parent: null,
      facet: "skill" as const,
      old_slugs: old,
      lineage: [],
    });
    const minter = new IdMinter({
      version: "r1",
      judge: "openai",
      categories: [cat("unit-conversion", "unit-conversion")],
      retired: [cat("arithmetic", "arithmetic", ["sums"])],
    });
    const out = minter.assign([w("Arithmetic"), w("Sums"), w("Unit conversion")], null);
    expect(out.map((c) => c.slug)).toEqual(["arithmetic-2", "sums-2", "unit-conversion-2"]);
    expect(new Set(out.map((c) => c.id)).size).toBe(3);
    expect(minter.retired().map((c) => c.id)).toEqual(["unit-conversion"]);
  });
});

describe.each(CONTEXT_SOURCES)("openai judge: taxonomy and classification (%s failures)", (_name, source) => {
  let server: ChatServer;
  let items: TitleItem[];
  let dir: string;
  let taxonomy: Taxonomy;
  let classes: Map<string, string>;
  const temps: (() => void)[] = [];
  const judgeOn = (d: string) =>
    createOpenAIJudge({
      baseURL: server.url,
      apiKey: "k",
      model: "gpt-4o-mini",
      cache: new JudgeCache(d),
      backoffBaseMs: 5,
      taxonomy: TAX,
    });

  async function titlesOf(n: number, d: string): Promise<TitleItem[]> {
    const ctxs = n <= 50 ? source.sample(n) : source.many(n);
    const res = await judgeOn(d).analyseAll(ctxs);
    return [...res.entries()].map(([key, v]) => ({ key, title: v.verdict!.title, summary: v.verdict!.summary }));
  }

  beforeAll(async () => {
    server = await startChatServer();
    const t = tempDir();
    temps.push(t.cleanup);
    dir = t.dir;
    items = await titlesOf(260, dir);
  });
  afterAll(async () => {
    await server.close();
    for (const c of temps) c();
  });

  test("induction runs generate, update and review, enforces the rules and recurses to depth 2", async () => {
    const judge = judgeOn(dir);
    const before = server.requests.length;
    taxonomy = await judge.induceTaxonomy(items, undefined, "r1");
    const sent = server.requests.slice(before).map((r) => r.body as ChatRequestBody);
    const taxReqs = sent.filter((b) => b.response_format?.json_schema?.name === "taxonomy");
    const stepOf = (b: ChatRequestBody) => /^TASK: (\w+)/m.exec(b.messages[1]!.content)![1];
    const topSteps = taxReqs.filter((b) => !b.messages[1]!.content.includes('name="parent"')).map(stepOf);
    const distinct = distinctTitles(items).length;
    expect(distinct).toBeGreaterThan(2 * TAX.batchSize); // so the top level needs update steps
    const batches = Math.ceil(distinct / TAX.batchSize);
    expect(topSteps).toEqual(["generate", ...Array(batches - 1).fill("update"), "review"]);
    expect(judge.stats().taxonomy_calls).toBe(taxReqs.length);
    expect(taxReqs.length).toBeGreaterThan(topSteps.length); // sub-levels were induced too
    expect(judge.stats().taxonomy_repairs).toBeGreaterThan(0); // the server proposes a Misc bucket and a long name

    // The rules, on the result.
    expect(() => TaxonomySchema.parse(taxonomy)).not.toThrow();
    expect(taxonomy.version).toBe("r1");
    const cats = taxonomy.categories;
    expect(new Set(cats.map((c) => c.id)).size).toBe(cats.length);
    expect(new Set(cats.map((c) => c.slug)).size).toBe(cats.length);
    for (const c of cats) {
      expect(wordsIn(c.name)).toBeLessThanOrEqual(5);
      expect(wordsIn(c.description)).toBeLessThanOrEqual(30);
      expect(c.name).not.toMatch(/misc|general/i);
      expect(c.slug).toBe(slugify(c.slug));
    }
    const top = cats.filter((c) => c.parent === null && c.facet !== "other" && c.facet !== "unexplained");
    expect(top.length).toBeGreaterThanOrEqual(3);
    expect(top.length).toBeLessThanOrEqual(maxPerNode(distinct));
    expect(cats.find((c) => c.id === "other")).toMatchObject({ facet: "other", parent: null });
    expect(cats.find((c) => c.id === "hard-to-analyse")).toMatchObject({ facet: "unexplained", parent: null });
    expect(cats.some((c) => c.facet === "format")).toBe(true);
    // Depth 2 at most, parents before children, and at least one category split.
    const index = new Map(cats.map((c, i) => [c.id, i]));
    const children = cats.filter((c) => c.parent !== null);
    expect(children.length).toBeGreaterThanOrEqual(2);
    for (const c of children) {
      const parent = cats[index.get(c.parent!)!]!;
      expect(parent.parent).toBeNull();
      expect(index.get(c.parent!)!).toBeLessThan(index.get(c.id)!);
      expect(c.id).toBe(`${parent.id}.${c.slug}`);
    }
    for (const p of top) {
      const kids = children.filter((c) => c.parent === p.id);
      if (kids.length) expect(kids.length).toBeGreaterThanOrEqual(2);
    }
  });

  test("every item lands in exactly one leaf, with no new call; unmatched ones in Other, counted", async () => {
    const judge = judgeOn(dir);
    const before = server.requests.length;
    classes = await judge.classifyAll(items, taxonomy);
    // Induction already asked every classification this needs.
    expect(server.requests.length).toBe(before);
    const leaves = new Set(
      taxonomy.categories.filter((c) => !taxonomy.categories.some((k) => k.parent === c.id)).map((c) => c.id),
    );
    expect(classes.size).toBe(items.length);
    for (const it of items) expect(leaves).toContain(classes.get(it.key));
    // The server's classifier places a title by its skill: check against the taxonomy's names.
    const byName = new Map(taxonomy.categories.map((c) => [c.name.toLowerCase(), c]));
    let other = 0;
    for (const it of items) {
      const leaf = taxonomy.categories.find((c) => c.id === classes.get(it.key))!;
      const topCat = byName.get(skillOf(it.title));
      if (topCat && topCat.parent === null) expect(leaf.id === topCat.id || leaf.parent === topCat.id).toBe(true);
      else {
        expect(leaf.id).toBe("other");
        other++;
      }
    }
    expect(judge.stats().classify_other).toBe(other);

    // Titles of a skill the taxonomy lacks go to Other, and are counted.
    const strays = [0, 1, 2].map((i) => ({
      key: `stray|${i}`,
      title: `juggling torches about fire${"x".repeat(i)}`,
      summary: "Not a skill here.",
    }));
    const j2 = judgeOn(dir);
    const withStrays = await j2.classifyAll([...items, ...strays], taxonomy);
    for (const s of strays) expect(withStrays.get(s.key)).toBe("other");
    expect(j2.stats().classify_other).toBe(other + 3);
    expect(j2.stats().classify_calls).toBeGreaterThan(0);
  });

  test("no titles: only the reserved categories, and no call", async () => {
    const before = server.requests.length;
    const empty = await judgeOn(dir).induceTaxonomy([], undefined, "r0");
    expect(server.requests.length).toBe(before);
    expect(empty.categories.map((c) => c.id)).toEqual(["hard-to-analyse", "other"]);
  });

  test("a re-run of induction and classification makes no call and gives the same result", async () => {
    const judge = judgeOn(dir);
    const before = server.requests.length;
    const again = await judge.induceTaxonomy(items, undefined, "r1");
    const classesAgain = await judge.classifyAll(items, again);
    expect(server.requests.length).toBe(before);
    expect(again).toEqual(taxonomy);
    expect(classesAgain).toEqual(classes);
    expect(judge.stats()).toMatchObject({ taxonomy_calls: 0, classify_calls: 0 });
    expect(judge.answerUsage().calls).toBeGreaterThan(0); // cached answers still carry their usage
  });

  test("starting from a previous taxonomy keeps ids, records renames, merges and splits, retires the rest", async () => {
    const t = tempDir();
    temps.push(t.cleanup);
    const prevTop = taxonomy.categories.filter(
      (c) => c.parent === null && c.facet !== "other" && c.facet !== "unexplained",
    );
    expect(prevTop.length).toBeGreaterThanOrEqual(4);
    // Change four categories without sub-categories; the split ones stay unchanged.
    const hasKids = (id: string) => taxonomy.categories.some((c) => c.parent === id);
    // (Names of at most four words, so that the renamed one, a word longer, stays within the limit.)
    const leavesTop = prevTop.filter((c) => !hasKids(c.id) && wordsIn(c.name) < 5);
    expect(leavesTop.length).toBeGreaterThanOrEqual(4);
    expect(prevTop.some((c) => hasKids(c.id))).toBe(true);
    const [renamed, m1, m2, split] = leavesTop.slice(-4) as [
      (typeof prevTop)[0],
      (typeof prevTop)[0],
      (typeof prevTop)[0],
      (typeof prevTop)[0],
    ];
    const changed = new Set([renamed, m1, m2, split].map((c) => c.id));
    // This server's review renames one category, merges two and splits one.
    const reviewer = (schema: string, body: ChatRequestBody) => {
      const user = body.messages[1]!.content;
      if (schema !== "taxonomy" || !/^TASK: review/m.test(user) || user.includes('name="parent"')) return undefined;
      const base = answerFor(body, { messy: false }) as {
        categories: { name: string; description: string; facet: string; from: string[] }[];
      };
      const out = base.categories.filter((c) => ![renamed.name, m1.name, m2.name, split.name].includes(c.name));
      out.push(
        { name: `${renamed.name} skill`, description: "Renamed.", facet: "skill", from: [renamed.name] },
        { name: "Combined option handling", description: "Merged.", facet: "skill", from: [m1.name, m2.name] },
        { name: "Split part one", description: "Split.", facet: "skill", from: [split.name] },
        { name: "Split part two", description: "Split.", facet: "skill", from: [split.name] },
      );
      return { categories: out };
    };
    const server2 = await startChatServer({ answer: reviewer });
    try {
      // A lower split threshold: the new slice has fewer titles per category.
      const TAX2 = { ...TAX, minSplit: 12 };
      const judge = createOpenAIJudge({
        baseURL: server2.url,
        apiKey: "k",
        model: "gpt-4o-mini",
        cache: new JudgeCache(t.dir),
        backoffBaseMs: 5,
        taxonomy: TAX2,
      });
      // New failures (another slice of the data) against the old taxonomy.
      const ctxs = source.another(240);
      const res = await judge.analyseAll(ctxs);
      const newItems = [...res.entries()].map(([key, v]) => ({
        key,
        title: v.verdict!.title,
        summary: v.verdict!.summary,
      }));
      const before = server2.requests.length;
      const next = await judge.induceTaxonomy(newItems, taxonomy, "r2");
      const steps = server2.requests
        .slice(before)
        .map((r) => r.body as ChatRequestBody)
        .filter(
          (b) =>
            b.response_format?.json_schema?.name === "taxonomy" && !b.messages[1]!.content.includes('name="parent"'),
        )
        .map((b) => /^TASK: (\w+)/m.exec(b.messages[1]!.content)![1]);
      expect(steps[0]).toBe("update"); // no generate: the old taxonomy is the start
      expect(steps.at(-1)).toBe("review");

      expect(() => TaxonomySchema.parse(next)).not.toThrow();
      const byId = new Map(next.categories.map((c) => [c.id, c]));
      // Unchanged categories keep id, slug and have no lineage.
      for (const c of prevTop.filter((c) => !changed.has(c.id)))
        expect(byId.get(c.id)).toMatchObject({ slug: c.slug, name: c.name, lineage: [] });
      // Renamed: same id, new slug, the old slug kept for redirects.
      const r = byId.get(renamed.id)!;
      expect(r.name).toBe(`${renamed.name} skill`);
      expect(r.slug).not.toBe(renamed.slug);
      expect(r.old_slugs).toContain(renamed.slug);
      expect(r.lineage).toContainEqual({ kind: "renamed", id: renamed.id, release: "r1" });
      // Merged: a new category recording both; split: two recording the old one.
      const merged = next.categories.find((c) => c.name === "Combined option handling")!;
      expect(merged.lineage).toEqual([
        { kind: "merged_from", id: [m1.id, m2.id].sort()[0], release: "r1" },
        { kind: "merged_from", id: [m1.id, m2.id].sort()[1], release: "r1" },
      ]);
      const parts = next.categories.filter((c) => c.name.startsWith("Split part"));
      expect(parts).toHaveLength(2);
      for (const p of parts) expect(p.lineage).toEqual([{ kind: "split_from", id: split.id, release: "r1" }]);
      // What nothing continues is retired; nothing new reuses an old slug.
      const retired = next.retired.map((c) => c.id);
      for (const id of [m1.id, m2.id, split.id]) expect(retired).toContain(id);
      expect(retired).not.toContain(renamed.id);
      const oldSlugs = new Set(taxonomy.categories.map((c) => c.slug));
      for (const c of next.categories)
        if (!taxonomy.categories.some((p) => p.id === c.id)) expect(oldSlugs.has(c.slug)).toBe(false);
      // Children of continuing categories that still split keep their ids.
      const keptKids = taxonomy.categories.filter((c) => c.parent && byId.has(c.parent) && byId.has(c.id));
      expect(keptKids.length).toBeGreaterThanOrEqual(2);
      for (const k of keptKids) expect(byId.get(k.id)).toMatchObject({ slug: k.slug, parent: k.parent, lineage: [] });

      // Re-run from the cache: no calls, same taxonomy.
      const before2 = server2.requests.length;
      const again = await createOpenAIJudge({
        baseURL: server2.url,
        apiKey: "k",
        model: "gpt-4o-mini",
        cache: new JudgeCache(t.dir),
        taxonomy: TAX2,
      }).induceTaxonomy(newItems, taxonomy, "r2");
      expect(server2.requests.length).toBe(before2);
      expect(again).toEqual(next);
    } finally {
      await server2.close();
    }
  });
});
