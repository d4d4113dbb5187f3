// A release's own files, served byte for byte as the pipeline wrote them, so anyone can check them
// against the SHA-256 the release page lists (and load the full analyses, not only the examples).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIRoute } from "astro";
import { dataRoot, layout } from "../../../../lib/paths.ts";
import { releaseFilePaths } from "../../../../lib/site/routes.ts";

export const getStaticPaths = releaseFilePaths;

const TYPES: Record<string, string> = { ".json": "application/json; charset=utf-8", ".jsonl": "application/jsonl; charset=utf-8" };

export const GET: APIRoute = ({ params }) => {
  const file = String(params.file);
  const body = readFileSync(join(layout(dataRoot()).release(String(params.release)), file));
  return new Response(body, { headers: { "Content-Type": TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream" } });
};
