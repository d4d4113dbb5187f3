// Releases on the pipeline side (README "The maintainers' workflow"): a second release built on a snapshot that adds one model judges
// exactly that model's failures; publish freezes a release; doctor finds tampering.
import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { doctor } from "../../scripts/commands/doctor.ts";
import { publishRelease } from "../../scripts/commands/publish.ts";
import { runPipeline } from "../../scripts/pipeline/run.ts";
import { startChatServer, type ChatServer } from "../helpers/chat-server.ts";
import { JSONL_DIR } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { removeRoot, runCli, tempRoot } from "../import/helpers.ts";

/** One dataset split into "all models but one" (old) and "the new model" (new), as input files. */
interface Split {
  old: string[];
  fresh: string[];
  newFailures: number;
}

const SOURCES = sources<(dir: string) => Split>({
  // The generated arithmetic set (closed answers, like GSM8K) without and with Ember-13B-Chat.
  generated: () => (dir) => {
    const only = (m: (model: string) => boolean) => (d: string, model: string) => d === "demo_arith" && m(model);
    const old = generatedInputs(join(dir, "old"), { keep: only((m) => m !== "Ember-13B-Chat") });
    const fresh = generatedInputs(join(dir, "new"), { keep: only((m) => m === "Ember-13B-Chat") });
    return {
      old: old.paths,
      fresh: fresh.paths,
      newFailures: fresh.records.filter((r) => r.kind !== "correct").length,
    };
  },
  // GSM8K, split at test time in a temp folder.
  shared: () => (dir) => {
    const NEW_MODEL = "gemma-2-9b-it";
    const lines = readFileSync(join(JSONL_DIR, "gsm8k.jsonl"), "utf8").trim().split("\n");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "gsm8k-old.jsonl"),
      lines.filter((l) => JSON.parse(l).model !== NEW_MODEL).join("\n") + "\n",
    );
    const fresh = lines.filter((l) => JSON.parse(l).model === NEW_MODEL);
    writeFileSync(join(dir, "gsm8k-new.jsonl"), fresh.join("\n") + "\n");
    return {
      old: [join(dir, "gsm8k-old.jsonl")],
      fresh: [join(dir, "gsm8k-new.jsonl")],
      newFailures: fresh.filter((l) => JSON.parse(l).correct === false).length,
    };
  },
});

