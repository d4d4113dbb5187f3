// `errormap run --estimate` against the run that follows it, on a real loopback chat-completions
// server (tests/helpers/chat-server.ts) that counts usage as OpenAI does: o200k_base tokens of the
// chat as OpenAI renders it, plus the response format's schema. What this shows: the estimate sends
// nothing and writes nothing; it finds exactly the analysis requests the run sends and counts their
// prompt tokens as that server does (the estimator's formula and the server's are written apart:
// OpenAI's cookbook formula there, gpt-tokenizer's encodeChat here); its modelled taxonomy and
// classification and its completion tokens are guesses, so the total is checked within 20%; what
// is cached or reused costs nothing. What it cannot show: that OpenAI bills a json_schema the way
// both count it (not published), or how far another server's tokenizer (Llama, Qwen) is from
// o200k_base.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo, writeDemoEarly } from "../../scripts/demo.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { estimateRun, type RunEstimate } from "../../scripts/pipeline/estimate.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { costOf } from "../../scripts/judges/openai/pricing.ts";
import { promptTokenIds, startChatServer, type ChatServer } from "../helpers/chat-server.ts";
import { HELM_DIR, JSONL_DIR } from "../helpers/evaldata.ts";
import { sources } from "../helpers/sources.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

const FAST = { backoffBaseMs: 5, backoffMaxMs: 50, maxRetryAfterMs: 2000, pollIntervalMs: 10 };

const SOURCES = sources<{ snapshot: string; write: (root: string) => Promise<unknown> }>({
  generated: () => ({ snapshot: "demo", write: (root) => writeDemo(root) }),
  // GSM8K and HELM BBQ (279 failures): real inputs, outputs and references.
  shared: () => ({
    snapshot: "s1",
    write: (root) => importSnapshot({ root, snapshot: "s1", paths: [join(JSONL_DIR, "gsm8k.jsonl"), HELM_DIR] }),
  }),
});

const within = (estimate: number, actual: number) => Math.abs(estimate - actual) / actual;

