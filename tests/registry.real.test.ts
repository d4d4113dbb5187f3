// The committed registry against the names of the real evaluation data of ../shared/evaldata (the
// real-data layer, README "Set-up"): every jsonl and HELM name resolves, the same model merges
// across sources, versions stay apart, and alpaca_eval's threshold reproduces the source's verdicts.
// The same checks on the demo generator's names are registry.test.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELM_DIR, JSONL_DIR } from "./helpers/evaldata.ts";
import { dataset, model, registry } from "./helpers/registry.ts";

/** Distinct values of `model` and `dataset` across the jsonl files, and the models per file. */
function jsonlNames(): { models: Set<string>; datasets: Set<string>; byFile: Map<string, Set<string>> } {
  const models = new Set<string>();
  const datasets = new Set<string>();
  const byFile = new Map<string, Set<string>>();
  for (const f of readdirSync(JSONL_DIR).filter((f) => f.endsWith(".jsonl"))) {
    const inFile = new Set<string>();
    for (const line of readFileSync(join(JSONL_DIR, f), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { model: string; dataset: string };
      models.add(r.model);
      inFile.add(r.model);
      datasets.add(r.dataset);
    }
    byFile.set(f, inFile);
  }
  return { models, datasets, byFile };
}

/** Per HELM run: adapter_spec.model, the run name's model= part, and the scenario name. */
function helmRuns(): { adapterModel: string; runModel: string; scenario: string; groups: string[] }[] {
  return readdirSync(HELM_DIR)
    .filter((d) => existsSync(join(HELM_DIR, d, "run_spec.json")))
    .map((d) => {
      const spec = JSON.parse(readFileSync(join(HELM_DIR, d, "run_spec.json"), "utf8"));
      const name: string = spec.name;
      const runModel = /(?:^|[:,])model=([^,]+)/.exec(name)?.[1];
      if (!runModel) throw new Error(`${d}: run name has no model= part`);
      return {
        adapterModel: spec.adapter_spec.model,
        runModel,
        scenario: name.split(":")[0],
        groups: spec.groups ?? [],
      };
    });
}

describe("registry against ../shared/evaldata", () => {
  it("resolves every jsonl model and dataset name to exactly one entry", () => {
    const { models, datasets } = jsonlNames();
    expect(models.size).toBeGreaterThan(0);
    for (const n of models) expect(() => model(n), n).not.toThrow();
    for (const n of datasets) expect(dataset(n)).toBe(n); // jsonl files spell datasets by id
  });

  it("resolves both HELM spellings of each model to the same entry, and the scenario to bbq", () => {
    const runs = helmRuns();
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) {
      expect(model(r.adapterModel), r.runModel).toBe(model(r.runModel));
      expect(dataset(r.scenario)).toBe("bbq");
      for (const g of r.groups) expect(dataset(g)).toBe("bbq");
    }
  });

  it("merges the same model across sources", () => {
    const { models, byFile } = jsonlNames();
    const helm = helmRuns();
    // Only names that occur in the data: the test fails if a source renames them.
    const present = (n: string) => models.has(n) || helm.some((r) => r.adapterModel === n || r.runModel === n);
    const same: [string, string][] = [
      ["gpt-4o-2024-05-13", "openai_gpt-4o-2024-05-13"],
      ["gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13"],
      ["claude-3-5-sonnet-20240620", "anthropic_claude-3-5-sonnet-20240620"],
      ["text_davinci_003", "text-davinci-003"],
    ];
    for (const [a, b] of same) {
      expect(present(a) && present(b), `${a} / ${b}`).toBe(true);
      expect(model(a), `${a} / ${b}`).toBe(model(b));
    }
    // claude-2 is one name in two sources: both files must contain it.
    expect(byFile.get("alpaca_eval.jsonl")?.has("claude-2") && byFile.get("theoremqa.jsonl")?.has("claude-2")).toBe(
      true,
    );
  });

  it("keeps different versions and unstated variants apart", () => {
    const apart: [string, string][] = [
      ["gemini-1.5-pro", "gemini-1.5-pro-002"],
      ["gemini-1.5-flash", "gemini-1.5-flash-002"],
      ["meta_llama-3-70b-chat", "Meta-Llama-3.1-70B-Instruct"],
      ["meta/llama-3-70b-chat", "Meta-Llama-3.1-70B-Instruct"],
      ["meta_llama-3-8b-chat", "Meta-Llama-3.1-8B-Instruct"],
      ["gpt-3.5-turbo (API run 2023-05-13)", "gpt-3.5-turbo-0301"],
      ["alpaca (size unstated)", "alpaca-7b"],
      ["vicuna (size unstated)", "vicuna-13b-v1.5"],
      ["claude-instant-v1", "claude-instant-1.2"],
      ["claude-2", "claude-2.1"],
      ["claude-v1", "claude-2"],
      ["text-davinci-002", "text-davinci-003"],
      ["Phi-3-mini-4k-instruct", "Phi-3.5-mini-instruct"],
      ["Qwen1.5-72B-Chat", "Qwen2-72B-Instruct"],
    ];
    for (const [a, b] of apart) expect(model(a), `${a} / ${b}`).not.toBe(model(b));
  });

  it("sets alpaca_eval's threshold so that score > threshold reproduces the source's `correct`", () => {
    const entry = registry.datasets.find((d) => d.id === "alpaca_eval")!;
    expect(entry.exact_match).toBe(false);
    const t = entry.success_threshold!;
    let ties = 0;
    for (const line of readFileSync(join(JSONL_DIR, "alpaca_eval.jsonl"), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { score: number; correct: boolean };
      expect(r.correct).toBe(r.score > t);
      if (r.score === t) ties++;
    }
    // Exact ties exist and the source fails them, while the score-only rule (fail when score < t)
    // would pass them: this is why the records' own `correct` must govern (docs/registry-notes.md).
    expect(ties).toBeGreaterThan(0);
  });
});
