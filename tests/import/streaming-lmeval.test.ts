// Streaming holds for the tools' formats too: a generated lm-evaluation-harness samples file of
// ~300 MB (scripts/bench/biglmeval.ts; the bench's import section writes 1 GB) imported by the real
// command in a child process whose heap is limited to 200 MB. Peak RSS is measured in the child and
// must stay below the file's size: reading the file whole (or keeping its records) could not.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeBigLmEval } from "../../scripts/bench/biglmeval.ts";
import { loadManifest } from "../../scripts/lib/snapshot-read.ts";
import { removeRoot, runCli, tempRoot } from "./helpers.ts";

const HEAP_MB = 200;
const RSS_PROBE = `data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss_kb="+process.resourceUsage().maxRSS+"\\n"))`;

describe("streaming import of a large lm-eval samples file", () => {
  const scratch = mkdtempSync(join(tmpdir(), "errormap-biglm-"));
  const root = tempRoot();
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    removeRoot(root);
  });

  it(`imports ~300 MB of samples with a ${HEAP_MB} MB heap`, { timeout: 180_000 }, async () => {
    const gen = writeBigLmEval(join(scratch, "run"), 300e6);
    expect(gen.bytes).toBeGreaterThan(280e6);
    const r = await runCli(
      ["import", "--data", root, "--snapshot", "biglm", "--register", join(scratch, "run")],
      { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
      ["--import", RSS_PROBE],
    );
    expect(r.stderr).toMatch(new RegExp(`: lm-eval, ${gen.records} records, ${gen.failures} failures`));
    expect(r.code).toBe(0);
    const m = loadManifest(root, "biglm");
    expect(m.records).toBe(gen.records);
    expect(m.failures).toBe(gen.failures);
    const rssMb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)![1]) / 1024;
    console.log(
      `lm-eval streaming import: ${(gen.bytes / 1e6).toFixed(0)} MB, ${gen.records} records, peak RSS ${rssMb.toFixed(0)} MB`,
    );
    expect(rssMb).toBeLessThan(gen.bytes / 2 ** 20);
  });
});
