// The owner of the registry (README "Data layout"): data/registry/models.json and datasets.json,
// edited by hand, and each release's frozen copy of the entries it used, releases/<id>/registry.json
// (its pages keep their names when the registry changes). Its paths, reading them (validated, or
// as they are for the site's content collections, which validate them) and their bytes. Mapping
// source names to ids is the command line's (scripts/lib/registry.ts).
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { decodeUtf8, sha256, stableJson, writeFileAtomic } from "../jsonio.ts";
import { layout, RELEASE_FILE } from "../paths.ts";
import {
  DatasetEntrySchema,
  ModelEntrySchema,
  RegistrySchema,
  type DatasetEntry,
  type ModelEntry,
  type Registry,
} from "../schemas.ts";
import { listEntryError, parseJsonWith, problemAt } from "./errors.ts";

export type RegistryKind = "models" | "datasets";

/** The file of one kind of registry entry. */
export const registryPath = (root: string, kind: RegistryKind) =>
  kind === "models" ? layout(root).modelsFile : layout(root).datasetsFile;

/** A registry file's list as it is (none when the file is not there). */
function readList(path: string): unknown[] {
  if (!existsSync(path)) return [];
  // Strict UTF-8, a byte order mark allowed: the registry is edited by hand, in any editor.
  const list = parseJsonWith(decodeUtf8(readFileSync(path), path), path, null, (v) => v);
  if (!Array.isArray(list)) throw new Error(problemAt(path, null, null, "expected a JSON list of entries"));
  return list;
}

function readEntries<T>(path: string, schema: z.ZodType<T>): T[] {
  const parsed = z.array(schema).safeParse(readList(path));
  if (!parsed.success) throw listEntryError(path, parsed.error);
  return parsed.data;
}

/** The data root's registry, validated (an empty list for a file that is not there). */
export function readRegistry(root: string): Registry {
  return {
    models: readEntries(registryPath(root, "models"), ModelEntrySchema),
    datasets: readEntries(registryPath(root, "datasets"), DatasetEntrySchema),
  };
}

/** One kind of the data root's registry entries as they are, by id (the site's content collections validate them). */
export function readRegistryEntriesRaw(
  root: string,
  kind: RegistryKind,
): { id: string; data: Record<string, unknown> }[] {
  return readList(registryPath(root, kind)).map((e) => ({
    id: String((e as { id?: unknown } | null)?.id),
    data: e as Record<string, unknown>,
  }));
}

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

/** The bytes of one registry file: its entries sorted by id, key-sorted. */
export const registryListText = (entries: (ModelEntry | DatasetEntry)[]): string => stableJson(byId(entries));

/** Writes both registry files (each atomically). */
export function writeRegistry(root: string, reg: Registry): void {
  writeFileAtomic(registryPath(root, "models"), registryListText(reg.models));
  writeFileAtomic(registryPath(root, "datasets"), registryListText(reg.datasets));
}

/** Hash of the registry's content, recorded in snapshot manifests. */
export const registryHash = (reg: Registry): string => sha256(stableJson(reg));

// ---------------------------------------------------------------------------------------------
// A release's frozen copy: releases/<id>/registry.json

export const releaseRegistryPath = (root: string, id: string) => layout(root).releaseFile(id, RELEASE_FILE.registry);

export const hasReleaseRegistry = (root: string, id: string) => existsSync(releaseRegistryPath(root, id));

/** Release `id`'s registry.json, validated. */
export function readReleaseRegistry(root: string, id: string): Registry {
  const path = releaseRegistryPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => RegistrySchema.parse(v));
}

/** Release `id`'s registry.json as it is (the site's content collections validate it). */
export function readReleaseRegistryRaw(root: string, id: string): Record<string, unknown> {
  const path = releaseRegistryPath(root, id);
  return parseJsonWith(readFileSync(path, "utf8"), path, null, (v) => v as Record<string, unknown>);
}

/** The bytes of registry.json: the entries a release used (models and datasets sorted by id), validated. */
export const releaseRegistryText = (reg: Registry): string =>
  stableJson(RegistrySchema.parse({ models: byId(reg.models), datasets: byId(reg.datasets) }));
