// The committed registry (data/registry) as the registry tests read it: the files' text, the
// entries validated, and a resolver that finds every entry a name matches, so an ambiguous name is
// an error rather than the first match (scripts/lib/registry.ts resolves names for the importer).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { layout } from "../../src/lib/paths.ts";
import { RegistrySchema, type Registry } from "../../src/lib/schemas.ts";
import { REPO } from "./evaldata.ts";

const files = layout(join(REPO, "data"));
export const rawModels = readFileSync(files.modelsFile, "utf8");
export const rawDatasets = readFileSync(files.datasetsFile, "utf8");
export const registry: Registry = RegistrySchema.parse({
  models: JSON.parse(rawModels),
  datasets: JSON.parse(rawDatasets),
});

export type Entry = { id: string; aliases: string[] };

/** Every entry a name matches, by id or alias, case-insensitively (more than one = ambiguous). */
function matches(entries: Entry[], name: string): string[] {
  const q = name.trim().toLowerCase();
  return entries.filter((e) => [e.id, ...e.aliases].some((n) => n.toLowerCase() === q)).map((e) => e.id);
}

function resolveOne(entries: Entry[], name: string): string {
  const ids = matches(entries, name);
  if (ids.length !== 1) throw new Error(`"${name}" resolves to ${ids.length ? ids.join(", ") : "nothing"}`);
  return ids[0]!;
}

/** The id of the one model entry `name` names. */
export const model = (name: string) => resolveOne(registry.models, name);
/** The id of the one dataset entry `name` names. */
export const dataset = (name: string) => resolveOne(registry.datasets, name);

/** Source spellings and the canonical ids the registry must give them (spot checks). */
export const CANONICAL: [string, string][] = [
  ["Meta-Llama-3.1-70B-Instruct", "llama-3.1-70b-instruct"],
  ["deepseek-chat (V2, May 2024)", "deepseek-v2-chat"],
  ["text_davinci_003", "text-davinci-003"],
  ["claude-3-5-sonnet-20240620", "claude-3.5-sonnet-20240620"],
  ["gpt-4o-2024-05-13", "gpt-4o-2024-05-13"],
  ["gpt-4 (API run 2023-06-15)", "gpt-4-api-2023-06-15"],
];
