// The owners of the data files this layer adds (src/lib/data/registry.ts, release-reviews.ts; the
// CLI-only published.json, reviews store and judge cache under scripts/) and the one error form
// they all report in: "<file>: line N, field a.b: message" (src/lib/data/errors.ts).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { readCacheFolders, readCacheKeys, cacheKeysText, JudgeCache } from "../../scripts/judges/cache.ts";
import { addPublished, readPublished } from "../../scripts/pipeline/published.ts";
import { readReviews, reviewTexts, writeReviews } from "../../scripts/review/store.ts";
import { SheetErrors } from "../../scripts/review/sheet.ts";
import { ImportError, fromZod } from "../../scripts/import/errors.ts";
import { dataProblem, listEntryError, problemAt, problemText } from "../../src/lib/data/errors.ts";
import {
  readRegistry,
  readRegistryEntriesRaw,
  readReleaseRegistry,
  readReleaseRegistryRaw,
  registryListText,
  releaseRegistryText,
  writeRegistry,
} from "../../src/lib/data/registry.ts";
import { readReleaseReviews, releaseReviewsPath, releaseReviewsText } from "../../src/lib/data/release-reviews.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import type { Registry } from "../../src/lib/schemas.ts";
import { REPO } from "../helpers/evaldata.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
/** A throw-away data root with a copy of the committed registry. */
function root(): string {
  const r = mkdtempSync(join(tmpdir(), "errormap-owners-"));
  roots.push(r);
  cpSync(join(REPO, "data", "registry"), join(r, "registry"), { recursive: true });
  return r;
}

describe("the one error form", () => {
  it('says "<file>: line N, field a.b: message", leaving out what is not known', () => {
    expect(problemAt("f.jsonl", 3, "a.b", "bad")).toBe("f.jsonl: line 3, field a.b: bad");
    expect(problemAt("f.jsonl", 3, null, "bad")).toBe("f.jsonl: line 3: bad");
    expect(problemAt("f.json", null, "a.b", "bad")).toBe("f.json: field a.b: bad");
    expect(problemAt("f.json", null, null, "bad")).toBe("f.json: bad");
    expect(problemAt("s.csv", "row 2 (line 3)", "output", "bad")).toBe("s.csv: row 2 (line 3), field output: bad");
  });

  it("takes the field from a zod error's first issue and names JSON that does not parse", () => {
    const zerr = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } }).error!;
    expect(dataProblem("f.jsonl", 7, zerr)).toMatch(/^f\.jsonl: line 7, field a\.b: .*expected number/);
    expect(problemText(zerr)).toMatch(/^field a\.b: /);
    let syntax: unknown;
    try {
      JSON.parse("{");
    } catch (e) {
      syntax = e;
    }
    expect(dataProblem("f.json", null, syntax)).toMatch(/^f\.json: not valid JSON: /);
  });

  it("places a problem in a JSON list by its entry", () => {
    const zerr = z.array(z.object({ id: z.string() })).safeParse([{ id: "a" }, { id: 2 }]).error!;
    expect(listEntryError("list.json", zerr).message).toMatch(/^list\.json: entry 1, field id: /);
  });

  it("is the form of import errors and review sheet errors", () => {
    expect(new ImportError("a.csv", "row 2 (line 3)", "score", "not a number").message).toBe(
      "a.csv: row 2 (line 3), field score: not a number",
    );
    expect(new ImportError("a.json", "file", null, "malformed JSON").message).toBe("a.json: file: malformed JSON");
    const missing = z.object({ output: z.string() }).safeParse({}).error!;
    expect(fromZod("a.jsonl", "line 4", missing).message).toBe("a.jsonl: line 4, field output: missing required field");
    const sheet = new SheetErrors("s.csv");
    sheet.add(3, "verdict", "bad");
    expect(sheet.lines).toEqual(["s.csv: row 3, field verdict: bad"]);
  });
});

