// Snapshot alias mapping on the real evaluation data of ../shared/evaldata (the real-data layer,
// README "Set-up"); the same rules on hand-written names are snapshots.test.ts ("alias mapping").
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { indexes, loadRegistry } from "../../scripts/lib/registry.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { JSONL_DIR, REPO } from "../helpers/evaldata.ts";
import { removeRoot, tempRoot } from "./helpers.ts";

const roots: string[] = [];
afterAll(() => roots.forEach(removeRoot));

describe("alias mapping on the real data", () => {
  const idx = indexes(loadRegistry(join(REPO, "data")));

  it("keeps gemini-1.5-pro (gsm8k) and gemini-1.5-pro-002 (mmlu_pro) two models", async () => {
    const root = tempRoot();
    roots.push(root);
    const m = await importSnapshot({
      root,
      snapshot: "g",
      paths: [join(JSONL_DIR, "gsm8k.jsonl"), join(JSONL_DIR, "mmlu_pro.jsonl")],
    });
    expect(m.datasets.gsm8k.models).toContain("gemini-1.5-pro");
    expect(m.datasets.gsm8k.models).not.toContain("gemini-1.5-pro-002");
    expect(m.datasets.mmlu_pro.models).toContain("gemini-1.5-pro-002");
    expect(m.datasets.mmlu_pro.models).not.toContain("gemini-1.5-pro");
    // Every source name maps to exactly the registry's id for it.
    for (const r of loadRecords(root, m)) expect(r.model).toBe(idx.models.resolve(r.source_model).id);
  });
});
