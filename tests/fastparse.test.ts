// fastParser (src/lib/fastparse.ts) against zod itself: on the demo data's files, and on those files
// with a field at every position set to odd values, removed, or joined by an unknown key, both must
// accept the same values and give the same data (compared as the stable JSON it is written as).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { stableJsonLine } from "../src/lib/jsonio.ts";
import { fastParser } from "../src/lib/fastparse.ts";
import { AggregatesSchema, ReleaseSchema, TaxonomySchema, RegistrySchema } from "../src/lib/schemas.ts";

const ODD: unknown[] = [
  null,
  "",
  "Upper Case",
  "ok-id",
  "x".repeat(64),
  0,
  -1,
  0.5,
  1.5,
  2 ** 60,
  Infinity,
  true,
  [],
  [1, "a"],
  [0, 1, 2],
  {},
  { a: 1 },
  JSON.parse('{"__proto__": {"x": 1}}'),
  Object.create({ inherited: 1 }),
];
const REMOVE = Symbol("remove");

type Path = (string | number)[];
/** Every path to a value inside `v` (objects' keys and arrays' indexes), root excluded. */
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([...at, i]);
      paths(x, [...at, i], out);
    });
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      out.push([...at, k]);
      paths(x, [...at, k], out);
    }
  return out;
}

/** Runs `fn` with the value at `path` replaced (or removed), then puts the original back. */
function withChange(root: unknown, path: Path, value: unknown, fn: () => void) {
  const parent = path.slice(0, -1).reduce((o: any, k) => o[k], root) as any;
  const key = path.at(-1)!;
  const had = Object.hasOwn(parent, key);
  const old = parent[key];
  if (value === REMOVE) delete parent[key];
  else parent[key] = value;
  try {
    fn();
  } finally {
    if (had) parent[key] = old;
    else delete parent[key];
  }
}

function agree(schema: z.ZodType, value: unknown) {
  const fast = fastParser(schema)(value);
  const slow = schema.safeParse(value);
  expect(fast.success).toBe(slow.success);
  if (fast.success) expect(stableJsonLine(fast.data)).toBe(stableJsonLine(slow.data));
  return fast;
}

/** Agreement on the value and on its variants at (up to `limit`, spread evenly) paths. */
function agreeOnVariants(schema: z.ZodType, value: unknown, limit = Infinity): number {
  const all = paths(value);
  const step = Math.max(1, Math.floor(all.length / limit));
  let n = 0;
  for (let i = 0; i < all.length; i += step) {
    const path = all[i]!;
    for (const v of [...ODD, REMOVE])
      withChange(value, path, v, () => {
        agree(schema, value);
        n++;
      });
    const parent = path.slice(0, -1).reduce((o: any, k) => o[k], value) as any;
    if (parent && typeof parent === "object" && !Array.isArray(parent))
      withChange(value, [...path.slice(0, -1), "unknown_key"], 1, () => {
        agree(schema, value);
        n++;
      });
  }
  return n;
}

const releasesDir = join(import.meta.dirname, "../data/releases");
const releaseIds = readdirSync(releasesDir).sort();
const readJson = (id: string, file: string) => JSON.parse(readFileSync(join(releasesDir, id, file), "utf8"));

describe("fastParser", () => {
  it("returns the demo files as they are, where zod returns equal copies", () => {
    for (const id of releaseIds) {
      for (const [schema, file] of [
        [AggregatesSchema, "aggregates.json"],
        [ReleaseSchema, "release.json"],
        [TaxonomySchema, "taxonomy.json"],
        [RegistrySchema, "registry.json"],
      ] as const) {
        const value = readJson(id, file);
        const r = agree(schema, value);
        expect(r.success, `${id}/${file}`).toBe(true);
        // the big one takes the fast path (a schema with a part the compiler does not know may not)
        if (file === "aggregates.json") expect(r.data, `${id}/${file}: the same object, not a copy`).toBe(value);
      }
    }
  });

  it("agrees with zod on every field of a release's small files set to odd values", () => {
    const id = releaseIds.at(-1)!;
    let n = 0;
    n += agreeOnVariants(ReleaseSchema, readJson(id, "release.json"));
    n += agreeOnVariants(TaxonomySchema, readJson(id, "taxonomy.json"));
    n += agreeOnVariants(RegistrySchema, readJson(id, "registry.json"), 300);
    expect(n).toBeGreaterThan(2000);
  });

  it("agrees with zod on aggregates with every field set to odd values", () => {
    // Every array cut to its first two items: the same positions in the schema, far fewer variants.
    const trim = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.slice(0, 2).map(trim)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trim(x)]))
          : v;
    const value = trim(readJson(releaseIds.at(-1)!, "aggregates.json"));
    expect(AggregatesSchema.safeParse(value).success).toBe(true);
    expect(agreeOnVariants(AggregatesSchema, value)).toBeGreaterThan(5000);
  });

  it("leaves to zod what it cannot check: transforms, defaults, refinements, unions", () => {
    const schemas: [z.ZodType, unknown][] = [
      [z.string().transform((s) => s.toUpperCase()), "abc"],
      [z.object({ a: z.number().default(3) }), {}],
      [z.number().refine((x) => x > 2, "too small"), 1],
      [z.union([z.string(), z.number()]), 4],
      [z.object({ a: z.string() }), { a: "x", extra: 1 }], // stripped by zod: not the same value
      [z.string().email(), "not an email"],
    ];
    for (const [schema, value] of schemas) agree(schema, value);
    expect(fastParser(z.string().transform((s) => s.toUpperCase()))("abc")).toEqual({ success: true, data: "ABC" });
    expect(fastParser(z.object({ a: z.number().default(3) }))({})).toEqual({ success: true, data: { a: 3 } });
  });
});
