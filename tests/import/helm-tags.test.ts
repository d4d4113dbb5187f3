// The HELM importer keeps every reference with its tags (metadata.references), which the BBQ
// plug-in reads. The run folder is written by the test itself, with made-up text.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { bbqTags } from "../../scripts/judges/heuristic/datasets/bbq.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { removeRoot, tempRoot } from "./helpers.ts";

function writeRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const refs = (correct: number, ambiguity: string, letters: string[]) =>
    ["The painter", "The baker", "Unknown"].map((text, i) => ({
      output: { text },
      tags: [...(i === correct ? ["correct"] : []), "negative", ambiguity, ...letters],
    }));
  const instances = [
    {
      id: "id1",
      split: "test",
      input: { text: "A painter and a baker met.\nQuestion: Who was late?" },
      references: refs(2, "ambiguous", ["C", "A", "B", "C"]),
    },
    {
      id: "id2",
      split: "test",
      input: { text: "A painter came late; the baker was early.\nQuestion: Who was late?" },
      references: refs(0, "non-ambiguous", ["A", "A", "B", "C"]),
    },
  ];
  const write = (f: string, v: unknown) => writeFileSync(join(dir, f), JSON.stringify(v));
  write("run_spec.json", {
    name: "bbq:subject=all,method=multiple_choice_joint,model=acme_m1",
    adapter_spec: { model: "acme/m1", method: "multiple_choice_joint" },
    scenario_spec: { args: { subject: "all" } },
  });
  write("instances.json", instances);
  write("display_predictions.json", [
    { instance_id: "id1", train_trial_index: 0, predicted_text: "A", mapped_output: "The painter" },
    { instance_id: "id2", train_trial_index: 0, predicted_text: "C", mapped_output: "Unknown" },
  ]);
  write(
    "per_instance_stats.json",
    instances.map((i) => ({
      instance_id: i.id,
      train_trial_index: 0,
      stats: [{ name: { name: "exact_match", split: "test" }, mean: 0, count: 1 }],
    })),
  );
}

describe("HELM importer: reference tags", () => {
  const root = tempRoot("errormap-helm-tags-");
  afterAll(() => removeRoot(root));

  it("keeps each reference's text and tags in option order", async () => {
    const dir = join(root, "in", "bbq:subject=all,method=multiple_choice_joint,model=acme_m1");
    writeRun(dir);
    const m = await importSnapshot({ root, snapshot: "s1", paths: [dir], register: true });
    const recs = loadRecords(root, m).sort((a, b) => (a.instance_id < b.instance_id ? -1 : 1));
    expect(recs.map((r) => r.reference)).toEqual(["C", "A"]);
    expect(recs[0]!.metadata?.references).toEqual([
      { text: "The painter", tags: ["negative", "ambiguous", "C", "A", "B", "C"] },
      { text: "The baker", tags: ["negative", "ambiguous", "C", "A", "B", "C"] },
      { text: "Unknown", tags: ["correct", "negative", "ambiguous", "C", "A", "B", "C"] },
    ]);
    // What the BBQ plug-in reads from them.
    expect(bbqTags(recs[0]!)).toMatchObject({
      ambiguous: true,
      negative: true,
      correct: "C",
      target: "A",
      nonTarget: "B",
      unknown: "C",
    });
    expect(bbqTags(recs[1]!)).toMatchObject({ ambiguous: false, correct: "A", unknown: "C" });
  });
});
