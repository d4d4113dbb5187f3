// The command line and the site agree on which release is the latest, and a killed run's leftover
// temporary folder is never taken for a release (src/lib/releases-order.ts).
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releasesIndex } from "../../src/lib/site/feed.ts";
import { loadSiteFromDisk } from "../../src/lib/site/fsdata.ts";
import { writeDemoEarly } from "../../scripts/demo.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";
import { REPO } from "../helpers/evaldata.ts";

describe("release order: one rule for errormap and the site", () => {
  let root: string;
  beforeAll(async () => {
    root = tempRoot("errormap-order-");
    cpSync(join(REPO, "data/registry"), join(root, "registry"), { recursive: true });
    await writeDemoEarly(root);
    // The chain a→b, a→c, b→d, built out of order.
    for (const [id, previous] of [
      ["a", null],
      ["c", "a"],
      ["b", "a"],
      ["d", "b"],
    ] as const) {
      const r = await runCli([
        "run",
        "--data",
        root,
        "--snapshot",
        "demo-early",
        "--release",
        id,
        ...(previous ? ["--previous", previous] : []),
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(() => removeRoot(root));

  it("errormap info --json and /releases/index.json name the same latest release", async () => {
    const info = JSON.parse((await runCli(["info", "--data", root, "--json"])).stdout);
    expect(info.releases.map((r: { id: string }) => r.id)).toEqual(["a", "b", "c", "d"]);
    expect(info.latest).toBe("d");
    const index = releasesIndex(loadSiteFromDisk(root));
    expect(index.latest).toBe("d");
    expect(index.releases.map((r) => r.id).sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("a leftover .tmp-* folder with a release.json is neither listed nor built", async () => {
    const tmp = join(root, "releases/.tmp-x-1");
    mkdirSync(tmp, { recursive: true });
    cpSync(join(root, "releases/d/release.json"), join(tmp, "release.json"));
    const info = JSON.parse((await runCli(["info", "--data", root, "--json"])).stdout);
    expect(info.releases.map((r: { id: string }) => r.id)).toEqual(["a", "b", "c", "d"]);
    const site = loadSiteFromDisk(root);
    expect(site.releases.map((r) => r.id).sort()).toEqual(["a", "b", "c", "d"]);
  });
});
