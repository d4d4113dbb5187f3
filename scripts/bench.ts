// `npm run bench -- [--quick] [--out FILE] [--only a,b] [--repeat N] [--evaldata DIR]`
//
// Speed and memory at atlas scale, each against a baseline measured in the same run (these machines
// are noisy: the report quotes medians and ratios). Every step runs the real command in a child
// process, in a throw-away data root, with its wall time and the peak memory of its process tree:
//   pipeline      import + heuristic run over all of ../shared/evaldata (cold cache, median of 3+ runs;
//                 warm re-run too), and the same run's parse floor (read + JSON.parse the inputs)
//   prompts       the analysis requests the openai judge would send for the same failures (built,
//                 not sent): the share of their characters in a prefix shared with another request,
//                 what providers' prompt caches can serve (scripts/judges/openai/prefix-share.ts)
//   openai        the openai judge over the same failures against a loopback chat-completions
//                 server answering after a fixed latency: default concurrency, and concurrency 1 on
//                 a sample (scaled by calls); cached_rerun: the same run again (must make 0 calls)
//   site          a synthetic atlas (scripts/bench/synth.ts; --quick ~2,000 pages, full 100 models
//                 × 50 datasets × 3 releases) built with `astro build`, against a plain Astro project
//                 building as many minimal pages, --repeat pairs (4; 2 with --quick) built in
//                 alternating order, the ratio the median of the pairs'; then Pagefind
//   import        a generated JSONL file (1 GB; 256 MB with --quick) imported (streaming)
// It prints a table, writes a JSON report (--out, default bench-report.json) and exits 1 when a
// target is missed. Figures and how to read them: README "Performance".
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir, cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import fg from "fast-glob";
import { inventory } from "./bench/inventory.ts";
import { layout, RELEASE_FILE } from "../src/lib/paths.ts";
import { startFakeJudge } from "./bench/fake-judge.ts";
import { writeBaselineProject } from "./bench/baseline.ts";
import { writeBigJsonl } from "./bench/bigjsonl.ts";
import { writeBigLmEval } from "./bench/biglmeval.ts";
import { measure, median, ok, round, type Measured } from "./bench/measure.ts";
import { writeSynthAtlas, type SynthShape } from "./bench/synth.ts";
import { DEFAULT_CONCURRENCY } from "./judges/openai/defaults.ts";

const REPO = resolve(import.meta.dirname, "..");
const SECTIONS = ["pipeline", "prompts", "openai", "site", "import"] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: "bench-report.json" },
    only: { type: "string" },
    repeat: { type: "string" },
    evaldata: { type: "string" },
    latency: { type: "string", default: "100" },
    keep: { type: "boolean", default: false },
  },
});
const quick = values.quick!;
const only = new Set((values.only ?? SECTIONS.join(",")).split(",").map((s) => s.trim()) as Section[]);
for (const s of only)
  if (!SECTIONS.includes(s)) throw new Error(`bench: unknown section ${s} (known: ${SECTIONS.join(", ")})`);
// An even number, so the site/baseline pairs are built as often in one order as in the other.
const repeat = Number(values.repeat ?? (quick ? 2 : 4));
const latencyMs = Number(values.latency);
const evaldata = resolve(values.evaldata ?? join(REPO, "../shared/evaldata"));
const node = process.execPath;
const cli = join(REPO, "bin/errormap.mjs");
const astro = join(REPO, "node_modules/astro/bin/astro.mjs");

/**
 * The Node flags `npm run build` runs Astro with (package.json's build script: a larger young
 * generation, see README "Performance"), so the bench builds the site as users do. The baseline
 * keeps Node's defaults, as a plain Astro project would.
 */
function siteBuildFlags(): string[] {
  const script = String(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).scripts?.build ?? "");
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) node_modules\/astro\/bin\/astro\.mjs build\b/.exec(script);
  if (!m)
    throw new Error(
      `bench: package.json's build script should start with "node [flags] node_modules/astro/bin/astro.mjs build", found: ${script}`,
    );
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}
const searchIndex = join(REPO, "scripts/site/search-index.ts");
const work = mkdtempSync(join(tmpdir(), "errormap-bench-"));
const quiet = { ERRORMAP_QUIET: "1" };
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

