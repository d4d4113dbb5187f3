// Taxonomy induction and classification for the openai judge (the generate / update / review
// loop of TnT-LLM), with the rules enforced in code after every answer, stable ids and lineage
// across releases.
//
// Ids: a new category's id is its slug at the top level and "<parent id>.<slug>" below (slugs are
// unique across the taxonomy and never reuse a slug of the previous taxonomy, so ids never
// collide); once minted, an id stays with the category while it continues, even when renamed.
// Reserved categories: "hard-to-analyse" (facet unexplained; offered to the classifier at the
// top level) and "other" (facet other; where unmatched titles go). Titles are deduplicated
// (case and spacing folded) and sorted, so the same items always give the same requests.
import { z } from "zod";
import type { Category, Taxonomy, Usage } from "../../../src/lib/schemas.ts";
import { TaxonomySchema } from "../../../src/lib/schemas.ts";
import { slugify, uniqueSlug } from "../../lib/slug.ts";
import type { CallResult, StructuredCaller } from "./caller.ts";
import {
  CLASSIFY_PROMPT_VERSION,
  OTHER_CHOICE,
  TAXONOMY_PROMPT_VERSION,
  type DraftCategory,
  type TaxonomyStep,
  classifyMessages,
  taxonomyMessages,
} from "./prompts.ts";

export interface TitleItem {
  key: string;
  title: string;
  summary: string;
}

export interface TaxonomyOptions {
  /** Titles per generate/update request (default 100). */
  batchSize?: number;
  /** Titles per classification request (default 50). */
  classifyBatchSize?: number;
  /** Distinct titles a category needs before it is split into sub-categories (default 20). */
  minSplit?: number;
  /** Deepest level (default 2: top level and one level of sub-categories). */
  maxDepth?: number;
}

export const OTHER: Category = {
  id: "other",
  slug: "other",
  name: "Other",
  description: "Failures the classifier could not place in any category.",
  parent: null,
  facet: "other",
  old_slugs: [],
  lineage: [],
};
export const HARD: Category = {
  id: "hard-to-analyse",
  slug: "hard-to-analyse",
  name: "Hard to analyse",
  description: "The analysis could not name a clear error: the item, reference or output is too unclear to analyse.",
  parent: null,
  facet: "unexplained",
  old_slugs: [],
  lineage: [],
};
const RESERVED = new Set([OTHER.id, HARD.id]);

export const DraftAnswerSchema = z.object({
  categories: z.array(
    z.object({
      name: z.string().describe("At most 5 words, naming a capability."),
      description: z.string().describe("At most 30 words: what belongs in this category."),
      facet: z.enum(["skill", "format", "noise"]),
      from: z
        .array(z.string())
        .describe("Names of current categories this one continues, merges or splits; empty if new."),
    }),
  ),
});