describe.each(SOURCES)("releases: only the new work, frozen releases, doctor (%s inputs)", (_name, inputs) => {
  let root: string;
  let server: ChatServer;
  let newFailures = 0;
  let split: Split;
  beforeAll(async () => {
    root = tempRoot("errormap-releases-");
    server = await startChatServer();
    split = inputs(join(root, "inputs"));
    newFailures = split.newFailures;
    await importSnapshot({ root, snapshot: "s1", paths: split.old });
    await importSnapshot({ root, snapshot: "s2", base: "s1", paths: split.fresh });
  });
  afterAll(async () => {
    await server?.close();
    removeRoot(root);
  });

  const openai = (snapshot: string, release: string, extra = {}) =>
    runPipeline({
      root,
      snapshot,
      release,
      judge: "openai",
      judgeModel: "test-judge",
      baseURL: server.url,
      apiKey: "k",
      judgeOptions: { backoffBaseMs: 5 },
      ...extra,
    });

  it("the second release judges exactly the new model's failures (openai judge)", async () => {
    expect(newFailures).toBeGreaterThan(0);
    const r1 = await openai("s1", "r1");
    // Every failure judged, one call per distinct request (failures that make identical requests,
    // as templated generated outputs can, share one call and count as cached).
    expect(r1.run.analysis_calls + r1.run.cached).toBe(r1.release.counts.failures);
    expect(r1.run.analysis_calls).toBe(server.chatRequests("error_analysis").length);
    expect(r1.run.analysis_calls).toBe(
      new Set(server.chatRequests("error_analysis").map((q) => JSON.stringify(q.messages))).size,
    );
    const asked = server.chatRequests("error_analysis").length;
    const r2 = await openai("s2", "r2");
    expect(r2.release.previous).toBe("r1");
    expect(r2.release.counts.failures).toBe(r1.release.counts.failures + newFailures);
    // Nothing r1 judged is asked again: only (distinct) failures of the new model are.
    expect(r2.run.analysis_calls + r2.run.cached).toBe(r2.release.counts.failures);
    expect(r2.run.cached).toBeGreaterThanOrEqual(r1.release.counts.failures);
    expect(r2.run.analysis_calls).toBeGreaterThan(0);
    expect(r2.run.analysis_calls).toBeLessThanOrEqual(newFailures);
    if (r1.run.cached === 0) expect(r2.run.analysis_calls).toBe(newFailures); // no shared requests at all (the real data)
    expect(server.chatRequests("error_analysis").length - asked).toBe(r2.run.analysis_calls);
    // The taxonomy continues: every category of r1 that still exists keeps its id and slug.
    const t1 = JSON.parse(readFileSync(join(root, "releases/r1/taxonomy.json"), "utf8"));
    const t2 = JSON.parse(readFileSync(join(root, "releases/r2/taxonomy.json"), "utf8"));
    const ids2 = new Map(t2.categories.map((c: { id: string; slug: string }) => [c.id, c.slug]));
    const retired = new Set(t2.retired.map((c: { id: string }) => c.id));
    for (const c of t1.categories) {
      expect(ids2.has(c.id) || retired.has(c.id), c.id).toBe(true);
    }
  });

  it("the heuristic judge also judges only the new failures", async () => {
    const h1 = await runPipeline({ root, snapshot: "s1", release: "h1", previous: null });
    expect(h1.run.analysis_calls).toBe(h1.release.counts.failures);
    const h2 = await runPipeline({ root, snapshot: "s2", release: "h2", previous: "h1" });
    // A failure is judged again only if the new model changed what the rules read of its item
    // (its consensus answer, or on open-ended items the peers' length): here it changes nothing.
    expect(h2.run.analysis_calls).toBe(newFailures);
    expect(h2.run.cached).toBe(h1.release.counts.failures);
  });

  it("publish freezes a release: no re-run, even with --force; doctor finds a tampered file", async () => {
    const clean = doctor(root);
    expect(clean.problems.filter((p) => !p.what.startsWith("orphan"))).toEqual([]);
    const published = publishRelease(root, "r1");
    expect(published.published?.outputs_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(published.published?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await expect(openai("s1", "r1", { force: true })).rejects.toThrow(/published and immutable/);
    const cli = await runCli(["run", "--data", root, "--snapshot", "s1", "--release", "r1", "--force"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/published/);
    expect(() => publishRelease(root, "r1")).toThrow(/already published/);

    // Its snapshot is frozen with it.
    await expect(importSnapshot({ root, snapshot: "s1", paths: split.fresh, force: true })).rejects.toThrow(
      /published release\(s\) r1/,
    );

    appendFileSync(join(root, "releases/r1/analyses.jsonl"), "");
    expect(doctor(root).problems.filter((p) => p.where.includes("releases/r1"))).toEqual([]);
    const text = readFileSync(join(root, "releases/r1/aggregates.json"), "utf8");
    writeFileSync(join(root, "releases/r1/aggregates.json"), text.replace(/"accuracy": 0\.\d+/, '"accuracy": 0.5'));
    const found = doctor(root).problems.filter((p) => p.where.endsWith(join("releases", "r1", "aggregates.json")));
    expect(found).toHaveLength(1);
    expect(found[0].what).toMatch(/published release file was changed/);
    expect(found[0].fix).toMatch(/restore/);
    const viaCli = await runCli(["doctor", "--data", root, "--json"]);
    expect(viaCli.code).toBe(1);
    expect(JSON.parse(viaCli.stdout).ok).toBe(false);
  });

  it("errormap info with neither flag lists every snapshot and release", async () => {
    const r = await runCli(["info", "--data", root, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.snapshots.map((x: { id: string }) => x.id)).toEqual(["s1", "s2"]);
    expect(info.snapshots[1]).toMatchObject({ base: "s1", failures: info.snapshots[0].failures + newFailures });
    const ids = info.releases.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining(["r1", "r2", "h1", "h2"]));
    expect(ids.indexOf("r1")).toBeLessThan(ids.indexOf("r2"));
    expect(info.releases.find((x: { id: string }) => x.id === "r1").published).toBe(true);
  });
});
