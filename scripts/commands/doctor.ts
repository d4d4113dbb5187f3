// `errormap doctor`: checks a data root and says what is wrong and how to fix it.
//  - the registry validates, and covers every record of every snapshot;
//  - every snapshot's records match its manifest (hashes, counts);
//  - every release validates against its schemas;
//  - no published release was changed: its files against the hashes in its release.json, and the
//    whole release, release.json included, against the digest recorded outside it when it was
//    published (data/published.json, scripts/pipeline/published.ts);
//  - folders under releases/ that are not valid releases are reported by path, without hiding the
//    others; leftover temporary folders of killed imports and runs are reported (--fix removes them);
//  - every cache entry a release was built from (cache-keys.txt) is still in the cache;
//  - no unreadable cache entries, no killed run's journal or old-layout folder left; orphan entries
//    (no release uses them) are summed up per judge.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { alive, sha256File } from "../../src/lib/jsonio.ts";
import { readAggregates } from "../../src/lib/data/aggregates.ts";
import { readReleaseRegistry } from "../../src/lib/data/registry.ts";
import { releaseJsonPath } from "../../src/lib/data/release.ts";
import { readReleaseReviews, releaseReviewsPath } from "../../src/lib/data/release-reviews.ts";
import { layout, RELEASE_FILE } from "../../src/lib/paths.ts";
import { loadRegistry } from "../lib/registry.ts";
import type { PublishedEntry, Release } from "../../src/lib/schemas.ts";
import { readCacheFolders, readCacheKeys, shardOf } from "../judges/cache.ts";
import { loadManifest, loadRecords } from "../lib/snapshot-read.ts";
import { inputsHash, outputsHash, releaseFiles } from "../pipeline/release-files.ts";
import { loadReleaseAnalyses, problemText, readTaxonomy, scanReleases } from "../pipeline/releases.ts";
import { digestFiles, publicationDigest, readPublished } from "../pipeline/published.ts";
import { staleLocks } from "../pipeline/locks.ts";
import { readReviews } from "../review/store.ts";

export interface Problem {
  where: string;
  what: string;
  fix: string;
}

export interface DoctorOptions {
  /** Remove what is safe to remove: leftover temporary folders of processes that are gone. */
  fix?: boolean;
}

