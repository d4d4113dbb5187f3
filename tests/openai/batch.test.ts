// Batch mode against the loopback server's /v1/files and /v1/batches: end to end, cached items
// not sent, invalid lines answered synchronously, and a killed run resuming the same batch.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JudgeCache } from "../../scripts/judges/cache.ts";
import { batchStatePath } from "../../scripts/judges/openai/batch.ts";
import { createOpenAIJudge } from "../../scripts/judges/openai/index.ts";
import { costOf } from "../../scripts/judges/openai/pricing.ts";
import { readJson } from "../../src/lib/jsonio.ts";
import { JudgeVerdictSchema, recordKey } from "../../src/lib/schemas.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { type ChatServer, startChatServer } from "../helpers/chat-server.ts";
import { CONTEXT_SOURCES, tempDir } from "./contexts.ts";

describe.each(CONTEXT_SOURCES)("openai judge: batch mode (%s failures)", (_name, source) => {
  let server: ChatServer;
  let ctxs: FailureContext[];
  const temps: (() => void)[] = [];
  const fresh = () => {
    const t = tempDir();
    temps.push(t.cleanup);
    return t.dir;
  };
  const judgeOn = (dir: string, extra: Record<string, unknown> = {}) =>
    createOpenAIJudge({
      baseURL: server.url,
      apiKey: "k",
      model: "gpt-4o-mini",
      cache: new JudgeCache(dir),
      batch: true,
      pollIntervalMs: 10,
      backoffBaseMs: 5,
      ...extra,
    });
  const since = (n: number, method: string, path: RegExp) =>
    server.requests.slice(n).filter((r) => r.method === method && path.test(r.path));

  beforeAll(async () => {
    server = await startChatServer({ batchPolls: 2 });
    ctxs = source.sample(30);
  });
  afterAll(async () => {
    await server.close();
    for (const c of temps) c();
  });

  test("uploads one JSONL of the uncached requests, runs one batch, caches every valid line", async () => {
    const dir = fresh();
    // 10 items analysed before, synchronously: the batch must not send them again.
    await judgeOn(dir, { batch: false }).analyseAll(ctxs.slice(0, 10));
    const before = server.requests.length;
    const judge = judgeOn(dir);
    const res = await judge.analyseAll(ctxs);

    const uploads = since(before, "POST", /^\/v1\/files$/);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.body).toMatchObject({ purpose: "batch", lines: 20 });
    const creates = since(before, "POST", /^\/v1\/batches$/);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({ endpoint: "/v1/chat/completions", completion_window: "24h" });
    expect(since(before, "GET", /^\/v1\/batches\//).length).toBeGreaterThanOrEqual(3); // polled until completed
    expect(since(before, "GET", /^\/v1\/files\/.*\/content$/)).toHaveLength(1);
    expect(since(before, "POST", /^\/v1\/chat\/completions$/)).toHaveLength(0);

    expect(res.size).toBe(30);
    for (const v of res.values()) expect(() => JudgeVerdictSchema.parse(v.verdict)).not.toThrow();
    const fromBatch = ctxs.slice(10).map((c) => res.get(recordKey(c.record))!);
    expect(fromBatch.every((v) => !v.cached && v.usage.calls === 1 && v.answerUsage.prompt_tokens > 0)).toBe(true);
    // Each line: custom_id = the answer's cache hash, the same body a synchronous call sends.
    const lines = (uploads[0]!.body.content as string)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.custom_id).sort()).toEqual(fromBatch.map((v) => v.hash).sort());
    for (const l of lines) {
      expect(l).toMatchObject({ method: "POST", url: "/v1/chat/completions" });
      expect(l.body.response_format.json_schema.name).toBe("error_analysis");
      expect(Object.keys(l.body.response_format.json_schema.schema.properties)).toHaveLength(5);
    }
    // Batch answers are priced at half the synchronous rate.
    for (const v of fromBatch) {
      const { prompt_tokens: p, completion_tokens: c } = v.answerUsage;
      expect(v.answerUsage.cost_usd).toBe(costOf("gpt-4o-mini", p, c, true));
      expect(v.answerUsage.cost_usd).toBeLessThan(costOf("gpt-4o-mini", p, c));
    }
    expect(judge.stats()).toMatchObject({ analysis_calls: 20, cached: 10, judge_errors: 0 });
    expect(judge.lastBatch()).toMatchObject({ created: 1, resumed: 0, failed: [] });
    expect(judge.lastBatch()!.ingested).toHaveLength(20);
    expect((readJson(batchStatePath(dir)) as { batches: unknown[] }).batches).toEqual([]);

    // A re-run sends nothing at all.
    const before2 = server.requests.length;
    const again = await judgeOn(dir).analyseAll(ctxs);
    expect(server.requests.length).toBe(before2);
    expect([...again.values()].every((v) => v.cached)).toBe(true);
  });

  test("lines that fail validation are answered synchronously", async () => {
    const dir = fresh();
    let lines = 0;
    // The first two lines of the batch come back off-schema and truncated.
    server.setFaults(({ schema }) => {
      if (schema !== "error_analysis") return undefined;
      const i = lines++;
      return i === 0 ? { kind: "invalid" } : i === 1 ? { kind: "truncated" } : undefined;
    });
    const before = server.requests.length;
    const judge = judgeOn(dir);
    const res = await judge.analyseAll(ctxs.slice(0, 12));
    server.setFaults(undefined);
    expect(judge.lastBatch()!.failed).toHaveLength(2);
    expect(since(before, "POST", /^\/v1\/chat\/completions$/)).toHaveLength(2);
    expect([...res.values()].filter((v) => v.verdict)).toHaveLength(12);
  });

  test("a run killed while polling resumes the same batch", async () => {
    const dir = fresh();
    const some = ctxs.slice(0, 15);
    server.holdBatches(true);
    const ac = new AbortController();
    const before = server.requests.length;
    const watch = setInterval(() => {
      if (since(before, "GET", /^\/v1\/batches\//).length >= 2) ac.abort(new Error("killed"));
    }, 5);
    await expect(judgeOn(dir, { signal: ac.signal }).analyseAll(some)).rejects.toThrow("killed");
    clearInterval(watch);
    const state = readJson(batchStatePath(dir)) as { batches: { id: string; requests: number }[] };
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0]!.requests).toBe(15);
    const batchId = state.batches[0]!.id;

    server.holdBatches(false);
    const judge = judgeOn(dir);
    const res = await judge.analyseAll(some);
    expect(since(before, "POST", /^\/v1\/batches$/)).toHaveLength(1);
    expect(since(before, "POST", /^\/v1\/files$/)).toHaveLength(1);
    expect(since(before, "POST", /^\/v1\/chat\/completions$/)).toHaveLength(0);
    expect(server.requests.slice(before).some((r) => r.path === `/v1/batches/${batchId}`)).toBe(true);
    expect(judge.lastBatch()).toMatchObject({ created: 0, resumed: 1 });
    expect(res.size).toBe(15);
    expect([...res.values()].every((v) => v.verdict !== null)).toBe(true);
    expect(existsSync(batchStatePath(dir))).toBe(true);
    expect((readJson(batchStatePath(dir)) as { batches: unknown[] }).batches).toEqual([]);
  });

  test("an expired batch gives what it finished; the next run sends only the rest", async () => {
    const dir = fresh();
    const some = ctxs.slice(0, 20);
    server.expireBatches(true);
    const before = server.requests.length;
    await expect(judgeOn(dir).analyseAll(some)).rejects.toThrow(/ended expired/);
    server.expireBatches(false);
    expect(since(before, "POST", /^\/v1\/chat\/completions$/)).toHaveLength(0); // no full-price fallback
    const before2 = server.requests.length;
    const judge = judgeOn(dir);
    const res = await judge.analyseAll(some);
    const uploads = since(before2, "POST", /^\/v1\/files$/);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.body.lines).toBe(10);
    expect(res.size).toBe(20);
    expect(judge.stats()).toMatchObject({ cached: 10, analysis_calls: 10, judge_errors: 0 });
  });
});
