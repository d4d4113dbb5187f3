// The benchmark's own tools (scripts/bench/*): the synthetic atlas is a valid data root the site can
// load, the big JSONL file imports, and the memory probe sees a child's memory. Timings are not
// asserted here (they live in `npm run bench`).
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBigJsonl } from "../../scripts/bench/bigjsonl.ts";
import { measure } from "../../scripts/bench/measure.ts";
import { synthRegistry, writeSynthAtlas, type SynthRelease } from "../../scripts/bench/synth.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { saveRegistry } from "../../scripts/lib/registry.ts";
import { loadSiteFromDisk } from "../../src/lib/site/fsdata.ts";
import { keysShownInFull } from "../../src/lib/site/shown.ts";

let dir: string;
let made: SynthRelease[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bench-tools-"));
  process.env.ERRORMAP_QUIET = "1";
  made = await writeSynthAtlas(join(dir, "root"), { models: 4, datasets: 3, releases: 2 }, join(dir, "tmp"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the synthetic atlas", () => {
  it("holds published releases of the requested shape that the site loads", () => {
    expect(made.map((m) => m.id)).toEqual(["synth-1", "synth-2"]);
    expect(made.every((m) => m.records === 4 * 3 * 40)).toBe(true);
    expect(made[0]!.failures).toBeGreaterThan(0);
    const site = loadSiteFromDisk(join(dir, "root"));
    expect(site.releases.map((r) => r.id)).toEqual(["synth-1", "synth-2"]);
    for (const rel of site.releases) {
      expect(rel.release.published).not.toBeNull();
      expect(rel.modelIds).toHaveLength(4);
      expect(rel.datasetIds).toHaveLength(3);
      expect(rel.aggregates.comparisons).toHaveLength(6); // every pair of 4 models
      for (const k of keysShownInFull(rel)) expect(rel.records.has(k)).toBe(true);
    }
  });

  it("re-evaluates a quarter of the models in a later release, the judge's cache carrying the rest", () => {
    expect(made[0]!.cached).toBe(0);
    expect(made[1]!.cached).toBeGreaterThan(0);
    expect(made[1]!.judged).toBeGreaterThan(0);
    expect(made[1]!.judged).toBeLessThan(made[1]!.failures);
  });
});

describe("the big JSONL file", () => {
  it("reaches the requested size and imports as records of the synthetic registry", async () => {
    const root = join(dir, "big");
    saveRegistry(root, synthRegistry({ models: 100, datasets: 3, releases: 1 }));
    const file = join(dir, "big.jsonl");
    const n = writeBigJsonl(file, 3 * 2 ** 20);
    expect(statSync(file).size).toBeGreaterThanOrEqual(3 * 2 ** 20);
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(n);
    const m = await importSnapshot({ root, snapshot: "big", paths: [file] });
    expect(m.records).toBe(n);
    expect(m.failures).toBeGreaterThan(0);
    expect(m.failures).toBeLessThan(n);
  });
});

describe("measure", () => {
  it("sees the peak memory of a child process and its exit code", async () => {
    // Both children live 300 ms, so the 25 ms sampling sees them however fast the machine is.
    const small = await measure(process.execPath, ["-e", "setTimeout(() => {}, 300)"], { cwd: dir });
    const big = await measure(
      process.execPath,
      ["-e", "const b = Buffer.alloc(300 * 2 ** 20, 1); setTimeout(() => process.exit(3), 300)"],
      { cwd: dir },
    );
    expect(small.code).toBe(0);
    expect(small.peakRssMb).toBeGreaterThan(10); // a Node process, seen: not NaN
    expect(big.code).toBe(3);
    expect(big.peakRssMb).toBeGreaterThan(250);
    expect(big.peakRssMb).toBeGreaterThan(small.peakRssMb + 200);
  });
});
