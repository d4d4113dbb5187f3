// `errormap info`: what a snapshot or a release holds, as a table or as one JSON object.
import { existsSync, readdirSync } from "node:fs";
import { readRelease } from "../../src/lib/data/release.ts";
import { readRunLog } from "../../src/lib/data/run-log.ts";
import { layout } from "../../src/lib/paths.ts";
import { isFailure } from "../../src/lib/failure.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { listReleases } from "../pipeline/releases.ts";
import { isDataFolderName, pickLatest } from "../../src/lib/releases-order.ts";

export interface SnapshotInfo {
  snapshot: string;
  records: number;
  failures: number;
  datasets: number;
  models: number;
  sha256: string;
  by_dataset: Record<string, { records: number; failures: number; models: number; items: number }>;
  by_model: Record<string, { records: number; failures: number; datasets: number }>;
}

export function snapshotInfo(root: string, id: string): SnapshotInfo {
  const m = loadManifest(root, id);
  const byModel: SnapshotInfo["by_model"] = {};
  const modelDatasets = new Map<string, Set<string>>();
  for (const r of loadRecords(root, m)) {
    const e = (byModel[r.model] ??= { records: 0, failures: 0, datasets: 0 });
    e.records++;
    if (isFailure(r, m.datasets[r.dataset].threshold)) e.failures++;
    if (!modelDatasets.has(r.model)) modelDatasets.set(r.model, new Set());
    modelDatasets.get(r.model)!.add(r.dataset);
  }
  for (const [k, s] of modelDatasets) byModel[k].datasets = s.size;
  return {
    snapshot: m.id,
    records: m.records,
    failures: m.failures,
    datasets: Object.keys(m.datasets).length,
    models: m.models.length,
    sha256: m.sha256,
    by_dataset: Object.fromEntries(
      Object.entries(m.datasets).map(([k, d]) => [
        k,
        { records: d.records, failures: d.failures, models: d.models.length, items: d.items },
      ]),
    ),
    by_model: byModel,
  };
}

/** Rows as aligned text columns (numbers right-aligned). */
export function textTable(rows: (string | number)[][]): string {
  return table(rows);
}

function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r.map((c, i) => (typeof c === "number" ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join("  "),
    )
    .join("\n");
}

export function printSnapshotTable(info: SnapshotInfo): void {
  const pct = (f: number, n: number) => (n ? `${((100 * f) / n).toFixed(1)}%` : "-");
  console.log(
    `snapshot ${info.snapshot}: ${info.records} records, ${info.failures} failures, ${info.datasets} datasets, ${info.models} models\n`,
  );
  console.log(
    table([
      ["dataset", "models", "items", "records", "failures", "fail rate"],
      ...Object.entries(info.by_dataset).map(([k, d]) => [
        k,
        d.models,
        d.items,
        d.records,
        d.failures,
        pct(d.failures, d.records),
      ]),
    ]),
  );
  console.log();
  console.log(
    table([
      ["model", "datasets", "records", "failures", "fail rate"],
      ...Object.entries(info.by_model)
        .sort()
        .map(([k, d]) => [k, d.datasets, d.records, d.failures, pct(d.failures, d.records)]),
    ]),
  );
}

export interface ReleaseInfo {
  release: string;
  snapshot: string;
  judge: string;
  judge_model: string;
  published: boolean;
  records: number;
  failures: number;
  analysed: number;
  categories: number;
  unexplained: number;
  judge_errors: number;
  analysis_calls: number;
  cached: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Of the prompt tokens, those the endpoint served from its prompt cache (priced lower). */
  cached_tokens: number;
  cost_usd: number;
  /** Analysed failures with a review that applies (README "Reviews"); null for releases made before reviews existed. */
  reviewed: number | null;
  agree: number | null;
  disagree: number | null;
  unsure: number | null;
  /** Failures counted as grader or data noise (a noise-facet category). */
  noise: number | null;
  /** Disputed items no review has settled yet. */
  disputed_items: number | null;
}

