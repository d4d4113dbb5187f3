// `npm run bench`: speed and memory targets on the real data (../shared/evaldata), measured here
// rather than in timed tests. Each step runs the real CLI in a child process in a throw-away data
// root and reports wall time and peak RSS; the script exits 1 when a target is missed.
//
//   npm run bench [-- --evaldata DIR] [--site]
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const REPO = resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { evaldata: { type: "string" }, site: { type: "boolean" } } });
const evaldata = resolve(values.evaldata ?? join(REPO, "../shared/evaldata"));
if (!existsSync(join(evaldata, "jsonl"))) {
  console.error(`bench: no evaluation data in ${evaldata} (pass --evaldata DIR)`);
  process.exit(2);
}

interface Step {
  name: string;
  args: string[];
  /** Targets: wall seconds and peak RSS in MB. */
  maxSeconds: number;
  maxRssMb: number;
  env?: Record<string, string>;
  /** doctor exits 1 when it finds orphans etc.; its time still counts. */
  allowFailure?: boolean;
  /** Targets (seconds) for stages a pipeline run reports in run.json. */
  stageTargets?: Record<string, number>;
}

const root = mkdtempSync(join(tmpdir(), "errormap-bench-"));
cpSync(join(REPO, "data/registry"), join(root, "registry"), { recursive: true });
const jsonl = readdirSync(join(evaldata, "jsonl")).filter((f) => f.endsWith(".jsonl")).map((f) => join(evaldata, "jsonl", f)).sort();
const node = process.execPath;
const cli = join(REPO, "bin/errormap.mjs");

const steps: Step[] = [
  { name: "import all (10,900 records)", args: [cli, "import", "--snapshot", "s1", ...jsonl, join(evaldata, "helm/runs/v4")], maxSeconds: 15, maxRssMb: 600 },
  // Rules over all 6,367 failures plus writing every answer to the cache; warm: rules skipped.
  { name: "run heuristic, cold cache", args: [cli, "run", "--snapshot", "s1", "--release", "r1"], maxSeconds: 30, maxRssMb: 1200, stageTargets: { judge: 10, aggregate: 5 } },
  { name: "run heuristic, warm cache", args: [cli, "run", "--snapshot", "s1", "--release", "r1", "--force"], maxSeconds: 15, maxRssMb: 1200, stageTargets: { judge: 3, aggregate: 5 } },
  { name: "doctor", args: [cli, "doctor"], maxSeconds: 20, maxRssMb: 800, allowFailure: true },
];
if (values.site) {
  steps.push({
    name: "site build (astro)",
    args: [join(REPO, "node_modules/astro/bin/astro.mjs"), "build"],
    maxSeconds: 300,
    maxRssMb: 4000,
    env: { ERRORMAP_OUT: join(root, "dist"), ERRORMAP_CACHE: join(root, "astro-cache") },
  });
}

/** Runs a command, polling its peak resident memory (VmHWM of /proc/<pid>/status, Linux). */
function measure(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; seconds: number; rssMb: number; stderr: string }> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited, or no /proc */
      }
    }, 20);
    child.on("close", (code) => {
      clearInterval(poll);
      done({ code, seconds: (performance.now() - t0) / 1000, rssMb: peakKb ? Math.round(peakKb / 1024) : NaN, stderr });
    });
  });
}

let failed = 0;
const rows: string[][] = [["step", "seconds", "target", "peak RSS MB", "target", "", "summary"]];
for (const s of steps) {
  const r = await measure(node, s.args, { ERRORMAP_DATA: root, ERRORMAP_QUIET: "1", ...s.env });
  const ok = (r.code === 0 || s.allowFailure === true) && r.seconds <= s.maxSeconds && !(r.rssMb > s.maxRssMb);
  if (r.code !== 0 && !s.allowFailure) console.error(`${s.name}: exit ${r.code}\n${r.stderr}`);
  if (!ok) failed++;
  const summary = r.stderr.trim().split("\n").pop() ?? "";
  rows.push([s.name, r.seconds.toFixed(1), `≤ ${s.maxSeconds}`, Number.isFinite(r.rssMb) ? String(r.rssMb) : "?", `≤ ${s.maxRssMb}`, ok ? "ok" : "MISSED", summary.slice(0, 100)]);
  // A pipeline run also reports its stages (run.json); some have targets of their own.
  if (s.stageTargets) {
    const run = JSON.parse(readFileSync(join(root, "releases/r1/run.json"), "utf8")) as { stages?: Record<string, number> };
    for (const [stage, secs] of Object.entries(run.stages ?? {})) {
      const target = s.stageTargets[stage];
      const stageOk = target === undefined || secs <= target;
      if (!stageOk) failed++;
      rows.push([`  stage ${stage}`, secs.toFixed(2), target === undefined ? "" : `≤ ${target}`, "", "", target === undefined ? "" : stageOk ? "ok" : "MISSED", ""]);
    }
  }
}
rmSync(root, { recursive: true, force: true });

const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join("  "));
console.log(failed ? `bench: ${failed} target(s) missed` : "bench: every target met");
process.exit(failed ? 1 : 0);