export function doctor(
  root: string,
  opts: DoctorOptions = {},
): { problems: Problem[]; checked: Record<string, number>; fixed: string[] } {
  const L = layout(root);
  const problems: Problem[] = [];
  const fixed: string[] = [];
  const checked = { snapshots: 0, records: 0, releases: 0, published: 0, cache_entries: 0 };
  const add = (where: string, what: string, fix: string) => problems.push({ where, what, fix });

  let registry;
  try {
    registry = loadRegistry(root);
  } catch (e) {
    add(L.registry, (e as Error).message, "correct the registry entry named above");
    return { problems, checked, fixed };
  }
  const models = new Set(registry.models.map((m) => m.id));
  const datasets = new Set(registry.datasets.map((d) => d.id));

  // Snapshots.
  const snapIds = existsSync(L.snapshots)
    ? readdirSync(L.snapshots, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith("."))
        .map((d) => d.name)
        .sort()
    : [];
  for (const id of snapIds) {
    checked.snapshots++;
    let m;
    try {
      m = loadManifest(root, id);
    } catch (e) {
      add(
        L.snapshot(id),
        (e as Error).message,
        `re-import the snapshot with \`errormap import --snapshot ${id} --force ...\``,
      );
      continue;
    }
    for (const [ds, d] of Object.entries(m.datasets)) {
      const p = join(L.snapshot(id), d.file);
      if (!existsSync(p)) add(p, "records file listed in the manifest is missing", `re-import snapshot ${id}`);
      else if (sha256File(p) !== d.sha256)
        add(
          p,
          `records of ${ds} changed since import (hash differs from manifest.json)`,
          `restore the file from version control, or re-import snapshot ${id} with --force`,
        );
    }
    try {
      const unknownModels = new Set<string>();
      const unknownDatasets = new Set<string>();
      for (const r of loadRecords(root, m)) {
        checked.records++;
        if (!models.has(r.model)) unknownModels.add(r.model);
        if (!datasets.has(r.dataset)) unknownDatasets.add(r.dataset);
      }
      for (const x of unknownModels)
        add(L.snapshot(id), `model "${x}" is not in the registry`, `add an entry with id "${x}" to ${L.modelsFile}`);
      for (const x of unknownDatasets)
        add(
          L.snapshot(id),
          `dataset "${x}" is not in the registry`,
          `add an entry with id "${x}" to ${L.datasetsFile}`,
        );
    } catch (e) {
      add(L.snapshot(id), (e as Error).message, `re-import snapshot ${id} with --force`);
    }
  }

  // Leftover temporary folders of killed imports and runs (written aside and renamed into place).
  for (const t of leftoverTemps(root)) {
    if (opts.fix) {
      rmSync(t.path, { recursive: true, force: true });
      fixed.push(t.path);
    } else
      add(
        t.path,
        `a temporary folder left by a killed ${t.kind} (process ${t.pid} is gone), ${formatBytes(t.bytes)}`,
        "`errormap doctor --fix` removes it",
      );
  }

  // Releases: a folder that is not a valid release is reported by path; the others are checked.
  const referenced = new Set<string>();
  const keysOf = new Map<string, string[]>();
  const { releases, invalid } = scanReleases(root);
  for (const x of invalid)
    add(
      x.path,
      x.problem,
      "remove the folder if it is not a release, else restore its release.json from version control",
    );
  for (const r of releases) {
    checked.releases++;
    const dir = L.release(r.id);
    try {
      readTaxonomy(root, r.id);
      loadReleaseAnalyses(root, r.id);
      readAggregates(root, r.id);
      readReleaseRegistry(root, r.id);
      if (RELEASE_FILE.reviews in r.files && !readReleaseReviews(root, r.id))
        throw new Error(`${releaseReviewsPath(root, r.id)}: missing`);
    } catch (e) {
      add(
        dir,
        `does not validate: ${problemText(e)}`,
        r.published
          ? "restore the published files from version control"
          : `re-run with \`errormap run --release ${r.id} --force\``,
      );
    }
    if (!snapIds.includes(r.snapshot))
      add(dir, `its snapshot "${r.snapshot}" is missing`, `restore data/snapshots/${r.snapshot}`);
    else {
      try {
        if (loadManifest(root, r.snapshot).sha256 !== r.snapshot_sha256) {
          add(
            L.snapshot(r.snapshot),
            `snapshot "${r.snapshot}" changed since release "${r.id}" was built from it`,
            r.published
              ? `restore the snapshot from version control: published release "${r.id}" was built from the old one`
              : `re-run with \`errormap run --snapshot ${r.snapshot} --release ${r.id} --force\``,
          );
        }
      } catch {
        /* reported with the snapshots above */
      }
    }
    let files: Record<string, string> = {};
    try {
      files = outputsHash(root, r.id, releaseFiles(r)).files;
    } catch (e) {
      add(dir, (e as Error).message, "restore the missing file");
    }
    for (const f of releaseFiles(r)) {
      if (files[f] && files[f] !== r.files[f]) {
        add(
          L.releaseFile(r.id, f),
          r.published
            ? "published release file was changed (hash differs)"
            : "file differs from the hash the run recorded",
          r.published
            ? "restore it from version control: published releases are immutable"
            : `re-run with \`errormap run --release ${r.id} --force\``,
        );
      }
    }
    if (r.published && r.published.inputs_sha256 !== inputsHash(r)) {
      add(
        releaseJsonPath(root, r.id),
        "published release's recorded inputs were changed",
        "restore release.json from version control",
      );
    }
    const list = readCacheKeys(root, r.id);
    if (list) {
      keysOf.set(r.id, list);
      for (const h of list) referenced.add(h);
    }
  }

  // Published releases against the digests recorded outside them.
  for (const p of checkPublished(root, releases)) add(p.where, p.what, p.fix);
  checked.published = releases.filter((r) => r.published).length;

  // Reviews: every line of data/reviews/*.jsonl valid, one review per item or analysis.
  try {
    readReviews(root);
  } catch (e) {
    add(
      L.reviews,
      (e as Error).message,
      "correct or delete the line named above, then re-import the sheet with `errormap review import`",
    );
  }

  // Cache: every shard line readable and filed in its own shard, every entry used by some release,
  // no journal or old-layout folder left behind (other files there, the batch mode's state, are not answers).
  const present = new Set<string>();
  for (const { path: dir, files } of readCacheFolders(L.cache)) {
    let oldDirs = 0;
    const orphans = { n: 0, example: "" };
    for (const f of files) {
      if (f.kind === "shard")
        f.lines.forEach((e, i) => {
          checked.cache_entries++;
          const where = `${f.path}:${i + 1}`;
          if (e.hash === null)
            add(where, "unreadable cache entry", "delete the line; the next run asks the judge again");
          else if (e.misfiled)
            add(
              where,
              `cache entry ${e.hash} is filed in the wrong shard`,
              "delete the line; the next run asks the judge again",
            );
          else {
            present.add(e.hash);
            if (!referenced.has(e.hash) && !orphans.n++) orphans.example = `${where} (${e.hash})`;
          }
        });
      else if (f.kind === "journal") {
        // A journal's answers are in the cache as far as the next run is concerned: it folds them in.
        for (const h of f.hashes) present.add(h);
        if (f.abandoned)
          add(
            f.path,
            "a killed run's journal: its answers are not in the shards yet",
            "nothing to do: the next run folds it in",
          );
      } else {
        oldDirs++;
        for (const h of f.hashes) present.add(h);
      }
    }
    if (oldDirs)
      add(
        dir,
        `${oldDirs} folder(s) of cache entries in the old one-file-per-answer layout`,
        "nothing to do: the next run converts them into shards",
      );
    // One line per judge, not per entry: a data root after a few test runs holds thousands.
    if (orphans.n)
      add(
        dir,
        `orphan cache entries: ${orphans.n} that no release uses, e.g. ${orphans.example}`,
        "keep them if a run you have not finished will need them; else delete those lines",
      );
  }

  // Cache entries a release was built from: without them it cannot be re-run without the judge.
  for (const r of releases) {
    const keys = keysOf.get(r.id);
    if (!keys) continue;
    const missing = keys.filter((h) => !present.has(h));
    if (!missing.length) continue;
    const shards = [...new Set(missing.map((h) => `${shardOf(h)}.jsonl`))].sort();
    add(
      join(L.cache, r.judge),
      `${missing.length} of the ${keys.length} cache entries release "${r.id}" was built from ${missing.length === 1 ? "is" : "are"} missing (e.g. ${missing[0]}; shard${shards.length === 1 ? "" : "s"} ${shards.slice(0, 5).join(", ")}${shards.length > 5 ? ", ..." : ""})`,
      r.published
        ? `restore ${join(L.cache, r.judge)} from version control: re-running published release "${r.id}" from the cache needs them (without them the judge is asked again, and an LLM judge may answer differently)`
        : `re-run with \`errormap run --release ${r.id} --force\` (the missing answers are asked again), or restore them from version control`,
    );
  }
  // Locks of commands that were killed (scripts/pipeline/locks.ts).
  for (const l of staleLocks(root))
    add(
      l.path,
      `a lock left by a process that is gone (${l.holder})`,
      "nothing to do: the next command takes it over (or delete the file)",
    );
  return { problems, checked, fixed };
}

