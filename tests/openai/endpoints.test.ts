// The openai judge against what real servers send, on the loopback chat-completions server: fenced,
// prose-prefixed and reasoning answers, reasoning_content, confidence on another scale, answers cut
// short (finish_reason length), refusals and content filters, servers without json_schema
// (--response-format json_object / text), and endpoints that are wrong from the start (an HTML
// page, JSON without choices, 401/403/404, answers without JSON, a server that never answers, a
// refused connection): those stop after a handful of requests with one message naming the
// endpoint. Made-up failures: runs on a fresh clone.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JudgeCache } from "../../scripts/judges/cache.ts";
import { EndpointError, createOpenAIJudge } from "../../scripts/judges/openai/index.ts";
import { JudgeVerdictSchema, recordKey } from "../../src/lib/schemas.ts";
import { type ChatServer, type Fault, type FaultPlan, answerFor, startChatServer } from "../helpers/chat-server.ts";
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { tempDir } from "./contexts.ts";

const FAST = { backoffBaseMs: 2, backoffMaxMs: 10, timeoutMs: 2000, maxRetries: 3 };

const DATASET: DatasetEntry = {
  id: "synthetic_math",
  name: "SYNTHETIC-MATH",
  aliases: [],
  task_type: "math",
  metric: "exact_match",
  exact_match: true,
  success_threshold: null,
  skill: "arithmetic",
  description: "Made-up items for tests.",
  source: "tests",
  licence: "none",
};

/** n made-up failures (arithmetic items, each with one correct peer), all different requests. */
function syntheticContexts(n: number): FailureContext[] {
  return Array.from({ length: n }, (_, i) => {
    const a = 17 + i;
    const b = 5 + ((i * 7) % 13);
    const base = {
      dataset: DATASET.id,
      instance_id: `item-${String(i).padStart(3, "0")}`,
      input: `What is ${a} times ${b}? Show your working for question ${i}.`,
      reference: String(a * b),
    };
    const record: EvalRecord = {
      ...base,
      model: "model-a",
      output: `${a} x ${b} = ${a * b + 1 + (i % 3)}`,
      score: 0,
      correct: false,
      source_model: "model-a",
    };
    const peer: EvalRecord = {
      ...base,
      model: "model-b",
      output: `${a} x ${b} = ${a * b}`,
      score: 1,
      correct: true,
      source_model: "model-b",
    };
    return {
      record,
      dataset: DATASET,
      correctPeers: [peer],
      itemRecords: [record, peer],
      modelAccuracy: new Map([
        ["model-a", 0],
        ["model-b", 1],
      ]),
    };
  });
}

