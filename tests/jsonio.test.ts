// The deterministic JSON and atomic file helpers everything else writes through.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rng } from "../scripts/lib/prng.ts";
import {
  forEachLine,
  removeStaleTemps,
  replaceDir,
  sortKeys,
  stableJson,
  stableJsonLine,
  writeFileAtomic,
} from "../src/lib/jsonio.ts";

const dir = mkdtempSync(join(tmpdir(), "jsonio-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stableJson", () => {
  it("sorts keys at every depth, drops undefined, keeps array order", () => {
    const a = stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } });
    const b = stableJson({ a: { d: [3, { y: 2, z: 1 }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe(
      '{\n  "a": {\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
    expect(stableJsonLine({ b: [2, 1], a: "x" })).toBe('{"a":"x","b":[2,1]}');
  });

  it("writes objects already in key order as they are, undefined values left out alike", () => {
    // The import and the run build records and analyses in key order so nothing is copied.
    const inOrder = { a: 1, b: undefined, c: { d: undefined, e: [1, { f: null }] } };
    expect(sortKeys(inOrder)).toBe(inOrder);
    expect(stableJsonLine(inOrder)).toBe('{"a":1,"c":{"e":[1,{"f":null}]}}');
    expect(stableJsonLine(inOrder)).toBe(
      stableJsonLine({ c: { e: [1, { f: null }], d: undefined }, b: undefined, a: 1 }),
    );
    // One nested object out of order: only the path to it is copied.
    const mixed = { a: { y: 1, x: 2 }, b: [3] };
    const sorted = sortKeys(mixed);
    expect(sorted).not.toBe(mixed);
    expect(sorted.b).toBe(mixed.b);
    expect(Object.keys(sorted.a)).toEqual(["x", "y"]);
  });
});

describe("fast paths against their plain definitions (docs/fast-paths.md)", () => {
  // The plain definition of stableJson: a sorted copy of every object, undefined values left out.
  const plainSorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(plainSorted);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = plainSorted(x);
      }
      return out;
    }
    return v;
  };
  const r = rng(3);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const KEYS = ["a", "b", "c", "aa", "B", "é", "1", "10", "2", "_", ""];
  const randomValue = (depth: number): unknown => {
    const kind = depth > 3 ? Math.floor(r() * 4) : Math.floor(r() * 7);
    if (kind === 0) return pick([null, true, false, 0, -1.5, 1e21, "", "x", 'ü\n"', undefined]);
    if (kind <= 3) return pick(["s", 7, null]);
    if (kind === 4) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(depth + 1));
    // An object, its keys sometimes in order (the fast path's case), sometimes not.
    const keys = [...new Set(Array.from({ length: Math.floor(r() * 6) }, () => pick(KEYS)))];
    if (r() < 0.5) keys.sort();
    return Object.fromEntries(keys.map((k) => [k, randomValue(depth + 1)]));
  };

  it("stableJson and stableJsonLine write what a sorted copy of everything writes", () => {
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(0);
      expect(stableJsonLine(v)).toBe(JSON.stringify(plainSorted(v)));
      expect(stableJson(v)).toBe(JSON.stringify(plainSorted(v), null, 2) + "\n");
    }
  });

  it("forEachLine gives the lines of the whole file decoded and split at \\n", () => {
    const pieces = ["a", "\n", "\n\n", "\r\n", "\r", "é", "€", "😀", '{"x":1}', " "];
    const texts = ["", "\n", "a", "a\n", "\n\na"];
    for (let i = 0; i < 300; i++) texts.push(Array.from({ length: Math.floor(r() * 40) }, () => pick(pieces)).join(""));
    const bytes = texts.map((t) => Buffer.from(t));
    // bytes that are not UTF-8, a character cut by a line's end: decoded alike, line by line or whole
    bytes.push(Buffer.from([0x61, 0xc3, 0x0a, 0xa9, 0x62, 0xff, 0x0a, 0xe2, 0x82]));
    for (const b of bytes) {
      const plain = b.toString("utf8").split("\n");
      if (plain.at(-1) === "") plain.pop();
      const got: [string, number][] = [];
      forEachLine(b, (text, n) => got.push([text, n]));
      expect(got).toEqual(plain.map((t, i) => [t, i + 1]));
    }
  });
});

describe("atomic writes", () => {
  it("writes through a temporary file, leaving no temporary behind", () => {
    const p = join(dir, "sub", "f.json");
    writeFileAtomic(p, "one");
    writeFileAtomic(p, "two");
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(readdirSync(join(dir, "sub"))).toEqual(["f.json"]);
  });

  it("replaces a folder whole", () => {
    const final = join(dir, "final");
    mkdirSync(final);
    writeFileSync(join(final, "old.txt"), "old");
    const tmp = join(dir, ".tmp-final-1");
    mkdirSync(tmp);
    writeFileSync(join(tmp, "new.txt"), "new");
    replaceDir(tmp, final);
    expect(readdirSync(final)).toEqual(["new.txt"]);
    expect(existsSync(tmp)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes(".old"))).toEqual([]);
  });

  it("removes temporary folders of killed runs only", () => {
    const releases = join(dir, "releases");
    mkdirSync(releases);
    // pid 2^22+1 is above the largest pid_max Linux allows: no such process can exist.
    for (const n of [".tmp-r9-4194305", ".tmp-r9-4194305.old", `.tmp-r9-${process.pid}`, ".tmp-r10-4194305", "r9"])
      mkdirSync(join(releases, n));
    expect(removeStaleTemps(releases, "r9").sort()).toEqual([".tmp-r9-4194305", ".tmp-r9-4194305.old"]);
    expect(readdirSync(releases).sort()).toEqual([`.tmp-r10-4194305`, `.tmp-r9-${process.pid}`, "r9"].sort());
  });
});