/** A temporary folder of a killed import (snapshots/) or run (releases/), with its size. */
export interface LeftoverTemp {
  path: string;
  kind: "import" | "run";
  pid: number;
  bytes: number;
}

/**
 * `.tmp-<id>-<pid>` folders (and their `.old`, a replaced folder not yet removed) under snapshots/
 * and releases/ whose process is gone: imports and runs write there and rename into place, so a
 * killed one leaves its folder (up to hundreds of MB). A folder of a process still running is not
 * listed.
 */
export function leftoverTemps(root: string): LeftoverTemp[] {
  const L = layout(root);
  const out: LeftoverTemp[] = [];
  for (const [dir, kind] of [
    [L.snapshots, "import"],
    [L.releases, "run"],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const m = /^\.tmp-(.+)-(\d+)(\.old)?$/.exec(name);
      if (!m || alive(Number(m[2]))) continue;
      out.push({ path: join(dir, name), kind, pid: Number(m[2]), bytes: sizeOf(join(dir, name)) });
    }
  }
  return out;
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of readdirSync(path)) n += sizeOf(join(path, name));
  return n;
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`;
}

/**
 * Every published release against data/published.json: an entry for each, and its files as they
 * are now giving the digest recorded when it was published; an entry whose release is gone or no
 * longer published (replaced, or release.json edited) is reported too.
 */
function checkPublished(root: string, releases: Release[]): Problem[] {
  const L = layout(root);
  const out: Problem[] = [];
  let entries: PublishedEntry[];
  try {
    entries = readPublished(root);
  } catch (e) {
    return [
      { where: L.publishedFile, what: (e as Error).message, fix: "restore data/published.json from version control" },
    ];
  }
  const byId = new Map(releases.map((r) => [r.id, r]));
  const recorded = new Map(entries.map((e) => [e.release, e]));
  for (const r of releases) {
    if (!r.published || recorded.has(r.id)) continue;
    out.push({
      where: releaseJsonPath(root, r.id),
      what: `published release "${r.id}" has no digest in ${L.publishedFile}, so nothing outside it can tell whether it changed`,
      fix: "if it was published before data/published.json existed: `errormap doctor --record-published` (once), then commit data/published.json; else restore data/published.json from version control",
    });
  }
  for (const e of entries) {
    const r = byId.get(e.release);
    const where = L.release(e.release);
    const restore = `restore ${where} from version control: published releases are immutable`;
    if (!r) {
      out.push({
        where,
        what: `release "${e.release}", published on ${e.date ?? "an unknown date"} (${L.publishedFile}), is missing or not a valid release`,
        fix: restore,
      });
      continue;
    }
    if (!r.published) {
      out.push({
        where: releaseJsonPath(root, e.release),
        what: `release "${e.release}" was published on ${e.date ?? "an unknown date"} (${L.publishedFile}) but its release.json says it is not: it was replaced or edited after publication`,
        fix: restore,
      });
      continue;
    }
    const digest = publicationDigest(root, r);
    if (digest === e.digest) continue;
    const dateNote =
      (r.published.date ?? null) !== e.date
        ? `; its publication date reads ${r.published.date ?? "nothing"}, recorded ${e.date ?? "none"}`
        : "";
    out.push({
      where,
      what: `published release "${e.release}" differs from the digest recorded when it was published (${e.digest.slice(0, 12)}, now ${digest.slice(0, 12)}): one of ${digestFiles(root, r).join(", ")} changed, release.json's own fields (title, counts, dates, hashes) included${dateNote}`,
      fix: restore,
    });
  }
  return out;
}