describe("openai judge: what real servers send", () => {
  let server: ChatServer;
  const ctxs = syntheticContexts(40);
  const temps: (() => void)[] = [];
  const fresh = () => {
    const t = tempDir();
    temps.push(t.cleanup);
    return t.dir;
  };
  const judgeOn = (dir: string, extra: Record<string, unknown> = {}) =>
    createOpenAIJudge({
      baseURL: server.url,
      apiKey: "test-key",
      model: "test-judge",
      cache: new JudgeCache(dir),
      ...FAST,
      ...extra,
    });
  /** Runs `fn` with a fault plan on analysis requests only; returns its result and the chat requests it made. */
  const withFaults = async <T>(plan: FaultPlan, fn: () => Promise<T>) => {
    server.setFaults(plan);
    const before = server.requests.length;
    try {
      const result = await fn();
      return { result, sent: server.requests.slice(before).filter((r) => r.path === "/v1/chat/completions") };
    } finally {
      server.setFaults(undefined);
    }
  };

  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => {
    await server.close();
    for (const c of temps) c();
  });

  test("fenced, prose-prefixed and reasoning answers are all analysed with one request each", async () => {
    const kinds: Fault[] = [{ kind: "fenced" }, { kind: "prose" }, { kind: "think" }, { kind: "reasoning_content" }];
    const j = judgeOn(fresh());
    const { result, sent } = await withFaults(
      ({ seq, schema }) => (schema === "error_analysis" ? kinds[seq % kinds.length] : undefined),
      () => j.analyseAll(ctxs),
    );
    expect(result.size).toBe(40);
    expect([...result.values()].every((v) => v.verdict !== null)).toBe(true);
    expect(sent).toHaveLength(40); // no retries
    for (const k of ["fenced", "prose", "think", "reasoning_content"])
      expect(sent.some((r) => r.fault === k)).toBe(true);
    // The verdict is the answer, never the decoy in the reasoning.
    for (const c of ctxs) {
      const v = result.get(recordKey(c.record))!;
      expect(v.verdict).toEqual(
        JudgeVerdictSchema.parse(
          answerFor(sent.find((r) => r.body.messages[1].content.includes(c.record.input))!.body),
        ),
      );
      expect(v.verdict!.title).not.toMatch(/draft|not the answer/);
    }
    const s = j.stats();
    expect(s).toMatchObject({ analysis_calls: 40, judge_errors: 0, http_requests: 40 });
    expect(s.extracted).toBe(20); // fenced and prose; the rest were bare JSON once reasoning was set aside
  });

  test("a confidence of 57 is read as 0.57, with a note kept with the cached answer", async () => {
    const dir = fresh();
    const one = ctxs.slice(0, 2);
    const { result } = await withFaults(
      ({ schema }) =>
        schema === "error_analysis"
          ? { kind: "content", content: (json) => json.replace(/"confidence":0\.8/, '"confidence":57') }
          : undefined,
      () => judgeOn(dir).analyseAll(one),
    );
    for (const v of result.values()) {
      expect(v.verdict!.confidence).toBe(0.57);
      expect(v.notes).toEqual(["confidence 57 read as 0.57"]);
    }
    // From the cache: the same verdict and note, no request.
    const before = server.requests.length;
    const j2 = judgeOn(dir);
    const again = await j2.analyseAll(one);
    expect(server.requests.length).toBe(before);
    expect([...again.values()].map((v) => [v.verdict!.confidence, v.notes, v.cached])).toEqual([
      [0.57, ["confidence 57 read as 0.57"], true],
      [0.57, ["confidence 57 read as 0.57"], true],
    ]);
  });

  test("finish_reason length is asked again once, with more room; the answer is cached under the first request", async () => {
    const dir = fresh();
    const some = ctxs.slice(0, 6);
    const j = judgeOn(dir);
    const { result, sent } = await withFaults(
      ({ schema }) => (schema === "error_analysis" ? { kind: "length" } : undefined),
      () => j.analyseAll(some),
    );
    expect([...result.values()].every((v) => v.verdict !== null)).toBe(true);
    expect(sent).toHaveLength(12);
    expect(sent.filter((r) => r.body.max_tokens === undefined)).toHaveLength(6);
    expect(sent.filter((r) => r.body.max_tokens >= 4096)).toHaveLength(6);
    expect(j.stats()).toMatchObject({ length_retries: 6, judge_errors: 0 });
    // Both attempts are paid for and counted with the answer.
    for (const v of result.values()) expect(v.answerUsage.calls).toBe(2);
    // A re-run finds them in the cache (keyed by the request as first built).
    const before = server.requests.length;
    await judgeOn(dir).analyseAll(some);
    expect(server.requests.length).toBe(before);

    // Still cut short with more room: a judge error after exactly one retry, saying so.
    const j2 = judgeOn(fresh());
    const { result: r2, sent: s2 } = await withFaults(
      ({ schema, body }) =>
        schema === "error_analysis" ? (body.max_tokens ? { kind: "truncated" } : { kind: "length" }) : undefined,
      () => j2.analyseAll(ctxs.slice(0, 2)),
    );
    expect(s2).toHaveLength(4);
    expect([...r2.values()].map((v) => v.error)).toEqual([
      expect.stringMatching(/truncated answer \(finish_reason length\).*even with max_tokens 4096/),
      expect.stringMatching(/even with max_tokens 4096/),
    ]);
  });

  test("a refusal or a content filter is a judge error with its reason, not retried", async () => {
    const j = judgeOn(fresh());
    const { result, sent } = await withFaults(
      ({ schema, seq }) =>
        schema !== "error_analysis"
          ? undefined
          : seq % 4 === 1
            ? { kind: "refusal" }
            : seq % 4 === 3
              ? { kind: "content_filter" }
              : undefined,
      () => j.analyseAll(ctxs.slice(0, 8)),
    );
    expect(sent).toHaveLength(8);
    const errors = [...result.values()].filter((v) => v.verdict === null).map((v) => v.error);
    expect(errors).toHaveLength(4);
    expect(errors.filter((e) => e === "refused: I'm sorry, I can't help with that request.")).toHaveLength(2);
    expect(errors.filter((e) => /^content filter: the endpoint withheld the answer/.test(e!))).toHaveLength(2);
    expect(j.stats().judge_errors).toBe(4);
  });

  test("only reasoning and no answer is an error (retried), never read as the answer", async () => {
    const j = judgeOn(fresh());
    const { result, sent } = await withFaults(
      ({ schema }) => (schema === "error_analysis" ? { kind: "reasoning_only" } : undefined),
      () => j.analyseAll(ctxs.slice(0, 1)),
    );
    expect(sent).toHaveLength(1 + FAST.maxRetries);
    expect([...result.values()][0]!.error).toMatch(/empty answer: only reasoning came back/);
  });

  test("--response-format json_object and text: the schema goes into the system prompt", async () => {
    for (const mode of ["json_object", "text"] as const) {
      const j = judgeOn(fresh(), { responseFormat: mode });
      const { result, sent } = await withFaults(
        ({ seq }) => (seq % 2 ? { kind: "fenced" } : undefined),
        () => j.analyseAll(ctxs.slice(0, 4)),
      );
      expect([...result.values()].every((v) => v.verdict !== null)).toBe(true);
      expect(sent).toHaveLength(4);
      for (const r of sent) {
        if (mode === "json_object") expect(r.body.response_format).toEqual({ type: "json_object" });
        else expect(r.body.response_format).toBeUndefined();
        const system = r.body.messages[0].content as string;
        expect(system).toMatch(/must match this JSON Schema \(named "error_analysis"\)/);
        const schema = JSON.parse(system.slice(system.lastIndexOf("\n") + 1));
        expect(Object.keys(schema.properties).sort()).toEqual([
          "confidence",
          "criteria",
          "evidence",
          "summary",
          "title",
        ]);
      }
    }
    // The taxonomy and classification requests carry their schemas the same way.
    const j = judgeOn(fresh(), { responseFormat: "json_object" });
    const verdicts = await j.analyseAll(ctxs.slice(0, 12));
    const items = [...verdicts.entries()].map(([key, v]) => ({
      key,
      title: v.verdict!.title,
      summary: v.verdict!.summary,
    }));
    const taxonomy = await j.induceTaxonomy(items);
    const classes = await j.classifyAll(items, taxonomy);
    expect(classes.size).toBe(12);
    expect(server.chatRequests("taxonomy").at(-1)!.messages[0]!.content).toMatch(/named "taxonomy"/);
    expect(server.chatRequests("classification").at(-1)!.messages[0]!.content).toMatch(/named "classification"/);
  });

  describe("fail fast: an endpoint that is wrong from the start", () => {
    const expectStop = async (fault: Fault, message: RegExp, extra: Record<string, unknown> = {}, most = 4) => {
      const j = judgeOn(fresh(), { concurrency: 16, ...extra });
      const t0 = Date.now();
      const { result, sent } = await withFaults(
        () => fault,
        () =>
          j.analyseAll(ctxs).then(
            () => undefined,
            (e: unknown) => e,
          ),
      );
      const err = result as Error;
      expect(err).toBeInstanceOf(EndpointError);
      expect(err.message).toContain(`${server.url}/chat/completions`);
      expect(err.message).toMatch(message);
      // A handful of requests, never the 16 of full concurrency: the four of the slow start.
      expect(sent.length).toBeLessThanOrEqual(most);
      expect(j.stats().http_requests).toBe(sent.length);
      return { err, ms: Date.now() - t0 };
    };

    test("an HTML page with status 200", async () => {
      const { err } = await expectStop(
        { kind: "html" },
        /an HTML page \(status 200, text\/html; charset=utf-8\): "<!DOCTYPE html>.*Welcome to nginx/,
      );
      expect(err.message).toMatch(/not an OpenAI-compatible chat completions API: check --base-url/);
    });
    test("JSON without choices", () => expectStop({ kind: "no_choices" }, /not a chat completion \(no choices\)/));
    test("401, 403 and 404", async () => {
      await expectStop(
        { kind: "status", status: 401 },
        /What came back: status 401, "injected failure 401"\. Check OPENAI_API_KEY/,
      );
      await expectStop({ kind: "status", status: 403 }, /status 403.*Check OPENAI_API_KEY/);
      await expectStop({ kind: "status", status: 404 }, /status 404.*Check --judge-model/);
    });
    test("a 400 on json_schema suggests --response-format json_object", () =>
      expectStop({ kind: "status", status: 400 }, /status 400.*--response-format json_object/));
    test("answers without any JSON", () =>
      expectStop(
        { kind: "no_json" },
        /answers without a JSON object \("The output misread.*--response-format json_object/,
      ));
    test("a server that never answers stops after one timeout, not after every retry of every failure", async () => {
      // Timeouts are retried (one may go out again while the others are still waiting).
      const { ms } = await expectStop(
        { kind: "hang" },
        /no answer within 0\.3 s.*Raise --timeout \(now 0\.3 s\)/,
        { timeoutMs: 300 },
        7,
      );
      expect(ms).toBeLessThan(3000);
    });
    test("a refused connection", async () => {
      // A port that was just free: nothing listens there.
      const port = await new Promise<number>((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      const j = createOpenAIJudge({
        baseURL: `http://127.0.0.1:${port}/v1`,
        apiKey: "k",
        model: "m",
        cache: new JudgeCache(fresh()),
        ...FAST,
      });
      const err = (await j.analyseAll(ctxs).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(EndpointError);
      expect(err.message).toMatch(
        new RegExp(
          `to http://127.0.0.1:${port}/v1/chat/completions: 4 of them failed the same way.*What came back: no connection \\(ECONNREFUSED\\)`,
        ),
      );
    });

    test("the same faults after a good answer are per-item judge errors, not a stop", async () => {
      const j = judgeOn(fresh());
      const { result, sent } = await withFaults(
        ({ seq }) => (seq % 8 === 0 ? undefined : { kind: "html" }),
        () => j.analyseAll(ctxs.slice(0, 16)),
      );
      // The first request is good (seq 0), so HTML afterwards is the item's error, not retried.
      expect(result.size).toBe(16);
      expect(
        [...result.values()]
          .filter((v) => v.verdict === null)
          .every((v) =>
            /^not a chat completion from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: an HTML page/.test(v.error!),
          ),
      ).toBe(true);
      expect(sent).toHaveLength(16);
    });

    test("faults that retrying can fix (429, 500) do not stop a run, even at the start", async () => {
      const j = judgeOn(fresh());
      const { result } = await withFaults(
        ({ seen }) =>
          seen === 0 ? { kind: "status", status: 500 } : seen === 1 ? { kind: "429", retryAfterMs: 5 } : undefined,
        () => j.analyseAll(ctxs.slice(0, 10)),
      );
      expect([...result.values()].every((v) => v.verdict !== null)).toBe(true);
    });

    test("until the first good answer at most 4 requests are in flight; then the full concurrency", async () => {
      const own = await startChatServer({ faults: () => ({ kind: "slow", ms: 40 }) });
      try {
        const j = createOpenAIJudge({
          baseURL: own.url,
          apiKey: "k",
          model: "m",
          cache: new JudgeCache(fresh()),
          ...FAST,
          concurrency: 12,
        });
        await j.analyseAll(ctxs);
        const sent = own.requests;
        // The first four go at once; the fifth only after an answer came back.
        expect(sent[4]!.at - sent[3]!.at).toBeGreaterThanOrEqual(30);
        expect(own.maxInFlight()).toBe(12);
      } finally {
        await own.close();
      }
    });
  });
});
