// The whole pipeline with the openai judge against a real loopback chat-completions server:
// faults injected, a run cut short by its call budget resumes with only the missing calls, a re-run
// makes none, and the release files are byte-identical.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { refinaliseRelease } from "../../scripts/pipeline/finalise.ts";
import { referenceSha256 } from "../../scripts/review/store.ts";
import { REFERENCE_ERROR } from "../../src/lib/reserved.ts";
import { releaseInfo } from "../../scripts/commands/info.ts";
import { cacheEntries } from "../helpers/cache.ts";
import { startChatServer, type ChatServer } from "../helpers/chat-server.ts";
import { HELM_DIR, JSONL_DIR } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";

const FAST = { backoffBaseMs: 5, backoffMaxMs: 50, maxRetryAfterMs: 2000, pollIntervalMs: 10 };

interface Input {
  paths: string[];
  failures: number;
  /** An item whose reference is wrong (every model fails it), with the reference as the source gives it. */
  disputed: { dataset: string; instance_id: string; failures: number; reference: string };
  /** Judge options beyond FAST (the generated inputs hold fewer distinct failures: split categories sooner). */
  judgeOptions?: Record<string, unknown>;
}

const SOURCES = sources<(dir: string) => Input>({
  // The generated inputs in every format; demo_arith/p08's key is wrong on purpose.
  generated: () => (dir) => {
    const g = generatedInputs(dir);
    const onItem = g.records.filter((r) => r.kind === "suspect" && r.record.dataset === "demo_arith");
    const item = onItem[0]!.record;
    return {
      paths: g.paths,
      failures: g.records.filter((r) => r.kind !== "correct").length,
      disputed: {
        dataset: item.dataset,
        instance_id: item.instance_id,
        failures: onItem.length,
        reference: item.reference,
      },
      judgeOptions: { taxonomy: { minSplit: 8 } },
    };
  },
  // GSM8K (154 failures) and HELM BBQ (125): enough to induce a two-level taxonomy quickly. On
  // gsm8k #823 all 10 models answer 18 where the reference says 14.
  shared: () => () => ({
    paths: [join(JSONL_DIR, "gsm8k.jsonl"), HELM_DIR],
    failures: 279,
    disputed: { dataset: "gsm8k", instance_id: "gsm8k/gsm8k-main-test-#823", failures: 10, reference: "# 14" },
  }),
});