export function classificationSchema(ids: string[]) {
  return z.object({
    assignments: z.array(
      z.object({
        n: z.number().int().describe("Number of the title."),
        category: z.enum([OTHER_CHOICE, ...ids]).describe("Id of the category."),
      }),
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// Pure rules

export const maxPerNode = (n: number) => Math.min(25, Math.ceil(n / 10));

export const normTitle = (t: string) => t.trim().replace(/\s+/g, " ").toLowerCase();

const words = (s: string) => s.trim().split(/\s+/).filter(Boolean);

/** Catch-all names the rules forbid, and the reserved ones the model must not propose. */
const BANNED =
  /^(misc\b|miscellaneous|others?\b|general\b|various|uncategori[sz]ed|hard to analy[sz]e)|\b(misc|miscellaneous)\b/i;

/** A working category: its answer fields and the previous-taxonomy ids it descends from. */
export interface Working {
  name: string;
  description: string;
  facet: "skill" | "format" | "noise";
  origins: string[];
}

/**
 * Enforces the rules on a list of categories: names ≤ 5 words, descriptions ≤ 30 words, no catch-all
 * or reserved names, no two categories with the same slug (merged), at most `limit`. Returns the
 * list and how many repairs it made.
 */
export function enforceRules(cats: Working[], limit: number): { cats: Working[]; repairs: number } {
  let repairs = 0;
  const bySlug = new Map<string, Working>();
  for (const c of cats) {
    let name = words(c.name.replace(/[.:;,]+$/, "")).join(" ");
    if (words(name).length > 5) {
      name = words(name).slice(0, 5).join(" ");
      repairs++;
    }
    let description = words(c.description).join(" ");
    if (words(description).length > 30) {
      description = words(description).slice(0, 30).join(" ");
      repairs++;
    }
    if (!name || BANNED.test(name)) {
      repairs++;
      continue;
    }
    const slug = slugify(name);
    const same = bySlug.get(slug);
    if (same) {
      same.origins = [...new Set([...same.origins, ...c.origins])].sort();
      repairs++;
      continue;
    }
    bySlug.set(slug, { name, description, facet: c.facet, origins: [...c.origins].sort() });
  }
  const out = [...bySlug.values()];
  if (out.length > limit) repairs += out.length - limit;
  return { cats: out.slice(0, limit), repairs };
}

/** Distinct titles (folded), sorted; the summary of the first item (by key) with that title. */
export function distinctTitles(items: TitleItem[]): { norm: string; title: string; summary: string }[] {
  const first = new Map<string, TitleItem>();
  for (const it of [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const n = normTitle(it.title);
    if (n && !first.has(n)) first.set(n, it);
  }
  return [...first.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([norm, it]) => ({ norm, title: it.title.trim().replace(/\s+/g, " "), summary: it.summary }));
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Up to n items spread evenly over xs. */
function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);
}

// ---------------------------------------------------------------------------------------------
// The builder

type Distinct = { norm: string; title: string; summary: string };

export interface TaxonomyCounters {
  taxonomy_calls: number;
  classify_calls: number;
  taxonomy_repairs: number;
  classify_errors: number;
  /** Titles the classifier put in no category (they go to "Other"). */
  classify_other: number;
}

export class TaxonomyEngine {
  readonly o: Required<TaxonomyOptions>;
  private caller: StructuredCaller;
  readonly counters: TaxonomyCounters;
  private onAnswer: (hash: string, usage: Usage) => void;
  constructor(
    caller: StructuredCaller,
    counters: TaxonomyCounters,
    onAnswer: (hash: string, usage: Usage) => void,
    opts: TaxonomyOptions = {},
  ) {
    this.caller = caller;
    this.counters = counters;
    this.onAnswer = onAnswer;
    this.o = { batchSize: 100, classifyBatchSize: 50, minSplit: 20, maxDepth: 2, ...opts };
  }

  private async ask<T>(
    schema: z.ZodType<T>,
    name: string,
    messages: ReturnType<typeof taxonomyMessages>,
    version: string,
    kind: "taxonomy" | "classify",
  ): Promise<CallResult<T>> {
    const body = this.caller.request(messages, schema, name);
    const r = await this.caller.call(schema, body, version);
    if (r.ok ? !r.cached : r.callUsage.calls > 0)
      this.counters[kind === "taxonomy" ? "taxonomy_calls" : "classify_calls"]++;
    if (r.ok) this.onAnswer(r.hash, r.answerUsage);
    return r;
  }

  /** One generate / update / review step; the answer is mapped onto working categories and enforced. */
  private async step(
    step: TaxonomyStep,
    limit: number,
    parent: Category | null,
    current: Working[],
    titles: Distinct[],
  ): Promise<Working[]> {
    const messages = taxonomyMessages({
      step,
      limit,
      parent: parent && { name: parent.name, description: parent.description },
      current: current.map((c) => ({ name: c.name, description: c.description, facet: c.facet })),
      titles: titles.map((t) => ({ title: t.title, summary: t.summary })),
    });
    const r = await this.ask(DraftAnswerSchema, "taxonomy", messages, TAXONOMY_PROMPT_VERSION, "taxonomy");
    if (!r.ok) throw new Error(`taxonomy ${step} failed: ${r.error}`);
    const byName = new Map(current.map((c) => [c.name.toLowerCase(), c]));
    const mapped: Working[] = r.value.categories.map((d: DraftCategory) => ({
      name: d.name,
      description: d.description,
      facet: d.facet,
      origins: [...new Set(d.from.flatMap((f) => byName.get(f.trim().toLowerCase())?.origins ?? []))].sort(),
    }));
    const { cats, repairs } = enforceRules(mapped, limit);
    this.counters.taxonomy_repairs += repairs;
    return cats;
  }

  /** Categories for one node: generate (or start from the previous ones), update per batch, review. */
  async induceLevel(titles: Distinct[], parent: Category | null, start: Working[]): Promise<Working[]> {
    const limit = maxPerNode(titles.length);
    const batches = chunk(titles, this.o.batchSize);
    let cur = enforceRules(start, Infinity).cats;
    if (titles.length === 0) return cur; // nothing new to place: no call
    let rest = batches;
    if (cur.length === 0) {
      cur = await this.step("generate", limit, parent, [], batches[0] ?? []);
      rest = batches.slice(1);
    }
    for (const b of rest) cur = await this.step("update", limit, parent, cur, b);
    return this.step("review", limit, parent, cur, spread(titles, this.o.batchSize));
  }

  /** Places each distinct title into one of `choices` (by id) or OTHER_CHOICE. */
  async classifyLevel(titles: Distinct[], choices: Category[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (titles.length === 0) return out;
    const schema = classificationSchema(choices.map((c) => c.id));
    const valid = new Set(choices.map((c) => c.id));
    for (const batch of chunk(titles, this.o.classifyBatchSize)) {
      const r = await this.ask(
        schema,
        "classification",
        classifyMessages(choices, batch),
        CLASSIFY_PROMPT_VERSION,
        "classify",
      );
      if (!r.ok) {
        if (r.budget) throw new Error("classification stopped: budget exhausted");
        this.counters.classify_errors++;
      }
      const got = new Map<number, string>();
      if (r.ok)
        for (const a of r.value.assignments) if (!got.has(a.n) && valid.has(a.category)) got.set(a.n, a.category);
      batch.forEach((t, n) => {
        out.set(t.norm, got.get(n) ?? OTHER_CHOICE);
      });
    }
    return out;
  }

  /** Builds the taxonomy: induces the top level, classifies, recurses into large categories. */
  async induce(items: TitleItem[], previous: Taxonomy | undefined, version: string): Promise<Taxonomy> {
    const titles = distinctTitles(items);
    const ids = new IdMinter(previous);
    const prevChildren = (ids: string[]) =>
      (previous?.categories ?? [])
        .filter((c) => c.parent !== null && ids.includes(c.parent))
        .map((c) => ({
          name: c.name,
          description: c.description,
          facet: c.facet as Working["facet"],
          origins: [c.id],
        }));
    const prevTop = (previous?.categories ?? [])
      .filter(
        (c) =>
          c.parent === null &&
          !RESERVED.has(c.id) &&
          (c.facet === "skill" || c.facet === "format" || c.facet === "noise"),
      )
      .map((c) => ({ name: c.name, description: c.description, facet: c.facet as Working["facet"], origins: [c.id] }));

    const out: Category[] = [];
    const build = async (level: Distinct[], parent: Category | null, start: Working[], depth: number) => {
      const working = await this.induceLevel(level, parent, start);
      const cats = ids.assign(working, parent);
      const choices = parent ? cats : [...cats, HARD];
      const placed = await this.classifyLevel(level, choices);
      for (const [i, c] of cats.entries()) {
        out.push(c);
        const mine = level.filter((t) => placed.get(t.norm) === c.id);
        if (depth < this.o.maxDepth && mine.length >= this.o.minSplit && maxPerNode(mine.length) >= 2) {
          const before = out.length;
          await build(mine, c, prevChildren(working[i]!.origins), depth + 1);
          // A split into fewer than two sub-categories says nothing: keep the parent a leaf.
          if (out.length - before < 2) ids.release(out.splice(before));
        }
      }
    };
    await build(titles, null, prevTop, 1);
    out.push(HARD, OTHER);
    return TaxonomySchema.parse({
      version,
      judge: "openai",
      categories: out,
      retired: ids.retired(),
    });
  }

  /** Puts every item into exactly one leaf: top level first, then among the chosen category's children. */
  async classify(items: TitleItem[], taxonomy: Taxonomy): Promise<Map<string, string>> {
    const titles = distinctTitles(items);
    const top = taxonomy.categories.filter((c) => c.parent === null && c.id !== OTHER.id);
    const placed = await this.classifyLevel(titles, top);
    const leaf = new Map<string, string>();
    for (const c of top) {
      const mine = titles.filter((t) => placed.get(t.norm) === c.id);
      const children = taxonomy.categories.filter((k) => k.parent === c.id);
      if (children.length === 0) for (const t of mine) leaf.set(t.norm, c.id);
      else {
        const sub = await this.classifyLevel(mine, children);
        for (const t of mine) leaf.set(t.norm, sub.get(t.norm) === OTHER_CHOICE ? OTHER.id : sub.get(t.norm)!);
      }
    }
    const out = new Map<string, string>();
    for (const it of items) {
      const id = leaf.get(normTitle(it.title)) ?? OTHER.id;
      if (id === OTHER.id) this.counters.classify_other++;
      out.set(it.key, id);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Ids, slugs and lineage

export class IdMinter {
  private slugs = new Set<string>([OTHER.slug, HARD.slug]);
  private continued = new Set<string>();
  private prev = new Map<string, Category>();
  private prevVersion: string;

  private previous: Taxonomy | undefined;
  constructor(previous: Taxonomy | undefined) {
    this.previous = previous;
    this.prevVersion = previous?.version ?? "";
    for (const c of [...(previous?.categories ?? []), ...(previous?.retired ?? [])]) {
      this.prev.set(c.id, c);
      this.slugs.add(c.slug);
      for (const s of c.old_slugs) this.slugs.add(s);
    }
  }

  private fresh(w: Working, parent: Category | null, lineage: Category["lineage"]): Category {
    const slug = uniqueSlug(w.name, this.slugs);
    return {
      id: parent ? `${parent.id}.${slug}` : slug,
      slug,
      name: w.name,
      description: w.description,
      parent: parent?.id ?? null,
      facet: w.facet,
      old_slugs: [],
      lineage,
    };
  }

  private keep(w: Working, parent: Category | null, x: Category, extra: Category["lineage"]): Category {
    this.continued.add(x.id);
    const slug = slugify(w.name);
    const base = { ...x, name: w.name, description: w.description, facet: w.facet, parent: parent?.id ?? null };
    if (slug === x.slug) return { ...base, lineage: [...x.lineage, ...extra] };
    // Renamed: a new slug (or an old one of its own back), the current one kept for redirects.
    const own = x.old_slugs.includes(slug);
    const newSlug = own ? slug : uniqueSlug(w.name, this.slugs);
    return {
      ...base,
      slug: newSlug,
      old_slugs: [...new Set([...x.old_slugs.filter((s) => s !== newSlug), x.slug])],
      lineage: [...x.lineage, { kind: "renamed", id: x.id, release: this.prevVersion }, ...extra],
    };
  }

  /** Categories with ids for one level's working list, continuing previous ones where they can. */
  assign(working: Working[], parent: Category | null): Category[] {
    const claims = new Map<string, number>();
    for (const w of working) for (const o of w.origins) claims.set(o, (claims.get(o) ?? 0) + 1);
    return working.map((w) => {
      const origins = w.origins.filter((o) => this.prev.has(o));
      const live = origins.filter((o) => !this.continued.has(o));
      const slug = slugify(w.name);
      const sameName = live.find((o) => this.prev.get(o)!.slug === slug || this.prev.get(o)!.old_slugs.includes(slug));
      const lineage = (kind: "merged_from" | "split_from", ids: string[]) =>
        ids.map((id) => ({ kind, id, release: this.prevVersion }));
      if (origins.length === 0) return this.fresh(w, parent, []);
      if (origins.length === 1) {
        const x = this.prev.get(origins[0]!)!;
        if ((claims.get(x.id) ?? 0) === 1 && live.length === 1) return this.keep(w, parent, x, []);
        if (sameName) return this.keep(w, parent, x, []);
        return this.fresh(w, parent, lineage("split_from", [x.id]));
      }
      if (sameName)
        return this.keep(
          w,
          parent,
          this.prev.get(sameName)!,
          lineage(
            "merged_from",
            origins.filter((o) => o !== sameName),
          ),
        );
      return this.fresh(w, parent, lineage("merged_from", origins));
    });
  }

  /** Gives back ids and slugs of categories that were dropped (a split into fewer than two). */
  release(cats: Category[]): void {
    for (const c of cats) {
      if (this.prev.has(c.id)) this.continued.delete(c.id);
      else this.slugs.delete(c.slug);
    }
  }

  /** Categories of the previous taxonomy that nothing continues. */
  retired(): Category[] {
    return (this.previous?.categories ?? []).filter((c) => !RESERVED.has(c.id) && !this.continued.has(c.id));
  }
}