export function releaseInfo(root: string, id: string): ReleaseInfo {
  const rel = readRelease(root, id);
  if (!rel) throw new Error(`no release "${id}" in ${layout(root).releases}`);
  const run = readRunLog(root, id);
  return {
    release: rel.id,
    snapshot: rel.snapshot,
    judge: rel.judge,
    judge_model: rel.judge_model,
    published: rel.published !== null,
    records: rel.counts.records,
    failures: rel.counts.failures,
    analysed: rel.counts.analysed,
    categories: rel.counts.categories,
    unexplained: rel.counts.unexplained,
    judge_errors: rel.counts.judge_errors,
    analysis_calls: run?.analysis_calls ?? 0,
    cached: run?.cached ?? 0,
    prompt_tokens: rel.usage.prompt_tokens,
    completion_tokens: rel.usage.completion_tokens,
    cached_tokens: rel.usage.cached_tokens ?? 0,
    cost_usd: rel.usage.cost_usd,
    reviewed: rel.counts.reviewed ?? null,
    agree: rel.counts.agree ?? null,
    disagree: rel.counts.disagree ?? null,
    unsure: rel.counts.unsure ?? null,
    noise: rel.counts.noise ?? null,
    disputed_items: rel.counts.disputed_items ?? null,
  };
}

export function printReleaseTable(info: ReleaseInfo): void {
  console.log(
    table(Object.entries(info).map(([k, v]) => [k, typeof v === "number" ? v : v === null ? "-" : String(v)])),
  );
}

export interface DataRootInfo {
  root: string;
  snapshots: { id: string; base: string | null; records: number; failures: number; datasets: number; models: number }[];
  releases: {
    id: string;
    title: string;
    snapshot: string;
    judge: string;
    judge_model: string;
    previous: string | null;
    published: boolean;
    failures: number;
    analysed: number;
  }[];
  /** The release the site shows as current (src/lib/releases-order.ts), or null. */
  latest: string | null;
}

/** Every snapshot and release of a data root (releases oldest first, along their `previous` chain). */
export function dataRootInfo(root: string): DataRootInfo {
  const L = layout(root);
  const snapIds = existsSync(L.snapshots)
    ? readdirSync(L.snapshots, { withFileTypes: true })
        .filter((d) => d.isDirectory() && isDataFolderName(d.name) && existsSync(L.manifestFile(d.name)))
        .map((d) => d.name)
        .sort()
    : [];
  const releases = listReleases(root);
  return {
    root,
    snapshots: snapIds.map((id) => {
      const m = loadManifest(root, id);
      return {
        id,
        base: m.base,
        records: m.records,
        failures: m.failures,
        datasets: Object.keys(m.datasets).length,
        models: m.models.length,
      };
    }),
    latest: pickLatest(releases)?.id ?? null,
    releases: releases.map((r) => ({
      id: r.id,
      title: r.title,
      snapshot: r.snapshot,
      judge: r.judge,
      judge_model: r.judge_model,
      previous: r.previous,
      published: r.published !== null,
      failures: r.counts.failures,
      analysed: r.counts.analysed,
    })),
  };
}

export function printDataRootTable(info: DataRootInfo): void {
  console.log(`data root ${info.root}\n`);
  if (info.snapshots.length === 0) console.log("no snapshots (errormap import --snapshot ID PATH...)");
  else
    console.log(
      table([
        ["snapshot", "base", "datasets", "models", "records", "failures"],
        ...info.snapshots.map((s) => [s.id, s.base ?? "-", s.datasets, s.models, s.records, s.failures]),
      ]),
    );
  console.log();
  if (info.releases.length === 0) console.log("no releases (errormap run --snapshot ID --release ID)");
  else {
    console.log(
      table([
        ["release", "snapshot", "judge", "previous", "published", "failures", "analysed"],
        ...info.releases.map((r) => [
          r.id,
          r.snapshot,
          `${r.judge} (${r.judge_model})`,
          r.previous ?? "-",
          r.published ? "yes" : "no",
          r.failures,
          r.analysed,
        ]),
      ]),
    );
    console.log(`\nlatest: ${info.latest}`);
  }
}
