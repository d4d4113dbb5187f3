// A snapshot mixing every input format (the demo's JSONL, CSV, ErrorMap CSV and HELM display runs,
// plus the tools' formats of scripts/demo/tool-formats.ts) runs through the heuristic judge; the
// release is exported as Every Eval Ever files (errormap export --format eee) with the judge's
// analysis of each failure, and those files import back to the same records and failures; the site
// builds from that release, with a page for every dataset of every format.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeDemoInputs } from "../../scripts/demo/formats.ts";
import { writeToolDemoInputs } from "../../scripts/demo/tool-formats.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { loadReleaseAnalyses } from "../../scripts/pipeline/releases.ts";
import { buildSite } from "../site/helpers/build.ts";
import { removeRoot, runCli, tempRoot } from "./helpers.ts";

describe("every format in one snapshot, judged, exported as EEE", () => {
  const root = tempRoot("errormap-mixed-");
  afterAll(() => removeRoot(root));

  it("imports, runs the heuristic judge, exports and re-imports", { timeout: 120_000 }, async () => {
    // The demo's own formats for two models, the tools' formats for the rest of the (dataset, model) pairs.
    const own = writeDemoInputs(join(root, "own"), { keep: (_d, m) => m === "Ember-13B-Chat" || m === "Dune-XL" });
    const tools = writeToolDemoInputs(join(root, "tools"), 8);
    const ownPaths = own.paths;
    const m1 = await importSnapshot({ root, snapshot: "tools-only", paths: tools.paths });
    expect(m1.records).toBe(tools.records);
    expect(m1.failures).toBe(tools.failures);
    const m = await importSnapshot({ root, snapshot: "mixed", base: "tools-only", paths: ownPaths, log: () => {} });
    // Records of the demo's own files replace the tools' records of the same key (updated results).
    expect(m.records).toBeGreaterThanOrEqual(own.records.length);

    const run = await runPipeline({ root, snapshot: "mixed", release: "mixed-1", judge: "heuristic" });
    expect(run.release.counts.failures).toBe(m.failures);
    const analyses = loadReleaseAnalyses(root, "mixed-1");
    expect(analyses).toHaveLength(m.failures);

    const out = join(root, "eee-out");
    const r = await runCli(["export", "--data", root, "--release", "mixed-1", "--format", "eee", "--out", out]);
    expect(r.stderr).toMatch(
      new RegExp(
        `exported release mixed-1 to .*: ${m.records} records \\(${m.failures} failures, ${m.failures} with the judge's analysis\\)`,
      ),
    );
    expect(r.code).toBe(0);
    // Every failure carries its category; the files are EEE 0.3.0 instance records.
    const datasets = readdirSync(out).sort();
    expect(datasets).toEqual(Object.keys(m.datasets).sort());
    const first = readdirSync(join(out, datasets[0]!))[0]!;
    const samples = readdirSync(join(out, datasets[0]!, first)).find((f) => f.endsWith("_samples.jsonl"))!;
    const lines = readFileSync(join(out, datasets[0]!, first, samples), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const l of lines) {
      expect(l.schema_version).toBe("0.3.0");
      if (l.metadata.errormap_failed === "true") expect(l.metadata.errormap_category).toBeTruthy();
      expect(Object.values(l.metadata).every((v) => typeof v === "string")).toBe(true);
    }
    const back = await importSnapshot({ root, snapshot: "back", paths: [out], log: () => {} });
    expect(back.records).toBe(m.records);
    expect(back.failures).toBe(m.failures);
  });

  it("builds the site from the mixed release", { timeout: 300_000 }, () => {
    const site = join(root, "site");
    buildSite({ data: root, out: site, cache: join(root, "astro-cache"), pagefind: false });
    const datasets = readdirSync(join(site, "releases", "mixed-1", "datasets")).sort();
    const manifest = JSON.parse(readFileSync(join(root, "snapshots", "mixed", "manifest.json"), "utf8"));
    expect(datasets).toHaveLength(Object.keys(manifest.datasets).length);
    for (const d of datasets)
      expect(readFileSync(join(site, "releases", "mixed-1", "datasets", d, "index.html"), "utf8")).toContain("<h1");
  });
});
