// The `errormap` command: import results, run the pipeline, inspect, publish, check a data root.
// Each subcommand declares its flags once; --help is generated from that declaration.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { dataRoot } from "../src/lib/paths.ts";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_JUDGE_MODEL,
  DEFAULT_TIMEOUT_MS,
  RESPONSE_FORMATS,
  type ResponseFormatMode,
} from "./judges/openai/defaults.ts";
import type { RunOptions } from "./pipeline/options.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
interface Command {
  usage: string;
  summary: string;
  options: Options;
  help: Record<string, string>;
  positionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[], root: string): Promise<number>;
}

const COMMON: Options = { data: { type: "string" }, help: { type: "boolean", short: "h" } };
const COMMON_HELP = {
  data: "DIR  data root (default: $ERRORMAP_DATA, else ./data)",
  help: "show this help",
};

const commands: Record<string, Command> = {
  import: {
    usage:
      "errormap import --snapshot ID [--base ID] [--register [--threshold T]] [--force] [--dry-run] [--model M] [--scorer S] [--filter F] PATH...",
    summary:
      "Import evaluation results (JSONL, CSV, ErrorMap CSV, HELM run directories, lm-evaluation-harness samples, Inspect AI logs, Every Eval Ever instance files) into a snapshot.",
    options: {
      snapshot: { type: "string" },
      base: { type: "string" },
      register: { type: "boolean" },
      threshold: { type: "string" },
      force: { type: "boolean" },
      "dry-run": { type: "boolean" },
      model: { type: "string" },
      scorer: { type: "string" },
      filter: { type: "string" },
    },
    help: {
      snapshot: "ID   snapshot to write (data/snapshots/ID); refused if it exists, unless --force",
      base: "ID   start from an earlier snapshot's records, plus the new files",
      register: "     add unknown model and dataset names to the registry instead of stopping",
      threshold:
        "T    success threshold of the graded datasets --register adds (a record with only a score fails when score < T)",
      force: "     replace an existing snapshot of the same id",
      "dry-run": "   detect, read and validate every input and report what it holds; write nothing",
      model: "M    lm-eval: the model of samples files that have no results file beside them",
      scorer: "S   Inspect: the scorer whose value is the score (default: the log's first scorer)",
      filter: "F   lm-eval: the filter whose answers are kept when a task has several (default: the task's first)",
    },
    positionals: true,
    async run(v, paths, root) {
      if (!v.snapshot) throw new UsageError("--snapshot ID is required");
      if (paths.length === 0) throw new UsageError("name at least one PATH to import");
      let threshold: number | undefined;
      if (v.threshold !== undefined) {
        threshold = Number(v.threshold);
        if (String(v.threshold).trim() === "" || !Number.isFinite(threshold))
          throw new UsageError(`--threshold must be a number, not "${v.threshold}"`);
        if (!v.register)
          throw new UsageError(
            "--threshold sets the threshold of datasets --register adds: pass --register too (for a known dataset, set success_threshold in the registry)",
          );
      }
      const { importSnapshot } = await import("./import/snapshot.ts");
      const t0 = Date.now();
      const m = await importSnapshot({
        root,
        snapshot: String(v.snapshot),
        base: v.base as string | undefined,
        paths,
        register: Boolean(v.register),
        threshold,
        force: Boolean(v.force),
        log: (line) => console.error(line),
        dryRun: Boolean(v["dry-run"]),
        model: v.model as string | undefined,
        scorer: v.scorer as string | undefined,
        filter: v.filter as string | undefined,
        report: (rows) => {
          for (const r of rows)
            console.error(
              `${r.path}${r.arg !== r.path ? ` (in ${r.arg})` : ""}: ${r.format}, ${r.records} records, ${r.failures} failures`,
            );
        },
      });
      const secs = (Date.now() - t0) / 1000;
      console.error(
        `${v["dry-run"] ? "dry run, nothing written: snapshot" : "imported snapshot"} ${m.id}: ${m.records} records, ${m.failures} failures, ${Object.keys(m.datasets).length} datasets, ${m.models.length} models in ${secs.toFixed(1)} s`,
      );
      return 0;
    },
  },
  run: {
    usage:
      "errormap run --snapshot ID --release ID [--judge heuristic|openai] [--judge-model M] [--base-url URL] [--response-format F] [--concurrency N] [--timeout S] [--sample RATIO] [--seed N] [--max-calls N] [--batch] [--force] [--estimate [--json]]",
    summary: "Run the ErrorMap pipeline (select, analyse, taxonomy, classify, aggregate) and write a release.",
    options: {
      snapshot: { type: "string" },
      release: { type: "string" },
      judge: { type: "string" },
      "judge-model": { type: "string" },
      "base-url": { type: "string" },
      concurrency: { type: "string" },
      sample: { type: "string" },
      seed: { type: "string" },
      "max-calls": { type: "string" },
      timeout: { type: "string" },
      "response-format": { type: "string" },
      batch: { type: "boolean" },
      previous: { type: "string" },
      title: { type: "string" },
      force: { type: "boolean" },
      estimate: { type: "boolean" },
      json: { type: "boolean" },
    },
    help: {
      snapshot: "ID        the snapshot to analyse",
      release: "ID         the release to write (data/releases/ID)",
      judge: "NAME         heuristic (default, offline rules) or openai (any OpenAI-compatible endpoint)",
      "judge-model": `M    judge model name (or $ERRORMAP_JUDGE_MODEL; default ${DEFAULT_JUDGE_MODEL})`,
      "base-url": "URL     endpoint base URL (or $OPENAI_BASE_URL); the key comes from $OPENAI_API_KEY",
      concurrency: `N     judge requests in flight (default ${DEFAULT_CONCURRENCY})`,
      sample: "RATIO       analyse this share of failures per (model, dataset), chosen by the seed (default 1)",
      seed: "N             seed for sampling and bootstrap intervals (default 0)",
      "max-calls": "N     budget: at most N new judge calls in this run",
      timeout: `SECONDS    per-request timeout of the openai judge (default ${DEFAULT_TIMEOUT_MS / 1000})`,
      "response-format":
        "F  how the openai judge asks for JSON: json_schema (default), json_object or text (servers without json_schema; the schema then goes into the prompt)",
      batch: "             use the OpenAI Batch API for item analyses (resumable)",
      previous: "ID        the release this one follows (default: the newest other release)",
      title: "TEXT         human title of the release",
      force: "             re-run an existing (unpublished) release",
      estimate:
        "          print what the run would cost (calls, tokens, price; only work not cached) and stop: no request, nothing written",
      json: "              with --estimate: print the estimate as one JSON object on stdout",
    },
    async run(v, _p, root) {
      if (!v.snapshot || !v.release) throw new UsageError("--snapshot ID and --release ID are required");
      const judge = String(v.judge ?? "heuristic");
      if (judge !== "heuristic" && judge !== "openai")
        throw new UsageError(`--judge must be heuristic or openai, not "${judge}"`);
      // A flag's value: a number (an integer unless int is false) of at least `min`; "more than" when above is set.
      const num = (name: string, x: unknown, int = true, min = 0, above = false) => {
        if (x === undefined) return undefined;
        const n = String(x).trim() === "" ? NaN : Number(x);
        const what = `${int ? "an integer" : "a number"} ${above ? "above" : min === 0 ? "of 0 or more" : "of at least"}${min === 0 && !above ? "" : ` ${min}`}`;
        if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || (above && n === min))
          throw new UsageError(`--${name} must be ${what}, not "${x}"`);
        return n;
      };
      const sample = num("sample", v.sample, false, 0, true);
      if (sample !== undefined && sample > 1)
        throw new UsageError(`--sample must be a share in (0, 1], not "${v.sample}"`);
      const responseFormat = v["response-format"] as string | undefined;
      if (responseFormat !== undefined && !(RESPONSE_FORMATS as readonly string[]).includes(responseFormat))
        throw new UsageError(`--response-format must be json_schema, json_object or text, not "${responseFormat}"`);
      if (v.json && !v.estimate) throw new UsageError("--json goes with --estimate");
      const { runPipeline } = await import("./pipeline/run.ts");
      const t0 = Date.now();
      const r = await (v.estimate ? (o: RunOptions) => printEstimate(o, Boolean(v.json)) : runPipeline)({
        root,
        snapshot: String(v.snapshot),
        release: String(v.release),
        judge,
        judgeModel: (v["judge-model"] as string | undefined) ?? process.env.ERRORMAP_JUDGE_MODEL,
        baseURL: (v["base-url"] as string | undefined) ?? process.env.OPENAI_BASE_URL,
        apiKey: process.env.OPENAI_API_KEY,
        concurrency: num("concurrency", v.concurrency, true, 1),
        sample,
        seed: num("seed", v.seed),
        maxCalls: num("max-calls", v["max-calls"], true, 1),
        timeoutMs: v.timeout === undefined ? undefined : num("timeout", v.timeout, false, 0, true)! * 1000,
        responseFormat: responseFormat as ResponseFormatMode | undefined,
        batch: Boolean(v.batch),
        previous: v.previous as string | undefined,
        title: v.title as string | undefined,
        force: Boolean(v.force),
        log: (line) => console.error(line),
      });
      if (!r) return 0; // --estimate: printed, nothing run
      const { release: rel, run } = r;
      console.error(
        `release ${rel.id}: ${rel.counts.failures} failures, ${rel.counts.analysed} analysed, ${rel.counts.categories} categories, ` +
          `${rel.counts.unexplained} unexplained, ${rel.counts.judge_errors} judge errors; judge calls ${run.analysis_calls} new + ${run.cached} cached` +
          ` (+${run.taxonomy_calls} taxonomy, ${run.classify_calls} classify); tokens ${run.usage.prompt_tokens + run.usage.completion_tokens}` +
          ` ($${run.usage.cost_usd.toFixed(4)}); ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      return rel.counts.judge_errors > 0 ? 3 : 0;
    },
  },
  "release publish": {
    usage: "errormap release publish --release ID",
    summary: "Freeze a release: hash its inputs and outputs into release.json; it can no longer be re-run.",
    options: { release: { type: "string" }, date: { type: "string" } },
    help: { release: "ID   the release to publish", date: "YYYY-MM-DD   publication date (default: today, UTC)" },
    async run(v, _p, root) {
      if (!v.release) throw new UsageError("--release ID is required");
      const { publishRelease } = await import("./commands/publish.ts");
      const r = publishRelease(root, String(v.release), v.date as string | undefined);
      const { readPublished } = await import("./pipeline/published.ts");
      const digest = readPublished(root).find((e) => e.release === r.id)!.digest;
      console.error(
        `published release ${r.id}: outputs ${r.published!.outputs_sha256.slice(0, 12)}, inputs ${r.published!.inputs_sha256.slice(0, 12)}`,
      );
      // The digest on stdout, whole: a maintainer may quote it (a paper, a changelog); commit data/published.json.
      console.log(
        `digest ${digest} (recorded in ${(await import("../src/lib/paths.ts")).layout(root).publishedFile}: commit it with the release)`,
      );
      return 0;
    },
  },
  "review sample": {
    usage: "errormap review sample --release R [--per-category N] [--seed S] --out FILE.csv",
    summary:
      "Write a stratified, seeded sample of a release's analysed failures as a review sheet (fill verdict and note).",
    options: {
      release: { type: "string" },
      "per-category": { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
    },
    help: {
      release: "R          the release to sample",
      "per-category": "N   failures per leaf category of the judge, all when fewer (default 10)",
      seed: "S             seed of the draw (default 0): the same seed draws the same sample",
      out: "FILE.csv       where to write the sheet",
    },
    async run(v, _p, root) {
      if (!v.release || !v.out) throw new UsageError("--release R and --out FILE.csv are required");
      const perCategory = intFlag("per-category", v["per-category"]);
      const seed = intFlag("seed", v.seed);
      const { sampleSheet } = await import("./review/sample.ts");
      const s = sampleSheet(root, String(v.release), { perCategory, seed });
      await writeOut(String(v.out), s.text);
      console.error(
        `wrote ${s.rows} failures of ${s.categories} categories to ${v.out}: fill verdict (agree, disagree, unsure) and note, then errormap review import --release ${v.release} ${v.out}`,
      );
      return 0;
    },
  },
  "review disputed": {
    usage: "errormap review disputed --release R --out FILE.csv",
    summary: "Write a release's disputed items (and reviewed ones, verdict filled in) as a review sheet.",
    options: { release: { type: "string" }, out: { type: "string" } },
    help: { release: "R     the release", out: "FILE.csv  where to write the sheet" },
    async run(v, _p, root) {
      if (!v.release || !v.out) throw new UsageError("--release R and --out FILE.csv are required");
      const { disputedSheet } = await import("./review/disputed.ts");
      const s = disputedSheet(root, String(v.release));
      await writeOut(String(v.out), s.text);
      console.error(
        `wrote ${s.rows} disputed items (${s.toReview} to review) to ${v.out}: fill verdict (reference-wrong, reference-right, ambiguous) and note, then errormap review import --release ${v.release} ${v.out}`,
      );
      return 0;
    },
  },
  "review import": {
    usage: "errormap review import --release R [--reviewer NAME] [--date YYYY-MM-DD] FILE.csv",
    summary:
      "Store a filled review sheet in the data root (data/reviews/) and re-finalise the release with it (no judge call).",
    options: { release: { type: "string" }, reviewer: { type: "string" }, date: { type: "string" } },
    help: {
      release: "R            the (unpublished) release the sheet was drawn from",
      reviewer: "NAME        who reviewed (default: $ERRORMAP_REVIEWER, else the OS user name)",
      date: "YYYY-MM-DD      day of the review (default: today, UTC)",
    },
    positionals: true,
    async run(v, paths, root) {
      if (!v.release) throw new UsageError("--release R is required");
      if (paths.length !== 1) throw new UsageError("name exactly one FILE.csv to import");
      const { importReviewSheet } = await import("./review/import.ts");
      const r = await importReviewSheet(root, String(v.release), paths[0]!, {
        reviewer: v.reviewer as string | undefined,
        date: v.date as string | undefined,
        log: (line) => console.error(line),
      });
      const c = r.release.counts;
      console.error(
        `imported ${r.imported} ${r.kind === "items" ? "item" : "failure"} reviews (${r.skipped} rows without a verdict skipped); release ${r.release.id}: ` +
          `${c.reviewed} failures reviewed (agree ${c.agree}, disagree ${c.disagree}, unsure ${c.unsure}), ${c.noise} noise, ${c.disputed_items} disputed items to review`,
      );
      return 0;
    },
  },
  "review agreement": {
    usage: "errormap review agreement --release R --labels FILE.csv [--json]",
    summary:
      "Agreement of a release with a hand-labelled set (key,label[,note]), and the confusion table of labels against its categories.",
    options: { release: { type: "string" }, labels: { type: "string" }, json: { type: "boolean" } },
    help: {
      release: "R        the release",
      labels: 'FILE.csv   labels: key,label[,note]; label = a category id or slug of the release, or "unexplained"',
      json: "           print one JSON object on stdout",
    },
    async run(v, _p, root) {
      if (!v.release || !v.labels) throw new UsageError("--release R and --labels FILE.csv are required");
      const { agreementWith, confusionTable } = await import("./review/agreement.ts");
      const r = await agreementWith(root, String(v.release), String(v.labels));
      if (v.json) process.stdout.write(JSON.stringify(r) + "\n");
      else {
        const pct = r.agreement === null ? "-" : `${(100 * r.agreement).toFixed(1)}%`;
        console.log(
          `release ${r.release}: agreement ${pct} (${r.agree} agree of the ${r.found} labelled failures found in the release; ${r.missing.length} of ${r.labels} labels name no failure of it)\n`,
        );
        const { textTable } = await import("./commands/info.ts");
        if (r.found) console.log(textTable(confusionTable(r)));
      }
      return 0;
    },
  },
  export: {
    usage: "errormap export --release R --format eee [--out DIR]",
    summary:
      "Write a release's records, with the judge's analysis of each failure, in another tool's format (eee: Every Eval Ever instance-level files).",
    options: { release: { type: "string" }, format: { type: "string" }, out: { type: "string" } },
    help: {
      release: "R   the release to export",
      format: "F    eee (Every Eval Ever 0.3.0: <dataset>/<model>/<uuid>.json and <uuid>_samples.jsonl)",
      out: "DIR     output folder (default: export-<release>-<format>); replaced whole",
    },
    async run(v, _p, root) {
      if (!v.release) throw new UsageError("--release R is required");
      if (v.format !== "eee")
        throw new UsageError(`--format must be eee${v.format === undefined ? "" : `, not "${v.format}"`}`);
      const { exportEee } = await import("./commands/export-eee.ts");
      const out = String(v.out ?? `export-${v.release}-eee`);
      const r = await exportEee(root, String(v.release), out);
      console.error(
        `exported release ${v.release} to ${out}: ${r.records} records (${r.failures} failures, ${r.analysed} with the judge's analysis) in ${r.files / 2} evaluation files`,
      );
      return 0;
    },
  },
  doctor: {
    usage: "errormap doctor [--json] [--fix] [--record-published]",
    summary:
      "Check a data root: registry coverage, snapshot and release validity, published releases against their digests, cache, leftovers.",
    options: { json: { type: "boolean" }, fix: { type: "boolean" }, "record-published": { type: "boolean" } },
    help: {
      json: "   print the findings as one JSON object",
      fix: "   remove leftover temporary folders of killed imports and runs",
      "record-published":
        "   record in data/published.json the digest of each published release that has none (releases published before it existed; once, then commit it)",
    },
    async run(v, _p, root) {
      const { doctor } = await import("./commands/doctor.ts");
      if (v["record-published"]) {
        const { recordPublished } = await import("./pipeline/published.ts");
        const { listReleases } = await import("./pipeline/releases.ts");
        const { recorded, refused } = recordPublished(root, listReleases(root));
        for (const e of recorded)
          console.error(`recorded release ${e.release} (published ${e.date ?? "without a date"}): digest ${e.digest}`);
        for (const x of refused)
          console.error(`not recorded: release ${x.release}: ${x.why}; restore it from version control first`);
        if (refused.length) return 1;
      }
      const { problems, checked, fixed } = doctor(root, { fix: Boolean(v.fix) });
      if (v.json) process.stdout.write(JSON.stringify({ ok: problems.length === 0, checked, problems, fixed }) + "\n");
      else {
        for (const f of fixed) console.log(`removed ${f}`);
        for (const p of problems) console.log(`✗ ${p.where}\n    ${p.what}\n    fix: ${p.fix}`);
        console.log(
          `${problems.length === 0 ? "✓ no problems" : `${problems.length} problem(s)`}: checked ${checked.snapshots} snapshots (${checked.records} records), ${checked.releases} releases (${checked.published} published), ${checked.cache_entries} cache entries`,
        );
      }
      return problems.length === 0 ? 0 : 1;
    },
  },
  info: {
    usage: "errormap info [--snapshot ID | --release ID] [--json]",
    summary:
      "Show a snapshot's records and failures by dataset and model, a release's counts, or (with neither) every snapshot and release.",
    options: { snapshot: { type: "string" }, release: { type: "string" }, json: { type: "boolean" } },
    help: {
      snapshot: "ID   the snapshot to describe",
      release: "ID   the release to describe",
      json: "     print exactly one JSON object on stdout",
    },
    async run(v, _p, root) {
      const { snapshotInfo, releaseInfo, printSnapshotTable, printReleaseTable } = await import("./commands/info.ts");
      if (v.snapshot) {
        const info = snapshotInfo(root, String(v.snapshot));
        if (v.json) process.stdout.write(JSON.stringify(info) + "\n");
        else printSnapshotTable(info);
        return 0;
      }
      if (v.release) {
        const info = releaseInfo(root, String(v.release));
        if (v.json) process.stdout.write(JSON.stringify(info) + "\n");
        else printReleaseTable(info);
        return 0;
      }
      // Neither: what the data root holds.
      const { dataRootInfo, printDataRootTable } = await import("./commands/info.ts");
      const info = dataRootInfo(root);
      // Folders under releases/ that are not valid releases are left out, and said (errormap doctor has the detail).
      const { scanReleases } = await import("./pipeline/releases.ts");
      for (const x of scanReleases(root).invalid)
        console.error(`warning: ${x.path}: ${x.problem} (left out; see errormap doctor)`);
      if (v.json) process.stdout.write(JSON.stringify(info) + "\n");
      else printDataRootTable(info);
      return 0;
    },
  },
};

