// The deterministic JSON and atomic file helpers everything else writes through.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
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