describe.each(SOURCES)("errormap run --estimate (%s inputs)", (_name, src) => {
  let root: string;
  let server: ChatServer;
  beforeAll(async () => {
    root = tempRoot("errormap-estimate-");
    server = await startChatServer();
    await src.write(root);
  });
  afterAll(async () => {
    await server?.close();
    removeRoot(root);
  });

  const env = () => ({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test-key" });
  const cliEstimate = async (release: string, extra: string[] = []) => {
    const r = await runCli(
      [
        "run",
        "--data",
        root,
        "--snapshot",
        src.snapshot,
        "--release",
        release,
        "--judge",
        "openai",
        "--judge-model",
        "gpt-4o-mini",
        "--estimate",
        "--json",
        ...extra,
      ],
      env(),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as RunEstimate;
  };
  const run = (release: string) =>
    runPipeline({
      root,
      snapshot: src.snapshot,
      release,
      judge: "openai",
      judgeModel: "gpt-4o-mini",
      baseURL: server.url,
      apiKey: "test-key",
      concurrency: 8,
      judgeOptions: FAST,
      force: true,
    });
  const promptOf = (schema: string) => server.chatRequests(schema).reduce((s, b) => s + promptTokenIds(b).length, 0);

  let first: RunEstimate;
  it("makes no request, writes nothing, and exits 0", async () => {
    first = await cliEstimate("r1");
    expect(server.requests).toHaveLength(0);
    expect(existsSync(join(root, "releases"))).toBe(false);
    expect(existsSync(join(root, "cache"))).toBe(false);
    expect(first.failures).toBeGreaterThan(200);
    expect(first.analysis.calls).toBeGreaterThan(0);
    expect(first.total.calls).toBe(first.analysis.calls + first.taxonomy.calls + first.classify.calls);
    // The price of gpt-4o-mini, prompt tokens uncached.
    expect(first.cost_usd).toBeCloseTo(
      costOf("gpt-4o-mini", first.analysis.prompt_tokens, first.analysis.completion_tokens) +
        costOf(
          "gpt-4o-mini",
          first.taxonomy.prompt_tokens + first.classify.prompt_tokens,
          first.taxonomy.completion_tokens + first.classify.completion_tokens,
        ),
      5,
    );
    expect(first.cost_usd_prompt_cached).toBeLessThan(first.cost_usd);
    // The human form says the same.
    const text = await runCli(
      [
        "run",
        "--data",
        root,
        "--snapshot",
        src.snapshot,
        "--release",
        "r1",
        "--judge",
        "openai",
        "--judge-model",
        "gpt-4o-mini",
        "--estimate",
      ],
      env(),
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("no request was made");
    expect(text.stdout).toContain(first.total.prompt_tokens.toLocaleString("en-US"));
    expect(server.requests).toHaveLength(0);
  });

  it("is within 20% of the prompt tokens of the run that follows, and exact on the analyses", async () => {
    const r = await run("r1");
    const used = server.usage();
    const analysisRequests = server.chatRequests("error_analysis").length;
    // Exactly the analysis requests the run sent, and their tokens as the server counted them.
    expect(first.analysis.calls).toBe(analysisRequests);
    expect(first.analysis.prompt_tokens).toBe(promptOf("error_analysis"));
    // The whole run: modelled taxonomy and classification included.
    expect(within(first.total.prompt_tokens, used.prompt_tokens)).toBeLessThan(0.2);
    expect(r.run.usage.prompt_tokens).toBe(used.prompt_tokens);
    console.log(
      `estimate vs run (${_name}): prompt ${first.total.prompt_tokens} / ${used.prompt_tokens} (analysis ${first.analysis.prompt_tokens} / ${promptOf("error_analysis")}, taxonomy ${first.taxonomy.prompt_tokens} / ${promptOf("taxonomy")}, classify ${first.classify.prompt_tokens} / ${promptOf("classification")}); ` +
        `completion ${first.total.completion_tokens} / ${used.completion_tokens}; calls ${first.total.calls} / ${server.chatRequests().length}`,
    );
  });

  it("counts cached and reused work as free", async () => {
    const before = server.requests.length;
    // The same release again: every answer is in the cache.
    const again = await cliEstimate("r1");
    expect(again.cached).toBe(again.failures - again.reused);
    expect(again.total).toEqual({ calls: 0, prompt_tokens: 0, completion_tokens: 0 });
    expect(again.taxonomy_basis).toBe("cached");
    expect(again.cost_usd).toBe(0);
    // A new release after r1: its analyses are reused; only the taxonomy (continued from r1's) and
    // classification are new.
    const next = await cliEstimate("r2");
    expect(next.reused + next.cached).toBe(next.failures);
    expect(next.analysis.calls).toBe(0);
    expect(next.taxonomy.calls).toBeGreaterThan(0);
    expect(server.requests.length).toBe(before);
    const sent = server.chatRequests().length;
    await run("r2");
    const taxonomyPrompt = server
      .chatRequests()
      .slice(sent)
      .reduce((s, b) => s + promptTokenIds(b).length, 0);
    expect(server.chatRequests("error_analysis").length).toBe(
      server.chatRequests("error_analysis").slice(0, sent).length,
    );
    const after = server.chatRequests().slice(sent);
    const kind = (k: string) => after.filter((b) => (b.response_format as any)?.json_schema?.name === k);
    // Modelled as if every taxonomy and classification request were new: an upper bound here.
    expect(next.total.prompt_tokens).toBeGreaterThanOrEqual(taxonomyPrompt);
    console.log(
      `estimate vs run of r2 (${_name}): prompt ${next.total.prompt_tokens} / ${taxonomyPrompt}, calls ${next.total.calls} / ${after.length}; taxonomy ${JSON.stringify(next.taxonomy)} / ${kind("taxonomy").length}; classify ${JSON.stringify(next.classify)} / ${kind("classification").length}`,
    );
  });

  it("prices --batch analyses at half and --sample's share only", async () => {
    const fresh = tempRoot("errormap-estimate-b-");
    try {
      await src.write(fresh);
      const opts = {
        root: fresh,
        snapshot: src.snapshot,
        release: "x",
        judge: "openai" as const,
        judgeModel: "gpt-4.1",
      };
      const sync = await estimateRun(opts);
      const batch = await estimateRun({ ...opts, batch: true });
      expect(batch.total).toEqual(sync.total);
      const half = costOf("gpt-4.1", sync.analysis.prompt_tokens, sync.analysis.completion_tokens, true);
      const rest = costOf(
        "gpt-4.1",
        sync.taxonomy.prompt_tokens + sync.classify.prompt_tokens,
        sync.taxonomy.completion_tokens + sync.classify.completion_tokens,
      );
      expect(batch.cost_usd).toBeCloseTo(half + rest, 5);
      expect(batch.cost_usd).toBeLessThan(sync.cost_usd);
      const sampled = await estimateRun({ ...opts, sample: 0.5 });
      expect(sampled.failures).toBeLessThan(sync.failures);
      expect(sampled.analysis.calls).toBeLessThan(sync.analysis.calls);
      // Unknown (local) model: tokens counted, no price.
      const local = await estimateRun({ ...opts, judgeModel: "llama-3.1-8b-instruct" });
      expect(local.price).toBeNull();
      expect(local.cost_usd).toBe(0);
      expect(local.analysis.prompt_tokens).toBeGreaterThan(0);
      // The heuristic judge is offline.
      expect((await estimateRun({ ...opts, judge: "heuristic" })).total.calls).toBe(0);
      expect(readdirSync(fresh).sort()).toEqual(["registry", "snapshots"]);
    } finally {
      removeRoot(fresh);
    }
  });
});

describe("errormap run --estimate on a snapshot that adds results (generated inputs)", () => {
  it("counts only the new failures, and stays within 20% of the prompt tokens of the run", async () => {
    const root = tempRoot("errormap-estimate-c-");
    const server = await startChatServer();
    try {
      // The maintainers' workflow: a first release, then a snapshot with a new model and a new dataset.
      await writeDemoEarly(root);
      await writeDemo(root);
      const common = {
        root,
        judge: "openai" as const,
        judgeModel: "gpt-4o-mini",
        baseURL: server.url,
        apiKey: "k",
        concurrency: 8,
        judgeOptions: FAST,
      };
      await runPipeline({ ...common, snapshot: "demo-early", release: "r1" });
      const sent = server.chatRequests().length;
      const before = server.usage();
      const e = await estimateRun({ ...common, snapshot: "demo", release: "r2" });
      expect(server.chatRequests().length).toBe(sent);
      expect(e.reused).toBeGreaterThan(100);
      await runPipeline({ ...common, snapshot: "demo", release: "r2" });
      const after = server.usage();
      const analyses = server
        .chatRequests("error_analysis")
        .slice(server.chatRequests("error_analysis").length - e.analysis.calls);
      expect(
        server
          .chatRequests()
          .slice(sent)
          .filter((b) => (b.response_format as any)?.json_schema?.name === "error_analysis"),
      ).toHaveLength(e.analysis.calls);
      expect(e.analysis.prompt_tokens).toBe(analyses.reduce((s, b) => s + promptTokenIds(b).length, 0));
      const used = after.prompt_tokens - before.prompt_tokens;
      expect(within(e.total.prompt_tokens, used)).toBeLessThan(0.2);
      console.log(
        `estimate vs run of a growing snapshot: prompt ${e.total.prompt_tokens} / ${used} (analysis ${e.analysis.prompt_tokens}, ${e.analysis.calls} calls; taxonomy + classify ${e.taxonomy.prompt_tokens + e.classify.prompt_tokens}, ${e.new_titles} new titles expected); calls ${e.total.calls} / ${server.chatRequests().length - sent}`,
      );
    } finally {
      await server.close();
      removeRoot(root);
    }
  });
});