export class UsageError extends Error {}

/** `errormap run --estimate`: the cost of the run, printed (or as JSON); no request, nothing written. */
async function printEstimate(opts: RunOptions, json: boolean): Promise<undefined> {
  const { estimateRun, formatEstimate } = await import("./pipeline/estimate.ts");
  const e = await estimateRun(opts);
  process.stdout.write(json ? JSON.stringify(e) + "\n" : formatEstimate(e, opts.release) + "\n");
  return undefined;
}

/** An integer flag's value, or undefined when absent. */
function intFlag(name: string, x: unknown): number | undefined {
  if (x === undefined) return undefined;
  const n = Number(x);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, not "${x}"`);
  return n;
}

/** Writes a command's output file atomically (a temporary file renamed into place). */
async function writeOut(path: string, text: string): Promise<void> {
  const { writeFileAtomic } = await import("../src/lib/jsonio.ts");
  writeFileAtomic(path, text);
}

function helpText(_name: string, c: Command): string {
  const lines = [`${c.usage}`, "", c.summary, "", "Options:"];
  // Help texts start with the flag's argument name (if any) then spaces; align them in two columns.
  const rows = Object.entries({ ...c.help, ...COMMON_HELP }).map(([k, text]) => {
    const m = /^(\S*?)\s{2,}(.*)$/.exec(text) ?? /^()\s*(.*)$/.exec(text)!;
    const arg = /^[A-Z]/.test(m[1]) ? ` ${m[1]}` : "";
    return [`--${k}${arg}`, arg ? m[2] : text.trim()];
  });
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(w)}  ${text}`);
  return lines.join("\n");
}

