// Shared helpers of the importer tests: throw-away data roots holding a copy of the committed
// registry, the real CLI in a child process, and whole-folder listings for byte comparisons.
import { spawn } from "node:child_process";
import {
  cpSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { once } from "node:events";
import { REPO } from "../helpers/evaldata.ts";

/** A new data root in the OS temp dir with a copy of data/registry (never the repo's data/). */
export function tempRoot(prefix = "errormap-import-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, "data", "registry"), join(root, "registry"), { recursive: true });
  return root;
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Every file under `dir` (relative path → bytes), sorted by path. */
export function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Names in `<root>/snapshots` (hidden temporary folders included). */
export function snapshotEntries(root: string): string[] {
  try {
    return readdirSync(join(root, "snapshots")).sort();
  } catch {
    return [];
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/errormap.mjs with the project's Node (the one running the tests) in a child process. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<CliResult> {
  const child = spawn(process.execPath, [...nodeArgs, join(REPO, "bin", "errormap.mjs"), ...args], {
    cwd: REPO,
    env: { ...process.env, ERRORMAP_QUIET: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

/** A correct gsm8k record of gpt-4o (item `t/<i>`, "What is i + 1?"), with `over` on top. */
export function rec(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataset: "gsm8k",
    model: "gpt-4o-2024-05-13",
    instance_id: `t/${i}`,
    input: `What is ${i} + 1?`,
    reference: String(i + 1),
    output: `It is ${i + 1}.`,
    correct: true,
    ...over,
  };
}

/** A temporary data root (see tempRoot) with an empty inputs/ folder `dir`. */
export function rootWithInputs(prefix?: string): { root: string; dir: string } {
  const root = tempRoot(prefix);
  const dir = join(root, "inputs");
  mkdirSync(dir);
  return { root, dir };
}

/** Reads the JSONL records of a file (small files only). */
export function readLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** CSV fields and lines as the generated inputs write them (RFC 4180 quoting). */
export { csvField, csvLine } from "../../scripts/demo/formats.ts";

/**
 * Writes a large JSONL file through a stream: `models.length × items` records of a registered
 * dataset, each output about `outputBytes` long. Every 7th record is wrong. Returns the counts.
 */
export async function writeLargeJsonl(
  path: string,
  opts: { models: string[]; items: number; outputBytes: number; dataset: string },
): Promise<{ records: number; failures: number; bytes: number }> {
  const out = createWriteStream(path);
  const filler = "The quick brown fox jumps over the lazy dog while counting sheep. ";
  let records = 0;
  let failures = 0;
  let chunk = "";
  for (const model of opts.models) {
    for (let i = 0; i < opts.items; i++) {
      const wrong = records % 7 === 3;
      if (wrong) failures++;
      const answer = wrong ? i + 1 : i;
      const body = filler.repeat(Math.ceil(opts.outputBytes / filler.length)).slice(0, opts.outputBytes - 30);
      chunk +=
        JSON.stringify({
          dataset: opts.dataset,
          model,
          instance_id: `big/${i}`,
          input: `What is ${i} plus zero?`,
          reference: String(i),
          output: `${body} The answer is ${answer}.`,
          correct: !wrong,
        }) + "\n";
      records++;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, "drain");
        chunk = "";
      }
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return { records, failures, bytes: statSync(path).size };
}
