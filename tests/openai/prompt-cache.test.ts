// Prompt-cache friendly analysis requests: what the failures of one item share comes first, the
// failed output and its score line last; the share of prompt characters in a shared prefix (the
// figure `npm run bench` reports); cached prompt tokens read from the server's usage and priced at
// the cached-input rate, against a loopback server that plays OpenAI's prompt caching.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../scripts/demo.ts";
import { JudgeCache } from "../../scripts/judges/cache.ts";
import { StructuredCaller } from "../../scripts/judges/openai/caller.ts";
import { createOpenAIJudge } from "../../scripts/judges/openai/index.ts";
import { analysisPrefixShare, promptText, sharedPrefixShare } from "../../scripts/judges/openai/prefix-share.ts";
import { addUsage, costOf, priceOf } from "../../scripts/judges/openai/pricing.ts";
import { analyseMessages } from "../../scripts/judges/openai/prompts.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { selectContexts, snapshotPrefixShare } from "../../scripts/pipeline/estimate.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { releaseInfo } from "../../scripts/commands/info.ts";
import { ReleaseSchema } from "../../src/lib/schemas.ts";
import { startChatServer, type ChatServer } from "../helpers/chat-server.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";

describe("the share of prompt characters in a shared prefix", () => {
  it("counts, for each distinct prompt, the longest prefix it shares with any other", () => {
    // "abcX" and "abcY" share 3; "abd" shares 2 with both; "zzz" nothing; the duplicate counts once.
    const s = sharedPrefixShare(["abcX", "abcY", "zzz", "abd", "abcX"]);
    expect(s).toEqual({ requests: 4, chars: 14, shared_chars: 3 + 3 + 2 + 0, share: Math.round((8 / 14) * 1e4) / 1e4 });
    expect(sharedPrefixShare([])).toEqual({ requests: 0, chars: 0, shared_chars: 0, share: 0 });
    expect(sharedPrefixShare(["only one"]).share).toBe(0);
  });
});

