// The judges a run can choose, by name (release.json's `judge`; not to be confused with the data
// registry of models and datasets, scripts/lib/registry.ts). Each implements the Judge interface
// (judge.ts); a new judge is one more folder beside heuristic/ and openai/ and one line here (and
// its name in JudgeNameSchema, src/lib/schemas.ts). Loaded on demand, so an offline run never loads
// the OpenAI client.
import type { JudgeName } from "../../src/lib/schemas.ts";
import type { JudgeFactory } from "./judge.ts";

const JUDGES: Record<JudgeName, () => Promise<JudgeFactory>> = {
  heuristic: async () => (await import("./heuristic/stage.ts")).heuristicJudge,
  openai: async () => (await import("./openai/stage.ts")).openaiJudge,
};

export function loadJudge(name: JudgeName): Promise<JudgeFactory> {
  const load = JUDGES[name];
  if (!load) throw new Error(`unknown judge "${name}" (known: ${Object.keys(JUDGES).join(", ")})`);
  return load();
}
