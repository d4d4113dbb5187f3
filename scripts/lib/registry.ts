// Mapping source names to canonical registry ids through aliases (case-insensitive); an unknown
// name is an error that lists close matches. The registry's files are read, validated and written
// by their owner, src/lib/data/registry.ts; its functions are re-exported here under the names the
// command line uses.
import { createRequire } from "node:module";
import type { DatasetEntry, ModelEntry, Registry } from "../../src/lib/schemas.ts";
import { slugify } from "./slug.ts";

export {
  readRegistry as loadRegistry,
  registryHash,
  writeRegistry as saveRegistry,
} from "../../src/lib/data/registry.ts";

// Required on first use, not imported: only a name that matches nothing needs suggestions, and
// every command paid for loading the library at its start (README "Performance").
const require = createRequire(import.meta.url);
let levenshtein: typeof import("fastest-levenshtein") | undefined;
const distance = (a: string, b: string) =>
  (levenshtein ??= require("fastest-levenshtein") as typeof import("fastest-levenshtein")).distance(a, b);

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
