// The committed registry (data/registry) is valid and unambiguous, and covers every name the demo
// generator writes; the names of the real evaluation data are registry.real.test.ts (the real-data
// layer, README "Set-up").
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDemo } from "../scripts/demo/generate.ts";
import { indexes, loadRegistry } from "../scripts/lib/registry.ts";
import { stableJson } from "../src/lib/jsonio.ts";
import { REPO } from "./helpers/evaldata.ts";
import { CANONICAL, type Entry, dataset, model, rawDatasets, rawModels, registry } from "./helpers/registry.ts";

describe("registry files", () => {
  it("are sorted by id and written with stableJson", () => {
    for (const [raw, entries] of [
      [rawModels, registry.models],
      [rawDatasets, registry.datasets],
    ] as const) {
      const ids = entries.map((e) => e.id);
      expect(ids).toEqual([...ids].sort());
      expect(raw).toBe(stableJson(JSON.parse(raw)));
    }
  });

  it("have unique ids", () => {
    for (const entries of [registry.models, registry.datasets]) {
      expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    }
  });

  it("never let one name (id or alias) point at two entries, case-insensitively", () => {
    for (const entries of [registry.models, registry.datasets] as Entry[][]) {
      const owner = new Map<string, string>();
      for (const e of entries) {
        for (const n of new Set([e.id, ...e.aliases].map((n) => n.toLowerCase()))) {
          const prev = owner.get(n);
          expect(prev === undefined || prev === e.id, `"${n}" claimed by ${prev} and ${e.id}`).toBe(true);
          owner.set(n, e.id);
        }
      }
    }
  });

  it("explain every model's merge or split decision and give plausible facts", () => {
    for (const m of registry.models) {
      expect(m.notes?.length, m.id).toBeGreaterThan(0);
      if (m.released !== null) expect(m.released, m.id).toMatch(/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/);
      // API-only models never have public parameter counts.
      if (m.open_weights === false) expect(m.parameters_b, m.id).toBeNull();
    }
  });

  it("use the dataset ids the records use", () => {
    expect(
      registry.datasets
        .map((d) => d.id)
        .filter((id) => !id.startsWith("demo_"))
        .sort(),
    ).toEqual(["alpaca_eval", "bbq", "gsm8k", "math_l5", "mmlu_pro", "theoremqa"]);
  });
});

describe("registry against the generated inputs", () => {
  it("resolves every generated model and dataset name to exactly one entry, each fictional", () => {
    const records = [...generateDemo().values()].flat().map((r) => r.record);
    const models = new Set(records.map((r) => r.model));
    expect(models.size).toBeGreaterThan(1);
    for (const n of models) expect(registry.models.find((m) => m.id === model(n))!.notes, n).toMatch(/FICTIONAL/);
    for (const n of new Set(records.map((r) => r.dataset)))
      expect(registry.datasets.find((d) => d.id === dataset(n))!.description, n).toMatch(/^DEMO DATA, fictional/);
  });
});

describe("canonical ids of the spot-checked names", () => {
  const idx = indexes(loadRegistry(join(REPO, "data")));
  it.each(CANONICAL)("%s → %s", (source, id) => {
    expect(idx.models.resolve(source).id).toBe(id);
  });
});
