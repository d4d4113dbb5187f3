// The registry of models and datasets: loading, validation, and mapping source names to canonical
// ids through aliases (case-insensitive). An unknown name is an error that lists close matches.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { layout } from "../../src/lib/paths.ts";
import {
  DatasetEntrySchema,
  ModelEntrySchema,
  type DatasetEntry,
  type ModelEntry,
  type Registry,
} from "../../src/lib/schemas.ts";
import { decodeUtf8, sha256, stableJson, writeFileAtomic } from "../../src/lib/jsonio.ts";
import { slugify } from "./slug.ts";

// Required on first use, not imported: only a name that matches nothing needs suggestions, and
// every command paid for loading the library at its start (README "Performance").
const require = createRequire(import.meta.url);
let levenshtein: typeof import("fastest-levenshtein") | undefined;
const distance = (a: string, b: string) =>
  (levenshtein ??= require("fastest-levenshtein") as typeof import("fastest-levenshtein")).distance(a, b);

function readArray<T>(path: string, schema: z.ZodType<T>): T[] {
  if (!existsSync(path)) return [];
  // Strict UTF-8, a byte order mark allowed: the registry is edited by hand, in any editor.
  const text = decodeUtf8(readFileSync(path), path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  const parsed = z.array(schema).safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${path}: entry ${String(issue.path[0])}, field ${issue.path.slice(1).join(".") || "(entry)"}: ${issue.message}`,
    );
  }
  return parsed.data;
}

export function loadRegistry(root: string): Registry {
  const l = layout(root);
  return { models: readArray(l.modelsFile, ModelEntrySchema), datasets: readArray(l.datasetsFile, DatasetEntrySchema) };
}

export function saveRegistry(root: string, reg: Registry): void {
  const l = layout(root);
  writeFileAtomic(l.modelsFile, stableJson([...reg.models].sort((a, b) => (a.id < b.id ? -1 : 1))));
  writeFileAtomic(l.datasetsFile, stableJson([...reg.datasets].sort((a, b) => (a.id < b.id ? -1 : 1))));
}

/** Hash of the registry's content, recorded in snapshot manifests. */
export function registryHash(reg: Registry): string {
  return sha256(stableJson(reg));
}

export class UnknownNameError extends Error {
  readonly kind: "model" | "dataset";
  override readonly name: string;
  readonly suggestions: string[];
  constructor(kind: "model" | "dataset", name: string, suggestions: string[]) {
    super(
      `unknown ${kind} name "${name}"` +
        (suggestions.length ? `; close matches: ${suggestions.join(", ")}` : "") +
        `. Add it as an alias of the right entry in data/registry/${kind}s.json, or re-run the import with --register to add it as a new ${kind}.`,
    );
    this.kind = kind;
    this.name = name;
    this.suggestions = suggestions;
  }
}

type Entry = { id: string; name: string; aliases: string[] };

/** Maps names to ids for one kind of entry. */
export class NameIndex<E extends Entry> {
  private byName = new Map<string, E>();
  readonly kind: "model" | "dataset";
  readonly entries: E[];
  constructor(kind: "model" | "dataset", entries: E[]) {
    this.kind = kind;
    this.entries = entries;
    for (const e of entries) for (const n of [e.id, ...e.aliases]) this.byName.set(n.toLowerCase(), e);
  }

  find(name: string): E | undefined {
    return this.byName.get(name.trim().toLowerCase());
  }

  resolve(name: string): E {
    const e = this.find(name);
    if (!e) throw new UnknownNameError(this.kind, name, this.closeMatches(name));
    return e;
  }

  /** Up to 5 known names nearest to `name` (edit distance on lower-case names, or a shared stem). */
  closeMatches(name: string): string[] {
    const q = name.toLowerCase();
    const scored = [...this.byName.keys()].map((n) => {
      const d = distance(q, n) / Math.max(q.length, n.length);
      const stem = n.includes(q) || q.includes(n) ? 0.2 : 1;
      return { n, score: Math.min(d, stem) };
    });
    const seen = new Set<string>();
    const out: string[] = [];
    for (const { n } of scored.filter((s) => s.score < 0.5).sort((a, b) => a.score - b.score || (a.n < b.n ? -1 : 1))) {
      const e = this.byName.get(n)!;
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      out.push(n === e.id.toLowerCase() ? e.id : `${n} (→ ${e.id})`);
      if (out.length === 5) break;
    }
    return out;
  }
}

export function indexes(reg: Registry) {
  return {
    models: new NameIndex<ModelEntry>("model", reg.models),
    datasets: new NameIndex<DatasetEntry>("dataset", reg.datasets),
  };
}

/** A new registry entry for an unknown model name (--register): unknown facts stay null. */
export function newModelEntry(name: string, taken: Set<string>): ModelEntry {
  let id = slugify(name).replace(/[^a-z0-9._-]/g, "-");
  for (let i = 2; taken.has(id); i++) id = `${slugify(name)}-${i}`;
  return {
    id,
    name,
    aliases: [name],
    organisation: "unknown",
    family: "unknown",
    open_weights: null,
    parameters_b: null,
    released: null,
    notes: "Registered automatically by `errormap import --register`; fill in organisation, family and size.",
  };
}

/** A new registry entry for an unknown dataset name (--register): graded scores, default threshold. */
export function newDatasetEntry(name: string, taken: Set<string>): DatasetEntry {
  let id = slugify(name).replace(/-/g, "_");
  for (let i = 2; taken.has(id); i++) id = `${slugify(name).replace(/-/g, "_")}_${i}`;
  return {
    id,
    name,
    aliases: [name],
    task_type: "short_answer",
    metric: "score",
    exact_match: false,
    success_threshold: null,
    skill: "unknown (registered automatically)",
    description: "Registered automatically by `errormap import --register`; describe it.",
    source: "unknown",
    licence: "unknown",
  };
}
