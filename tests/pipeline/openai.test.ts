// The whole pipeline with the openai judge against a real loopback chat-completions server:
// faults injected, a run cut short by its call budget resumes with only the missing calls, a re-run
// makes none, and the release files are byte-identical.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { SUSPECT } from "../../scripts/pipeline/openai-stage.ts";
import { releaseInfo } from "../../scripts/lib/info.ts";
import { cacheEntries } from "../helpers/cache.ts";
import { startChatServer, type ChatServer } from "../helpers/chat-server.ts";
import { HELM_DIR, JSONL_DIR, hasEvaldata } from "../helpers/evaldata.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";

const FAST = { backoffBaseMs: 5, backoffMaxMs: 50, maxRetryAfterMs: 2000, pollIntervalMs: 10 };

describe.skipIf(!hasEvaldata)("errormap run --judge openai", () => {
  let root: string;
  let server: ChatServer;
  beforeAll(async () => {
    root = tempRoot("errormap-openai-");
    server = await startChatServer();
    // GSM8K (154 failures) and HELM BBQ (125): enough to induce a two-level taxonomy quickly.
    await importSnapshot({ root, snapshot: "s1", paths: [join(JSONL_DIR, "gsm8k.jsonl"), HELM_DIR] });
  });
  afterAll(async () => {
    await server?.close();
    removeRoot(root);
  });

  const run = (release: string, extra: Record<string, unknown> = {}) =>
    runPipeline({
      root,
      snapshot: "s1",
      release,
      judge: "openai",
      judgeModel: "test-judge",
      baseURL: server.url,
      apiKey: "test-key",
      concurrency: 8,
      timeoutMs: 2000,
      judgeOptions: FAST,
      force: true,
      ...extra,
    });

  it("completes through 429s, 500s, timeouts and truncated JSON, then resumes and re-runs without calls", async () => {
    // Faults on the first attempts of some requests; the retries succeed.
    server.setFaults(({ seq, seen, schema }) => {
      if (schema !== "error_analysis" || seen > 0) return undefined;
      if (seq % 17 === 1) return { kind: "429", retryAfter: "0" };
      if (seq % 17 === 5) return { kind: "status", status: 500 };
      if (seq % 17 === 9) return { kind: "slow", ms: 3000 };
      if (seq % 17 === 13) return { kind: "truncated" };
      return undefined;
    });
    // A run stopped early by its budget, as a killed run would be: part of the work is cached.
    await expect(run("r1", { maxCalls: 120 })).rejects.toThrow(/budget .* exhausted/);
    expect(existsSync(join(root, "releases/r1"))).toBe(false); // nothing half-written
    const answeredBefore = server.chatRequests("error_analysis").length;
    expect(answeredBefore).toBe(120);
    // The answers it paid for were flushed into the shards before it stopped: no journal left.
    expect(readdirSync(join(root, "cache", "openai")).filter((f) => !/^[0-9a-f]{2}\.jsonl$/.test(f))).toEqual([]);
    const kept = cacheEntries(join(root, "cache"), "openai").size;
    expect(kept).toBeGreaterThan(50);
    expect(kept).toBeLessThanOrEqual(120);

    server.setFaults(undefined);
    const before = server.chatRequests("error_analysis").length;
    const full = await run("r1");
    const analysesAsked = server.chatRequests("error_analysis").length - before;
    expect(full.release.counts.failures).toBe(279);
    expect(full.release.counts.analysed + full.release.counts.judge_errors).toBe(279);
    expect(full.release.counts.judge_errors).toBe(0);
    // Only what the partial run did not get was asked for (identical requests share one call).
    expect(full.run.cached).toBeGreaterThanOrEqual(kept);
    expect(full.run.analysis_calls).toBeLessThan(279 - 50);
    expect(full.run.analysis_calls + full.run.cached).toBe(279);
    expect(analysesAsked).toBeLessThanOrEqual(full.run.analysis_calls);

    const files = ["release.json", "taxonomy.json", "analyses.jsonl", "aggregates.json"].map((f) => readFileSync(join(root, "releases/r1", f), "utf8"));
    const n = server.requests.length;
    const again = await run("r1");
    expect(server.requests.length).toBe(n); // no call at all
    expect(again.run.analysis_calls).toBe(0);
    expect(again.run.cached).toBe(279);
    const filesAgain = ["release.json", "taxonomy.json", "analyses.jsonl", "aggregates.json"].map((f) => readFileSync(join(root, "releases/r1", f), "utf8"));
    expect(filesAgain).toEqual(files);

    const info = releaseInfo(root, "r1");
    expect(info).toMatchObject({ failures: 279, analysis_calls: 0, cached: 279, judge_errors: 0 });
    expect(info.categories).toBeGreaterThan(1);
    expect(info.prompt_tokens).toBeGreaterThan(0); // usage of the answers the release is built from
    const taxonomy = JSON.parse(files[1]);
    expect(taxonomy.judge).toBe("openai");
    // DESIGN: failures on a suspect item (all 10 models answer 18 where the reference says 14) are
    // data noise whatever the judge said.
    const analyses = files[2].trim().split("\n").map((l) => JSON.parse(l));
    const onSuspect = analyses.filter((a: { instance_id: string }) => a.instance_id === "gsm8k/gsm8k-main-test-#823");
    expect(onSuspect).toHaveLength(10);
    expect(onSuspect.every((a: { category: string }) => a.category === SUSPECT.id)).toBe(true);
    expect(taxonomy.categories.find((c: { id: string }) => c.id === SUSPECT.id)?.facet).toBe("noise");
    const agg = JSON.parse(files[3]);
    expect(agg.datasets.gsm8k.noise_share).toBeGreaterThan(0);
    expect(taxonomy.categories.some((c: { parent: string | null }) => c.parent !== null)).toBe(true);
  });

  it("runs the item analyses through the Batch API with --batch", async () => {
    const uploads = () => server.requests.filter((r) => r.method === "POST" && r.path.startsWith("/v1/files")).length;
    const before = uploads();
    // Another judge model: nothing cached yet, so every analysis goes into one batch.
    const r = await run("rb", { batch: true, judgeModel: "batch-judge" });
    expect(uploads() - before).toBe(1);
    expect(server.requests.some((q) => q.method === "POST" && q.path.startsWith("/v1/batches"))).toBe(true);
    expect(r.release.counts.analysed).toBe(279);
    expect(r.run.analysis_calls).toBe(279);
    const again = await run("rb", { batch: true, judgeModel: "batch-judge" });
    expect(uploads() - before).toBe(1); // everything cached: no new batch
    expect(again.run.cached).toBe(279);
  });
});
