// The streaming path: a generated JSONL file of about 300 MB (600,000 records) imported by the real
// command in a child process whose heap is limited to 200 MB, far less than the file, so an importer
// that read the file whole (or kept the records in memory) would die. Peak RSS is measured in the
// child and must stay well below the file's size plus the heap limit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadManifest } from "../../scripts/lib/snapshot-read.ts";
import { removeRoot, runCli, snapshotEntries, tempRoot, writeLargeJsonl } from "./helpers.ts";

const HEAP_MB = 200;
const MODELS = [
  "gpt-4o-2024-05-13",
  "gemini-1.5-pro",
  "claude-2",
  "text-davinci-003",
  "gemma-7b-it",
  "vicuna-13b-v1.5",
];
const ITEMS = 100_000;
/** Printed by the child on exit (preloaded with --import), so the peak RSS is the importer's own. */
const RSS_PROBE = `data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss_kb="+process.resourceUsage().maxRSS+"\\n"))`;

describe("streaming import of a large file", () => {
  const scratch = mkdtempSync(join(tmpdir(), "errormap-big-"));
  const root = tempRoot();
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    removeRoot(root);
  });

  it(`imports 600,000 records (~300 MB) with a ${HEAP_MB} MB heap`, { timeout: 120_000 }, async () => {
    const file = join(scratch, "big.jsonl");
    const gen = await writeLargeJsonl(file, { models: MODELS, items: ITEMS, outputBytes: 400, dataset: "gsm8k" });
    expect(gen.records).toBe(600_000);
    expect(gen.bytes).toBeGreaterThan(280e6);

    // Control: under the same limit, reading the file whole and splitting it into lines dies.
    const naive = await runCli([], { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` }, [
      "-e",
      `const n = require("node:fs").readFileSync(${JSON.stringify(file)}, "utf8").split("\\n").length; console.log(n)`,
    ]);
    expect(naive.code).not.toBe(0);

    const t0 = Date.now();
    const r = await runCli(
      ["import", "--data", root, "--snapshot", "big", file],
      { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
      ["--import", RSS_PROBE],
    );
    const secs = (Date.now() - t0) / 1000;
    rmSync(file);
    expect(r.stderr).toMatch(/imported snapshot big: 600000 records/);
    expect(r.code).toBe(0);
    const m = loadManifest(root, "big");
    expect(m.records).toBe(gen.records);
    expect(m.failures).toBe(gen.failures);
    expect(m.datasets.gsm8k).toMatchObject({ records: 600_000, items: ITEMS, failures: gen.failures });
    expect(m.models).toHaveLength(MODELS.length);
    expect(snapshotEntries(root)).toEqual(["big"]);

    const rssMb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)![1]) / 1024;
    console.log(
      `streaming import: ${(gen.bytes / 1e6).toFixed(0)} MB, ${gen.records} records in ${secs.toFixed(1)} s, peak RSS ${rssMb.toFixed(0)} MB`,
    );
    // Holding the file (or its records) in memory would need more than the file itself.
    expect(rssMb).toBeLessThan(gen.bytes / 2 ** 20);
  });
});
