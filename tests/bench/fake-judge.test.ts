// The bench's own fake judge (scripts/bench/fake-judge.ts) carries a whole openai run on generated
// inputs: every failure analysed, a taxonomy induced, requests answered concurrently.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeJudge, type FakeJudge } from "../../scripts/bench/fake-judge.ts";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { generatedInputs } from "../helpers/sources.ts";
import { removeRoot, tempRoot } from "../import/helpers.ts";

describe("the bench's fake judge", () => {
  let root: string;
  let judge: FakeJudge;
  let failures = 0;
  beforeAll(async () => {
    root = tempRoot("errormap-fake-judge-");
    judge = await startFakeJudge(5);
    const g = generatedInputs(join(root, "inputs"), { keep: (d) => d !== "demo_instruct" });
    failures = g.records.filter((r) => r.kind !== "correct").length;
    await importSnapshot({ root, snapshot: "s1", paths: g.paths });
  });
  afterAll(async () => {
    await judge?.close();
    removeRoot(root);
  });

  it("answers every request of a run validly", async () => {
    const r = await runPipeline({
      root,
      snapshot: "s1",
      release: "r1",
      judge: "openai",
      judgeModel: "bench-judge",
      baseURL: judge.url,
      apiKey: "k",
      concurrency: 8,
    });
    expect(r.release.counts.failures).toBe(failures);
    expect(r.release.counts.judge_errors).toBe(0);
    expect(r.release.counts.analysed).toBe(failures);
    expect(r.run.analysis_calls + r.run.cached).toBe(failures);
    expect(r.release.counts.categories).toBeGreaterThan(2);
    expect(judge.requests.length).toBeGreaterThan(r.run.analysis_calls); // taxonomy and classify calls too
    expect(judge.maxInFlight()).toBeGreaterThan(1);
    expect(judge.maxInFlight()).toBeLessThanOrEqual(8);
  });
});