describe("prompt-cache friendly analysis requests (generated inputs)", () => {
  let root: string;
  let contexts: FailureContext[];
  let server: ChatServer;
  beforeAll(async () => {
    root = tempRoot("errormap-prompt-cache-");
    await writeDemo(root);
    contexts = selectContexts({ root, snapshot: "demo" }).contexts();
    // vLLM's automatic prefix caching: blocks of 16 tokens, no minimum (the generated prompts are
    // mostly under OpenAI's 1,024-token minimum).
    server = await startChatServer({ promptCache: { minTokens: 16, block: 16 } });
  });
  afterAll(async () => {
    await server?.close();
    removeRoot(root);
  });

  it("puts what the failures of an item share first, and the failed output with its score line last", () => {
    const byItem = new Map<string, FailureContext[]>();
    for (const c of contexts) {
      const k = `${c.record.dataset}|${c.record.instance_id}`;
      byItem.set(k, [...(byItem.get(k) ?? []), c]);
    }
    const shared = [...byItem.values()].filter((g) => g.length >= 2);
    expect(shared.length).toBeGreaterThan(20);
    for (const group of shared) {
      const texts = group.map((c) => promptText(analyseMessages(c)));
      const own = texts.map((t) => t.indexOf("Score of the failed output:"));
      for (const [i, t] of texts.entries()) {
        expect(own[i]).toBeGreaterThan(0);
        // Nothing of the failure itself comes before its score line...
        expect(t.slice(0, own[i])).not.toContain('name="failed_output"');
        expect(t.slice(0, own[i])).toContain('name="input"');
        // ...and every failure of the item has the same text up to it.
        expect(t.slice(0, own[i])).toBe(texts[0]!.slice(0, own[0]));
      }
    }
  });

  it("keeps at least 70% of the analysis prompts' characters in a prefix shared with another request", () => {
    const s = analysisPrefixShare(contexts);
    expect(s.requests).toBeGreaterThan(200);
    expect(s.share).toBeGreaterThanOrEqual(0.7);
    expect(snapshotPrefixShare(root, "demo")).toEqual(s);
  });

  it("reads cached prompt tokens from the usage and prices them at the cached-input rate", async () => {
    const dir = join(root, "cache-a");
    // One request at a time, so which prompt reaches the server's cache first is fixed.
    const judge = createOpenAIJudge({
      baseURL: server.url,
      apiKey: "k",
      model: "gpt-4o-mini",
      cache: new JudgeCache(dir),
      concurrency: 1,
      probeConcurrency: 1,
    });
    const before = server.usage();
    await judge.analyseAll(contexts.slice(0, 60));
    const after = server.usage();
    const u = judge.stats().usage;
    expect(u.prompt_tokens).toBe(after.prompt_tokens - before.prompt_tokens);
    expect(u.cached_tokens).toBe(after.cached_tokens - before.cached_tokens);
    expect(u.cached_tokens).toBeGreaterThan(0);
    // Cheaper than the same tokens uncached, by the cached share at half gpt-4o-mini's input price.
    const uncached = costOf("gpt-4o-mini", u.prompt_tokens, u.completion_tokens);
    const saved = (u.cached_tokens! * (priceOf("gpt-4o-mini")!.input - priceOf("gpt-4o-mini")!.cached_input!)) / 1e6;
    expect(u.cost_usd).toBeCloseTo(uncached - saved, 5);
  });

  it("keeps the cached tokens in the release's usage, and leaves usage without them unchanged", async () => {
    const r = await runPipeline({
      root,
      snapshot: "demo",
      release: "r1",
      judge: "openai",
      judgeModel: "gpt-4o-mini",
      baseURL: server.url,
      apiKey: "k",
      concurrency: 4,
      judgeOptions: { backoffBaseMs: 5 },
    });
    const rel = ReleaseSchema.parse(JSON.parse(readFileSync(join(root, "releases", "r1", "release.json"), "utf8")));
    expect(rel.usage.cached_tokens).toBeGreaterThan(0);
    expect(r.run.usage.cached_tokens).toBeGreaterThan(0);
    expect(releaseInfo(root, "r1").cached_tokens).toBe(rel.usage.cached_tokens);
    // No cached tokens reported: no field, so releases judged before stay byte-identical.
    expect(
      addUsage(
        { calls: 1, prompt_tokens: 2, completion_tokens: 3, cost_usd: 0.1 },
        { calls: 1, prompt_tokens: 1, completion_tokens: 1, cost_usd: 0.2 },
      ),
    ).not.toHaveProperty("cached_tokens");
  });

  it("reads a server's cached_tokens defensively", () => {
    const caller = new StructuredCaller({
      baseURL: "http://127.0.0.1:9/v1",
      apiKey: "k",
      model: "gpt-4o",
      cache: new JudgeCache(join(root, "cache-b")),
    });
    expect(
      caller.usageOfCompletion({
        prompt_tokens: 2000,
        completion_tokens: 100,
        prompt_tokens_details: { cached_tokens: 1536 },
      }),
    ).toEqual({
      calls: 1,
      prompt_tokens: 2000,
      completion_tokens: 100,
      cached_tokens: 1536,
      cost_usd: costOf("gpt-4o", 2000, 100, false, 1536),
    });
    expect(costOf("gpt-4o", 2000, 100, false, 1536)).toBeCloseTo((464 * 2.5 + 1536 * 1.25 + 100 * 10) / 1e6, 9);
    // More cached than prompt tokens, or nonsense: bounded, or none.
    expect(
      caller.usageOfCompletion({
        prompt_tokens: 10,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 99 },
      }).cached_tokens,
    ).toBe(10);
    expect(
      caller.usageOfCompletion({
        prompt_tokens: 10,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: "x" },
      }),
    ).not.toHaveProperty("cached_tokens");
    expect(
      caller.usageOfCompletion({ prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: null }),
    ).not.toHaveProperty("cached_tokens");
    // Batch: half of every rate, cached tokens included; no cached price known: the input price.
    expect(costOf("gpt-4o", 2000, 100, true, 1536)).toBeCloseTo(costOf("gpt-4o", 2000, 100, false, 1536) / 2, 6);
    expect(costOf("gpt-4-turbo", 2000, 100, false, 1536)).toBe(costOf("gpt-4-turbo", 2000, 100));
  });
});
