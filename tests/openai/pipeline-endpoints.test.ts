// `errormap run --judge openai` against endpoints as operators meet them, on the demo snapshot
// (fictional, generated: runs on a fresh clone), through the real command (scripts/cli.ts main):
// - an endpoint that fences every 2nd answer and puts prose before every 3rd: every failure is
//   analysed, at most 1.05 requests per analysis call;
// - an endpoint answering an HTML page (status 200): the run stops within 20 requests, with a
//   message naming the endpoint, exits non-zero and writes no release; likewise a hanging server,
//   a 401, and a run in which every answer was a judge error;
// - a server without json_schema: --response-format json_object works, and without it the stop
//   message says to use it;
// - bad flag values are usage errors (exit 2).
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { main } from "../../scripts/cli.ts";
import { writeDemo } from "../../scripts/demo.ts";
import { DEFAULT_TIMEOUT_MS } from "../../scripts/judges/openai/defaults.ts";
import { StructuredCaller } from "../../scripts/judges/openai/caller.ts";
import { JudgeCache } from "../../scripts/judges/cache.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { type ChatServer, type FaultPlan, startChatServer } from "../helpers/chat-server.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";

const FAST = { backoffBaseMs: 2, backoffMaxMs: 20 };

describe("errormap run --judge openai against real-world endpoints (demo data)", () => {
  let root: string;
  let server: ChatServer;
  let failures: number;
  beforeAll(async () => {
    root = tempRoot("errormap-endpoints-");
    failures = (await writeDemo(root)).failures;
    server = await startChatServer({ messy: false });
  });
  afterAll(async () => {
    await server?.close();
    removeRoot(root);
  });
  afterEach(() => {
    server.setFaults(undefined);
    vi.restoreAllMocks();
  });

  /** Runs the real command in-process; returns its exit code, what it wrote to stderr and the chat requests it made. */
  const cli = async (args: string[], plan?: FaultPlan) => {
    server.setFaults(plan);
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(" ")));
    const before = server.requests.length;
    const t0 = Date.now();
    const code = await main([...args, "--data", root]);
    vi.restoreAllMocks();
    server.setFaults(undefined);
    const sent = server.requests.slice(before).filter((r) => r.path === "/v1/chat/completions");
    return { code, stderr: lines.join("\n"), sent, ms: Date.now() - t0 };
  };
  // A judge model of its own per release: nothing of another test's answers is in the cache for it.
  const runArgs = (release: string, ...more: string[]) => [
    "run",
    "--snapshot",
    "demo",
    "--release",
    release,
    "--judge",
    "openai",
    "--judge-model",
    `judge-for-${release}`,
    "--base-url",
    server.url,
    ...more,
  ];
  const releases = () => (existsSync(join(root, "releases")) ? readdirSync(join(root, "releases")) : []);

  test("fenced every 2nd answer, prose before every 3rd: every failure analysed, ≤ 1.05 requests per analysis call", async () => {
    // Every kind of request (analyses, taxonomy, classification) gets the same treatment.
    server.setFaults(({ seq }) => {
      const fence = seq % 2 === 1;
      const prose = seq % 3 === 2;
      if (!fence && !prose) return undefined;
      return {
        kind: "content",
        content: (json) => {
          const inner = fence ? `\`\`\`json\n${JSON.stringify(JSON.parse(json), null, 2)}\n\`\`\`` : json;
          return prose ? `Sure. Here is the analysis you asked for:\n\n${inner}` : inner;
        },
      };
    });
    const before = server.chatRequests("error_analysis").length;
    const r = await runPipeline({
      root,
      snapshot: "demo",
      release: "tolerant",
      judge: "openai",
      judgeModel: "test-judge",
      baseURL: server.url,
      apiKey: "k",
      concurrency: 8,
      timeoutMs: 5000,
      judgeOptions: FAST,
      log: () => {},
    });
    server.setFaults(undefined);
    const analysisRequests = server.chatRequests("error_analysis").length - before;
    expect(r.release.counts.failures).toBeGreaterThanOrEqual(failures);
    expect(r.release.counts.judge_errors).toBe(0);
    expect(r.release.counts.analysed).toBe(r.release.counts.selected);
    expect(r.run.analysis_calls).toBeGreaterThan(100);
    const perCall = analysisRequests / r.run.analysis_calls;
    console.info(
      `[figure] fenced/prose endpoint: ${analysisRequests} analysis requests for ${r.run.analysis_calls} analysis calls = ${perCall.toFixed(3)} per call; ${r.release.counts.analysed} of ${r.release.counts.selected} failures analysed`,
    );
    expect(perCall).toBeLessThanOrEqual(1.05);
    expect(existsSync(join(root, "releases", "tolerant", "release.json"))).toBe(true);
  });

  test("an endpoint answering an HTML page: stops within 20 requests naming the endpoint, exits non-zero, no release", async () => {
    const { code, stderr, sent, ms } = await cli(runArgs("html"), () => ({ kind: "html" }));
    console.info(`[figure] HTML endpoint: stopped after ${sent.length} requests in ${ms} ms, exit ${code}`);
    expect(code).not.toBe(0);
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(stderr).toContain(`${server.url}/chat/completions`);
    expect(stderr).toMatch(/an HTML page \(status 200/);
    expect(stderr).toMatch(/check --base-url/);
    expect(releases()).not.toContain("html");
    expect(releases().filter((d) => d.startsWith(".tmp-"))).toEqual([]);
  });

  test("a hanging server (with --timeout 0.3) and a 401 stop the same way", async () => {
    const hang = await cli(runArgs("hang", "--timeout", "0.3"), () => ({ kind: "hang" }));
    expect(hang.code).not.toBe(0);
    expect(hang.stderr).toMatch(/no answer within 0\.3 s/);
    expect(hang.sent.length).toBeLessThanOrEqual(8);
    expect(hang.ms).toBeLessThan(5000);
    const denied = await cli(runArgs("denied"), () => ({ kind: "status", status: 401 }));
    expect(denied.code).not.toBe(0);
    expect(denied.sent.length).toBe(4);
    expect(denied.stderr).toMatch(/status 401.*Check OPENAI_API_KEY/);
    expect(releases()).not.toContain("hang");
    expect(releases()).not.toContain("denied");
  });

  test("a run in which nothing was analysed writes no release and exits non-zero", async () => {
    // Every answer refused: per-item judge errors (not a fail-fast kind), none analysed.
    const { code, stderr, sent } = await cli(runArgs("refused"), ({ schema }) =>
      schema === "error_analysis" ? { kind: "refusal" } : undefined,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/nothing was analysed: all \d+ judge calls ended in errors \(the first: refused: I'm sorry/);
    expect(sent.length).toBeGreaterThan(100); // one each: a refusal is not retried
    expect(releases()).not.toContain("refused");
  });

  test("a server without json_schema: the stop message names --response-format json_object, which then works", async () => {
    const noSchema: FaultPlan = ({ body }) =>
      body.response_format?.type === "json_schema" ? { kind: "status", status: 400 } : undefined;
    const refused = await cli(runArgs("objects"), noSchema);
    expect(refused.code).toBe(1);
    expect(refused.sent.length).toBe(4);
    expect(refused.stderr).toMatch(/--response-format json_object/);
    const ok = await cli(runArgs("objects", "--response-format", "json_object"), noSchema);
    expect(ok.stderr).toMatch(/release objects: /);
    expect(ok.code).toBe(0);
    expect(ok.sent.every((r) => r.body.response_format?.type === "json_object")).toBe(true);
  });

  test("bad flag values are usage errors (exit 2), before any request", async () => {
    for (const bad of [
      ["--timeout", "0"],
      ["--timeout=-5"],
      ["--timeout", "soon"],
      ["--concurrency", "0"],
      ["--concurrency", "2.5"],
      ["--concurrency=-1"],
      ["--sample", "0"],
      ["--sample", "1.5"],
      ["--sample=-0.5"],
      ["--max-calls", "0"],
      ["--seed=-1"],
      ["--seed", "x"],
      ["--response-format", "yaml"],
    ]) {
      const r = await cli(runArgs("usage", ...bad));
      expect({ bad, code: r.code }).toEqual({ bad, code: 2 });
      expect(r.sent).toHaveLength(0);
    }
  });

  test("one default timeout: the judge's, the stage's and the help's", async () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(60_000);
    expect(
      new StructuredCaller({ baseURL: server.url, apiKey: "k", model: "m", cache: new JudgeCache(join(root, "cache")) })
        .o.timeoutMs,
    ).toBe(DEFAULT_TIMEOUT_MS);
    const { stderr } = await cli(["run", "--help"]);
    expect(stderr).toMatch(
      new RegExp(
        `--timeout SECONDS +per-request timeout of the openai judge \\(default ${DEFAULT_TIMEOUT_MS / 1000}\\)`,
      ),
    );
  });
});