function mainHelp(): string {
  const lines = ["errormap: the ErrorAtlas pipeline", "", "Commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(16)} ${c.summary}`);
  lines.push(
    "",
    "Run `errormap COMMAND --help` for a command's flags. Every command takes --data DIR (or $ERRORMAP_DATA).",
  );
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    const { CODE_VERSION } = await import("./pipeline/run.ts");
    console.log(CODE_VERSION);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(mainHelp());
    return name ? 0 : 1;
  }
  // Two-word commands ("release publish").
  if (rest[0] && commands[`${name} ${rest[0]}`]) {
    name = `${name} ${rest[0]}`;
    rest = rest.slice(1);
  }
  const c = commands[name];
  if (!c) {
    console.error(`errormap: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...c.options, ...COMMON },
      allowPositionals: Boolean(c.positionals),
      strict: true,
    });
  } catch (e) {
    console.error(`errormap ${name}: ${(e as Error).message}\n\n${helpText(name, c)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(helpText(name, c));
    return 0;
  }
  try {
    return await c.run(
      parsed.values as Record<string, string | boolean | undefined>,
      parsed.positionals,
      dataRoot(parsed.values.data as string | undefined),
    );
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`errormap ${name}: ${e.message}\n\n${helpText(name, c)}`);
      return 2;
    }
    console.error(`errormap ${name}: error: ${(e as Error).message}`);
    if (process.env.ERRORMAP_DEBUG) console.error(e);
    return 1;
  }
}