/** A fresh data root with this repository's registry. */
function dataRoot(name: string): string {
  const root = join(work, name);
  mkdirSync(root, { recursive: true });
  cpSync(join(REPO, "data/registry"), join(root, "registry"), { recursive: true });
  return root;
}

const evalInputs = () => {
  if (!existsSync(join(evaldata, "jsonl")))
    throw new Error(`bench: no evaluation data in ${evaldata} (pass --evaldata DIR)`);
  return [...fg.sync("jsonl/*.jsonl", { cwd: evaldata, absolute: true }).sort(), join(evaldata, "helm/runs/v4")];
};
const manifest = (root: string, s: string) =>
  JSON.parse(readFileSync(layout(root).manifestFile(s), "utf8")) as {
    records: number;
    failures: number;
  };
const runLog = (root: string, r: string) =>
  JSON.parse(readFileSync(layout(root).releaseFile(r, RELEASE_FILE.run), "utf8")) as {
    analysis_calls: number;
    cached: number;
    taxonomy_calls: number;
    classify_calls: number;
    stages: Record<string, number>;
  };

// ---------------------------------------------------------------------------------------------

/**
 * The floor under the pipeline, measured in the same run: a fresh Node process that reads every
 * input file and parses it (each JSONL line, each HELM JSON file) and does nothing else. Its time
 * tells how fast the machine is at the moment, so runs on a slower or busier moment compare.
 */
function writeParseFloor(file: string) {
  writeFileSync(
    file,
    `import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const parse = (p) => {
  if (statSync(p).isDirectory()) return readdirSync(p).forEach((f) => parse(join(p, f)));
  const text = readFileSync(p, "utf8");
  if (p.endsWith(".jsonl")) for (const line of text.split("\\n")) { if (line) JSON.parse(line); }
  else if (p.endsWith(".json")) JSON.parse(text);
};
process.argv.slice(2).forEach(parse);
`,
  );
}

async function benchPipeline() {
  // Import + run from scratch, several times (fresh data roots): the figures are medians.
  const runs = Math.max(3, repeat);
  const floorScript = join(work, "parse-floor.mjs");
  writeParseFloor(floorScript);
  const tries: {
    import_s: number;
    run_s: number;
    seconds: number;
    floor_s: number;
    peak: number;
    stages: Record<string, number>;
  }[] = [];
  let root = "";
  for (let i = 0; i < runs; i++) {
    root = dataRoot(`pipeline-${i}`);
    const imp = ok(
      "import",
      await measure(node, [cli, "import", "--data", root, "--snapshot", "s1", ...evalInputs()], {
        cwd: REPO,
        env: quiet,
      }),
    );
    const run = ok(
      "run",
      await measure(node, [cli, "run", "--data", root, "--snapshot", "s1", "--release", "r1"], {
        cwd: REPO,
        env: quiet,
      }),
    );
    const floor = ok("parse floor", await measure(node, [floorScript, ...evalInputs()], { cwd: REPO }));
    tries.push({
      import_s: imp.seconds,
      run_s: run.seconds,
      seconds: imp.seconds + run.seconds,
      floor_s: floor.seconds,
      peak: Math.max(imp.peakRssMb, run.peakRssMb),
      stages: runLog(root, "r1").stages,
    });
  }
  const warm = ok(
    "warm run",
    await measure(node, [cli, "run", "--data", root, "--snapshot", "s1", "--release", "r1", "--force"], {
      cwd: REPO,
      env: quiet,
    }),
  );
  const m = manifest(root, "s1");
  const seconds = median(tries.map((t) => t.seconds));
  const floorS = median(tries.map((t) => t.floor_s));
  const mid = [...tries].sort((x, y) => x.seconds - y.seconds)[Math.floor((tries.length - 1) / 2)]!;
  return {
    records: m.records,
    failures: m.failures,
    seconds: round(seconds),
    records_per_s: Math.round(m.records / seconds),
    peak_rss_mb: Math.max(...tries.map((t) => t.peak)),
    import_s: round(median(tries.map((t) => t.import_s))),
    run_s: round(median(tries.map((t) => t.run_s))),
    runs_s: tries.map((t) => round(t.seconds)),
    run_stages_s: mid.stages,
    parse_floor_s: round(floorS),
    ratio_vs_parse_floor: round(median(tries.map((t) => t.seconds / t.floor_s))),
    warm_run_s: round(warm.seconds),
    warm_run_stages_s: runLog(root, "r1").stages,
  };
}

