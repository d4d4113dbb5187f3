// Helpers of the review tests: a data root holding the demo snapshot and a heuristic release of it,
// review sheets read and filled as a person would in a spreadsheet, and a release's files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { expect } from "vitest";
import { writeDemo } from "../../scripts/demo.ts";
import { toCsv } from "../../src/lib/site/serialize.ts";
import {
  AggregatesSchema,
  AnalysisSchema,
  ReleaseSchema,
  type Aggregates,
  type Analysis,
  type Release,
} from "../../src/lib/schemas.ts";
import { runCli, tempRoot } from "../import/helpers.ts";

export type Row = Record<string, string>;

/** A data root with the demo snapshot "demo" and the heuristic release `release` of it. */
export async function demoRoot(prefix: string, release = "r1"): Promise<string> {
  const root = tempRoot(prefix);
  await writeDemo(root);
  await cli(["run", "--data", root, "--snapshot", "demo", "--release", release]);
  return root;
}

/** Runs the CLI and expects exit code 0. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(args, env);
  expect(r.code, `errormap ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
}

/** `errormap review sample` of release r1: `perCategory` failures per category (seeded when `seed` is given) into `out`. */
export async function reviewSample(root: string, out: string, perCategory: number, seed?: number) {
  const seeded = seed === undefined ? [] : ["--seed", String(seed)];
  return cli([
    "review",
    "sample",
    "--data",
    root,
    "--release",
    "r1",
    "--per-category",
    String(perCategory),
    ...seeded,
    "--out",
    out,
  ]);
}

/** `errormap review import` of `file` into release r1, as `reviewer` on `date`. */
export async function reviewImport(root: string, file: string, reviewer: string, date: string) {
  return cli(["review", "import", "--data", root, "--release", "r1", "--reviewer", reviewer, "--date", date, file]);
}

export function readSheetRows(path: string): { columns: string[]; rows: Row[] } {
  const table = parse(readFileSync(path, "utf8"), { bom: true }) as string[][];
  const [columns, ...rest] = table;
  // As a spreadsheet shows it: without the apostrophe that protects text starting like a formula.
  const shown = (cell: string) => cell.replace(/^'(?=[=+\-@\t\r])/, "");
  return {
    columns: columns!,
    rows: rest.map((cells) => Object.fromEntries(columns!.map((c, i) => [c, shown(cells[i] ?? "")]))),
  };
}

export function writeSheetRows(path: string, columns: string[], rows: Row[]): void {
  writeFileSync(
    path,
    toCsv(
      columns,
      rows.map((r) => columns.map((c) => r[c] ?? "")),
    ),
  );
}

export function releaseFiles(root: string, id: string) {
  const dir = join(root, "releases", id);
  const analyses: Analysis[] = readFileSync(join(dir, "analyses.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => AnalysisSchema.parse(JSON.parse(l)));
  const aggregates: Aggregates = AggregatesSchema.parse(JSON.parse(readFileSync(join(dir, "aggregates.json"), "utf8")));
  const release: Release = ReleaseSchema.parse(JSON.parse(readFileSync(join(dir, "release.json"), "utf8")));
  const reviews = JSON.parse(readFileSync(join(dir, "reviews.json"), "utf8"));
  return { analyses, aggregates, release, reviews, byKey: new Map(analyses.map((a) => [a.key, a])) };
}

/** The bytes of the data root's review files and of a release's files, to show nothing changed. */
export function snapshotOfState(root: string, release: string): Record<string, string | null> {
  const read = (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : null);
  const out: Record<string, string | null> = {
    "reviews/items.jsonl": read(join(root, "reviews", "items.jsonl")),
    "reviews/failures.jsonl": read(join(root, "reviews", "failures.jsonl")),
  };
  for (const f of ["release.json", "analyses.jsonl", "aggregates.json", "reviews.json"])
    out[f] = read(join(root, "releases", release, f));
  return out;
}