describe("the registry's owner", () => {
  it("reads, validates and writes the registry, byte for byte as committed", () => {
    const r = root();
    const reg = readRegistry(r);
    expect(reg.models.length).toBeGreaterThan(0);
    const before = readFileSync(layout(r).modelsFile, "utf8");
    writeRegistry(r, { models: [...reg.models].reverse(), datasets: reg.datasets });
    expect(readFileSync(layout(r).modelsFile, "utf8")).toBe(before);
    expect(registryListText(reg.datasets)).toBe(readFileSync(layout(r).datasetsFile, "utf8"));
  });

  it("gives the site the entries as they are, by id", () => {
    const r = root();
    const raw = readRegistryEntriesRaw(r, "datasets");
    expect(raw.map((e) => e.id)).toEqual(readRegistry(r).datasets.map((d) => d.id));
  });

  it("accepts a byte order mark, and names file, entry and field of a bad entry", () => {
    const r = root();
    const path = layout(r).modelsFile;
    const text = readFileSync(path, "utf8");
    writeFileSync(path, `\uFEFF${text}`);
    expect(readRegistry(r).models.length).toBeGreaterThan(0);
    const list = JSON.parse(text);
    list[1].aliases = "one";
    writeFileSync(path, JSON.stringify(list));
    expect(() => readRegistry(r)).toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: entry 1, field aliases: `),
    );
    writeFileSync(path, "{");
    expect(() => readRegistry(r)).toThrow(/models\.json: not valid JSON: /);
    writeFileSync(path, "{}");
    expect(() => readRegistry(r)).toThrow(/models\.json: expected a JSON list of entries/);
    writeFileSync(path, Buffer.from([0x5b, 0xff, 0x5d]));
    expect(() => readRegistry(r)).toThrow(/models\.json: line 1, byte 2: not valid UTF-8/);
  });

  it("writes a release's frozen copy sorted and validated, and reads it back", () => {
    const r = root();
    const reg = readRegistry(r);
    const used: Registry = { models: reg.models.slice(0, 3).reverse(), datasets: reg.datasets.slice(0, 2).reverse() };
    const text = releaseRegistryText(used);
    const path = layout(r).releaseFile("x", RELEASE_FILE.registry);
    mkdirSync(layout(r).release("x"), { recursive: true });
    writeFileSync(path, text);
    const back = readReleaseRegistry(r, "x");
    expect(back.models.map((m) => m.id)).toEqual(used.models.map((m) => m.id).sort());
    expect(readReleaseRegistryRaw(r, "x")).toEqual(JSON.parse(text));
    writeFileSync(path, JSON.stringify({ models: [{ id: 1 }], datasets: [] }));
    expect(() => readReleaseRegistry(r, "x")).toThrow(/registry\.json: field models\.0\.id: /);
  });
});

describe("a release's reviews.json", () => {
  it("is absent for a release without reviews, validated otherwise", () => {
    const r = root();
    mkdirSync(layout(r).release("x"), { recursive: true });
    expect(readReleaseReviews(r, "x")).toBeNull();
    writeFileSync(releaseReviewsPath(r, "x"), releaseReviewsText({ items: [], failures: [] }));
    expect(readReleaseReviews(r, "x")).toEqual({ items: [], failures: [] });
    writeFileSync(releaseReviewsPath(r, "x"), JSON.stringify({ items: [{ dataset: "d" }], failures: [] }));
    expect(() => readReleaseReviews(r, "x")).toThrow(/reviews\.json: field items\.0\.[a-z_]+: /);
  });
});

describe("the reviews store", () => {
  it("round-trips its files and names line and field of a bad line", () => {
    const r = root();
    const review = {
      dataset: "d",
      instance_id: "1",
      reference_sha256: "0".repeat(64),
      verdict: "reference-wrong" as const,
      note: "",
      reviewer: "t",
      date: "2026-01-02",
    };
    writeReviews(r, { items: [review], failures: [] });
    expect(readReviews(r)).toEqual({ items: [review], failures: [] });
    expect(readFileSync(layout(r).itemReviewsFile, "utf8")).toBe(reviewTexts({ items: [review], failures: [] }).items);
    writeFileSync(layout(r).itemReviewsFile, "\n{\n");
    expect(() => readReviews(r)).toThrow(/items\.jsonl: line 2: not valid JSON: /);
  });
});

describe("data/published.json", () => {
  it("is read and written only whole, sorted, each release once; a bad entry is named", () => {
    const r = root();
    expect(readPublished(r)).toEqual([]);
    const d = "a".repeat(64);
    addPublished(r, [{ release: "b", date: "2026-02-01", digest: d }]);
    addPublished(r, [{ release: "a", date: "2026-01-01", digest: d }]);
    expect(readPublished(r).map((e) => e.release)).toEqual(["a", "b"]);
    expect(() => addPublished(r, [{ release: "a", date: null, digest: d }])).toThrow(/already published/);
    const path = layout(r).publishedFile;
    writeFileSync(path, JSON.stringify([{ release: "a", date: null, digest: "x" }]));
    expect(() => readPublished(r)).toThrow(/published\.json: entry 0, field digest: /);
    writeFileSync(
      path,
      JSON.stringify([
        { release: "a", date: null, digest: d },
        { release: "a", date: null, digest: d },
      ]),
    );
    expect(() => readPublished(r)).toThrow(/published\.json: entry 1, field release: "a" appears twice/);
  });
});

describe("the judge cache's owner", () => {
  it("lists what each judge folder holds, and keeps a release's cache keys", () => {
    const r = root();
    const cache = new JudgeCache(layout(r).cache);
    const key = { judge: "rules", judgeModel: "m", promptVersion: "1", request: { x: 1 } };
    const hash = cache.put(key, { ok: true });
    let folders = readCacheFolders(layout(r).cache);
    expect(folders.map((f) => f.judge)).toEqual(["rules"]);
    expect(folders[0]!.files).toEqual([
      {
        kind: "journal",
        path: join(layout(r).cache, "rules", `journal-${process.pid}.jsonl`),
        hashes: [hash],
        abandoned: true,
      },
    ]);
    cache.flush();
    folders = readCacheFolders(layout(r).cache);
    expect(folders[0]!.files).toEqual([
      {
        kind: "shard",
        path: join(layout(r).cache, "rules", `${hash.slice(0, 2)}.jsonl`),
        lines: [{ hash, misfiled: false }],
      },
    ]);
    mkdirSync(layout(r).release("x"), { recursive: true });
    expect(readCacheKeys(r, "x")).toBeNull();
    writeFileSync(layout(r).releaseFile("x", RELEASE_FILE.cacheKeys), cacheKeysText([hash, hash]));
    expect(readCacheKeys(r, "x")).toEqual([hash]);
  });
});