async function benchPrompts() {
  const root = dataRoot("prompts");
  ok(
    "import",
    await measure(node, [cli, "import", "--data", root, "--snapshot", "s1", ...evalInputs()], {
      cwd: REPO,
      env: quiet,
    }),
  );
  const { snapshotPrefixShare } = await import("./pipeline/estimate.ts");
  const t0 = performance.now();
  const s = snapshotPrefixShare(root, "s1");
  return {
    requests: s.requests,
    chars: s.chars,
    shared_chars: s.shared_chars,
    shared_prefix_share: s.share,
    seconds: round((performance.now() - t0) / 1000),
  };
}

async function benchOpenAI() {
  const root = dataRoot("openai");
  ok(
    "import",
    await measure(node, [cli, "import", "--data", root, "--snapshot", "s1", ...evalInputs()], {
      cwd: REPO,
      env: quiet,
    }),
  );
  const server = await startFakeJudge(latencyMs);
  const env = { ...quiet, OPENAI_API_KEY: "bench-key", OPENAI_BASE_URL: server.url };
  const judge = (release: string, extra: string[]) =>
    measure(
      node,
      [
        cli,
        "run",
        "--data",
        root,
        "--snapshot",
        "s1",
        "--release",
        release,
        "--judge",
        "openai",
        "--judge-model",
        "bench-judge",
        ...extra,
      ],
      { cwd: REPO, env },
    );
  try {
    // The whole run at the default concurrency.
    let before = server.requests.length;
    const full = ok("openai run", await judge("r1", []));
    const calls = server.requests.length - before;
    const fullLog = runLog(root, "r1");
    // The same run again: everything is cached.
    before = server.requests.length;
    const again = ok("openai re-run", await judge("r1", ["--force"]));
    const rerunCalls = server.requests.length - before;
    // Concurrency 1 on a sample, in a data root of its own (so nothing is cached), scaled by calls.
    const subRoot = dataRoot("openai-serial");
    cpSync(join(root, "snapshots"), join(subRoot, "snapshots"), { recursive: true });
    const sample = quick ? 0.02 : 0.05;
    before = server.requests.length;
    ok(
      "openai serial sample",
      await measure(
        node,
        [
          cli,
          "run",
          "--data",
          subRoot,
          "--snapshot",
          "s1",
          "--release",
          "r1",
          "--judge",
          "openai",
          "--judge-model",
          "bench-judge",
          "--concurrency",
          "1",
          "--sample",
          String(sample),
        ],
        { cwd: REPO, env },
      ),
    );
    const subCalls = server.requests.length - before;
    const subLog = runLog(subRoot, "r1");
    // Time spent calling the judge = the judge and classify stages; the rest does not depend on concurrency.
    const judgeTime = (l: { stages: Record<string, number> }) => (l.stages.judge ?? 0) + (l.stages.classify ?? 0);
    const perCall = judgeTime(subLog) / subCalls;
    const serial = full.seconds - judgeTime(fullLog) + perCall * calls;
    return {
      openai: {
        failures: manifest(root, "s1").failures,
        latency_ms: latencyMs,
        concurrency: DEFAULT_CONCURRENCY,
        calls,
        analysis_calls: fullLog.analysis_calls,
        taxonomy_calls: fullLog.taxonomy_calls,
        classify_calls: fullLog.classify_calls,
        seconds: round(full.seconds),
        judge_stage_s: round(judgeTime(fullLog)),
        serial_seconds: round(serial),
        serial_sample: {
          ratio: sample,
          calls: subCalls,
          judge_stage_s: round(judgeTime(subLog)),
          seconds_per_call: round(perCall, 4),
        },
        speedup_vs_serial: round(serial / full.seconds),
        max_in_flight: server.maxInFlight(),
        peak_rss_mb: full.peakRssMb,
      },
      cached_rerun: { seconds: round(again.seconds), judge_calls: rerunCalls, cached: runLog(root, "r1").cached },
    };
  } finally {
    await server.close();
  }
}