describe.each(SOURCES)("errormap run --judge openai (%s inputs)", (_name, inputs) => {
  let root: string;
  let server: ChatServer;
  let input: Input;
  beforeAll(async () => {
    root = tempRoot("errormap-openai-");
    server = await startChatServer();
    input = inputs(join(root, "inputs"));
    await importSnapshot({ root, snapshot: "s1", paths: input.paths });
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
      judgeOptions: { ...FAST, ...input.judgeOptions },
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
    const N = input.failures;
    const { dataset: DS, instance_id: ITEM } = input.disputed;
    const analysesAsked = server.chatRequests("error_analysis").length - before;
    expect(full.release.counts.failures).toBe(N);
    expect(full.release.counts.analysed + full.release.counts.judge_errors).toBe(N);
    expect(full.release.counts.judge_errors).toBe(0);
    // Only what the partial run did not get was asked for (identical requests share one call).
    expect(full.run.cached).toBeGreaterThanOrEqual(kept);
    expect(full.run.analysis_calls).toBeLessThan(N - 50);
    expect(full.run.analysis_calls + full.run.cached).toBe(N);
    expect(analysesAsked).toBeLessThanOrEqual(full.run.analysis_calls);

    const files = ["release.json", "taxonomy.json", "analyses.jsonl", "aggregates.json"].map((f) =>
      readFileSync(join(root, "releases/r1", f), "utf8"),
    );
    const n = server.requests.length;
    const again = await run("r1");
    expect(server.requests.length).toBe(n); // no call at all
    expect(again.run.analysis_calls).toBe(0);
    expect(again.run.cached).toBe(N);
    const filesAgain = ["release.json", "taxonomy.json", "analyses.jsonl", "aggregates.json"].map((f) =>
      readFileSync(join(root, "releases/r1", f), "utf8"),
    );
    expect(filesAgain).toEqual(files);

    const info = releaseInfo(root, "r1");
    expect(info).toMatchObject({ failures: N, analysis_calls: 0, cached: N, judge_errors: 0 });
    expect(info.categories).toBeGreaterThan(1);
    expect(info.prompt_tokens).toBeGreaterThan(0); // usage of the answers the release is built from
    const taxonomy = JSON.parse(files[1]);
    expect(taxonomy.judge).toBe("openai");
    // A disputed item (every model fails it, giving another answer than the reference): without a review its
    // failures stay in the judge's categories, marked disputed; the reserved category is there, empty.
    type A = { instance_id: string; category: string; disputed?: boolean; judged_category?: string };
    const analyses: A[] = files[2]
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const onItem = (xs: A[]) => xs.filter((a) => a.instance_id === ITEM);
    expect(onItem(analyses)).toHaveLength(input.disputed.failures);
    expect(onItem(analyses).every((a) => a.category !== REFERENCE_ERROR.id && a.disputed === true)).toBe(true);
    expect(analyses.some((a) => a.category === REFERENCE_ERROR.id)).toBe(false);
    expect(taxonomy.categories.filter((c: { id: string }) => c.id === REFERENCE_ERROR.id)).toEqual([REFERENCE_ERROR]);
    expect(taxonomy.categories.some((c: { id: string }) => c.id === "suspect-reference-by-consensus")).toBe(false);
    const agg = JSON.parse(files[3]);
    expect(
      agg.datasets[DS].suspect_items.find((s: { instance_id: string }) => s.instance_id === ITEM)?.review,
    ).toBeNull();
    expect(taxonomy.categories.some((c: { parent: string | null }) => c.parent !== null)).toBe(true);

    // A review saying the reference is wrong moves those failures to the reserved category, for this judge too.
    const item = agg.datasets[DS].suspect_items.find((s: { instance_id: string }) => s.instance_id === ITEM);
    expect(item.reference_sha256).toBe(referenceSha256(input.disputed.reference)); // the reference text as the source gives it
    const reviews = {
      items: [
        {
          dataset: DS,
          instance_id: item.instance_id,
          reference_sha256: item.reference_sha256,
          verdict: "reference-wrong" as const,
          note: "14 + 4 = 18",
          reviewer: "t",
          date: "2026-01-01",
        },
      ],
      failures: [],
    };
    const { finalised } = refinaliseRelease(root, "r1", { reviews });
    const moved = onItem(finalised.analyses as A[]);
    expect(moved.every((a) => a.category === REFERENCE_ERROR.id && a.judged_category && !a.disputed)).toBe(true);
    expect(finalised.aggregates.datasets[DS].noise_share).toBeGreaterThan(0);
  });

  it("runs the item analyses through the Batch API with --batch", async () => {
    const uploads = () => server.requests.filter((r) => r.method === "POST" && r.path.startsWith("/v1/files")).length;
    const before = uploads();
    // Another judge model: nothing cached yet, so every analysis goes into one batch.
    const r = await run("rb", { batch: true, judgeModel: "batch-judge" });
    expect(uploads() - before).toBe(1);
    expect(server.requests.some((q) => q.method === "POST" && q.path.startsWith("/v1/batches"))).toBe(true);
    expect(r.release.counts.analysed).toBe(input.failures);
    expect(r.run.analysis_calls).toBe(input.failures);
    const again = await run("rb", { batch: true, judgeModel: "batch-judge" });
    expect(uploads() - before).toBe(1); // everything cached: no new batch
    expect(again.run.cached).toBe(input.failures);
  });
});