/** Size of every script a page loads besides Pagefind: external files it names, and inline ones. */
function scriptKb(dist: string, html: string): number {
  let bytes = 0;
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const attrs = m[1]!;
    if (/type="application\/(ld\+)?json"/.test(attrs)) continue; // data, not code
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    if (!src) {
      bytes += Buffer.byteLength(m[2]!);
      continue;
    }
    if (/\/pagefind\//.test(src)) continue;
    const file = join(dist, src.replace(/^https?:\/\/[^/]+/, "").split(/[?#]/)[0]!);
    if (existsSync(file)) bytes += statSync(file).size;
  }
  for (const m of html.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) {
    if (/\/pagefind\//.test(m[1]!)) continue;
    const file = join(dist, m[1]!);
    if (existsSync(file)) bytes += statSync(file).size;
  }
  return bytes / 1024;
}

async function benchSite() {
  const shape: SynthShape = quick
    ? { models: 40, datasets: 15, releases: 2 }
    : { models: 100, datasets: 50, releases: 3 };
  const root = join(work, "site-data");
  mkdirSync(root, { recursive: true });
  const t0 = performance.now();
  log(`generating a synthetic atlas: ${shape.models} models × ${shape.datasets} datasets × ${shape.releases} releases`);
  const made = await writeSynthAtlas(root, shape, join(work, "site-tmp"), log);
  const generate_s = (performance.now() - t0) / 1000;
  const baseDir = join(work, "baseline");
  writeBaselineProject(baseDir, REPO);

  const builds: Measured[] = [];
  const baselines: Measured[] = [];
  const dist = join(work, "site-dist");
  const flags = siteBuildFlags();
  let pages = 0;
  const siteBuild = async (i: number) => {
    rmSync(dist, { recursive: true, force: true });
    log(`site build ${i + 1}/${repeat}`);
    builds.push(
      ok(
        "site build",
        await measure(node, [...flags, astro, "build"], {
          cwd: REPO,
          env: { ERRORMAP_DATA: root, ERRORMAP_OUT: dist, ERRORMAP_CACHE: join(work, "site-cache") },
        }),
      ),
    );
    pages = fg.sync("**/*.html", { cwd: dist }).length;
  };
  const baselineBuild = async (i: number) => {
    // Its output stays inside the project: Astro's prerender bundle there resolves packages from it.
    rmSync(join(baseDir, "dist"), { recursive: true, force: true });
    log(`baseline build ${i + 1}/${repeat} (${pages} minimal pages)`);
    baselines.push(
      ok(
        "baseline build",
        await measure(node, [astro, "build"], { cwd: baseDir, env: { BASELINE_PAGES: String(pages) } }),
      ),
    );
  };
  for (let i = 0; i < repeat; i++) {
    // Each pair's two builds run back to back, in alternating order (site first, then baseline
    // first): this machine slows down under sustained load, so always building the baseline
    // second made it look slower than it is. The first pair builds the site first, to count pages.
    if (i % 2 === 0) {
      await siteBuild(i);
      await baselineBuild(i);
    } else {
      await baselineBuild(i);
      await siteBuild(i);
    }
  }
  log("pagefind");
  const pf = ok("pagefind", await measure(node, [searchIndex, dist], { cwd: REPO }));
  const htmlFiles = fg.sync("**/*.html", { cwd: dist, ignore: ["pagefind/**"] });
  const sizes: number[] = [];
  let jsMax = 0;
  let jsMaxPage = "";
  for (const f of htmlFiles) {
    const html = readFileSync(join(dist, f), "utf8");
    sizes.push(Buffer.byteLength(html) / 1024);
    const js = scriptKb(dist, html);
    if (js > jsMax) [jsMax, jsMaxPage] = [js, f];
  }
  const dirMb = (d: string) => fg.sync("**/*", { cwd: d }).reduce((s, f) => s + statSync(join(d, f)).size, 0) / 2 ** 20;
  const build_s = median(builds.map((b) => b.seconds));
  const baseline_build_s = median(baselines.map((b) => b.seconds));
  // The first release was imported and judged from scratch (cold cache): the pipeline's rate at scale.
  const first = made[0]!;
  return {
    shape,
    generate_s: round(generate_s),
    pipeline_at_scale: {
      records: first.records,
      failures: first.failures,
      import_s: round(first.import_s),
      run_s: round(first.run_s),
      records_per_s: Math.round(first.records / (first.import_s + first.run_s)),
    },
    pages,
    files: fg.sync("**/*", { cwd: dist, ignore: ["pagefind/**", "pagefind-failures-*/**"] }).length,
    build_s: round(build_s),
    build_runs_s: builds.map((b) => round(b.seconds)),
    baseline_build_s: round(baseline_build_s),
    baseline_runs_s: baselines.map((b) => round(b.seconds)),
    // Each build is paired with the baseline build run right after it, and the ratio is the median
    // of those pairs: the machine's speed drifts over minutes, and a pair shares the drift.
    ratio_vs_baseline: round(median(builds.map((b, i) => b.seconds / baselines[i]!.seconds))),
    ratio_runs: builds.map((b, i) => round(b.seconds / baselines[i]!.seconds)),
    ratio_of_medians: round(build_s / baseline_build_s),
    ms_per_page: round((build_s * 1000) / pages),
    baseline_ms_per_page: round((baseline_build_s * 1000) / pages),
    pagefind_s: round(pf.seconds),
    index_mb: round(
      ["pagefind", ...fg.sync("pagefind-failures-*", { cwd: dist, onlyDirectories: true })].reduce(
        (mb, d) => mb + dirMb(join(dist, d)),
        0,
      ),
      1,
    ),
    site_mb: round(dirMb(dist), 1),
    peak_rss_mb: Math.max(...builds.map((b) => b.peakRssMb)),
    pagefind_peak_rss_mb: pf.peakRssMb,
    baseline_peak_rss_mb: Math.max(...baselines.map((b) => b.peakRssMb)),
    html_kb_p50: round(median(sizes), 1),
    // A loop, not Math.max(...sizes): at atlas scale there are more pages than call arguments allowed.
    html_kb_max: round(
      sizes.reduce((m, x) => Math.max(m, x), 0),
      1,
    ),
    js_kb_max: round(jsMax, 1),
    js_kb_max_page: jsMaxPage,
    // Pages, files and bytes by kind (failure and item pages, list chunks, full texts, ...).
    inventory: inventory(dist),
  };
}

async function benchImport() {
  const root = dataRoot("import");
  const sizes = quick ? [256] : [256, 1024];
  const runs: { file_mb: number; records: number; seconds: number; peak_rss_mb: number }[] = [];
  for (const mb of sizes) {
    const file = join(work, `big-${mb}.jsonl`);
    log(`writing a ${mb} MB JSONL file`);
    // The synthetic registry names the file's models and dataset.
    const records = writeBigJsonl(file, mb * 2 ** 20);
    log(`importing it (${records} records)`);
    const m = ok(
      "import",
      await measure(node, [cli, "import", "--data", root, "--snapshot", `big-${mb}`, "--register", file], {
        cwd: REPO,
        env: quiet,
      }),
    );
    runs.push({
      file_mb: round(statSync(file).size / 2 ** 20),
      records,
      seconds: round(m.seconds),
      peak_rss_mb: m.peakRssMb,
    });
    rmSync(file, { force: true });
    rmSync(join(root, "snapshots", `big-${mb}`), { recursive: true, force: true });
  }
  // The same size as an lm-evaluation-harness run folder (README "Importing what evaluation tools write"):
  // the tools' formats stream too.
  const mb = sizes.at(-1)!;
  log(`writing a ${mb} MB lm-eval samples file`);
  const big = writeBigLmEval(join(work, "biglm"), mb * 2 ** 20);
  const lm = ok(
    "import lm-eval",
    await measure(node, [cli, "import", "--data", root, "--snapshot", "biglm", "--register", join(work, "biglm")], {
      cwd: REPO,
      env: quiet,
    }),
  );
  const lm_eval = {
    file_mb: round(big.bytes / 2 ** 20),
    records: big.records,
    seconds: round(lm.seconds),
    peak_rss_mb: lm.peakRssMb,
  };
  rmSync(join(work, "biglm"), { recursive: true, force: true });
  rmSync(join(root, "snapshots", "biglm"), { recursive: true, force: true });
  const last = runs.at(-1)!;
  return {
    ...last,
    records_per_s: Math.round(last.records / last.seconds),
    runs,
    rss_growth_vs_quarter: runs.length > 1 ? round(last.peak_rss_mb / runs[0]!.peak_rss_mb) : null,
    lm_eval,
  };
}

// ---------------------------------------------------------------------------------------------

const report: Record<string, unknown> = {
  machine: { cpus: cpus().length, memory_gb: round(totalmem() / 2 ** 30, 1), node: process.version },
  mode: quick ? "quick" : "full",
};
const started = performance.now();
try {
  if (only.has("pipeline")) {
    log("pipeline: import + heuristic run over the shared data");
    report.pipeline = await benchPipeline();
  }
  if (only.has("prompts")) {
    log("prompts: the analysis requests' shared prefixes (no server)");
    report.prompts = await benchPrompts();
  }
  if (only.has("openai")) {
    log(`openai: judge against a loopback server answering after ${latencyMs} ms`);
    Object.assign(report, await benchOpenAI());
  }
  if (only.has("site")) report.site = await benchSite();
  if (only.has("import")) report.import = await benchImport();
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
report.seconds = round((performance.now() - started) / 1000);

// Targets (README "Performance").
type Target = { metric: string; value: number | null; target: string; ok: boolean };
const targets: Target[] = [];
const check = (metric: string, value: number | undefined, target: string, pass: (v: number) => boolean) => {
  if (value === undefined) return;
  targets.push({ metric, value, target, ok: Number.isFinite(value) && pass(value) });
};
// biome-ignore lint/suspicious/noExplicitAny: the report is assembled section by section; each check reads one optional figure
const r = report as any;
check("pipeline.records_per_s", r.pipeline?.records_per_s, "≥ 5000", (v) => v >= 5000);
check("prompts.shared_prefix_share", r.prompts?.shared_prefix_share, "≥ 0.7", (v) => v >= 0.7);
check("openai.speedup_vs_serial", r.openai?.speedup_vs_serial, "≥ 10", (v) => v >= 10);
check("cached_rerun.judge_calls", r.cached_rerun?.judge_calls, "= 0", (v) => v === 0);
check("site.ratio_vs_baseline", r.site?.ratio_vs_baseline, "≤ 2.5", (v) => v <= 2.5);
check("site.js_kb_max", r.site?.js_kb_max, "≤ 50", (v) => v <= 50);
check("site.html_kb_max", r.site?.html_kb_max, "≤ 300", (v) => v <= 300);
check("site.inventory.largest_fetched.kb", r.site?.inventory?.largest_fetched.kb, "≤ 300", (v) => v <= 300);
check("site.peak_rss_mb", r.site?.peak_rss_mb, "≤ 24576", (v) => v <= 24576);
check("import.peak_rss_mb", r.import?.peak_rss_mb, "≤ 500", (v) => v <= 500);
check("import.lm_eval.peak_rss_mb", r.import?.lm_eval?.peak_rss_mb, "≤ 500", (v) => v <= 500);
report.targets = targets;
writeFileSync(values.out!, JSON.stringify(report, null, 2) + "\n");

// The table.
const rows: string[][] = [["section", "figure", "value"]];
for (const s of ["pipeline", "prompts", "openai", "cached_rerun", "site", "import"]) {
  const o = r[s];
  if (!o) continue;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "number" || typeof v === "string") rows.push([s, k, String(v)]);
    else if (v && typeof v === "object" && !Array.isArray(v))
      for (const [k2, v2] of Object.entries(v))
        if (typeof v2 === "number" || typeof v2 === "string") rows.push([s, `${k}.${k2}`, String(v2)]);
  }
}
// The site's files by kind: files, MB and the largest file of each kind.
for (const [kind, t] of Object.entries((r.site?.inventory?.kinds ?? {}) as Record<string, Record<string, number>>))
  rows.push(["site", `files: ${kind}`, `${t.files} files, ${t.mb} MB, largest ${t.max_kb} KB`]);
const w = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
for (const x of rows) console.log(x.map((c, i) => c.padEnd(w[i]!)).join("  "));
console.log("");
for (const t of targets) console.log(`${t.ok ? "ok    " : "MISSED"}  ${t.metric} = ${t.value} (target ${t.target})`);
const missed = targets.filter((t) => !t.ok).length;
console.log(
  `bench (${report.mode}, ${report.seconds} s): ${missed ? `${missed} target(s) missed` : "every target met"}; report in ${values.out}`,
);
process.exit(missed ? 1 : 0);
