// HELM runs beyond the plain ones: perturbed copies of instances are left out, and a run that
// reports no exact_match is scored by its own main stat. Made at test time from a generated run
// (scripts/demo/formats.ts) and, when ../shared is there, from a real BBQ run.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importSnapshot } from "../../scripts/import/snapshot.ts";
import { loadRecords } from "../../scripts/lib/snapshot-read.ts";
import { HELM_DIR } from "../helpers/evaldata.ts";
import { generatedInputs, sources } from "../helpers/sources.ts";
import { removeRoot, tempRoot } from "./helpers.ts";

/** A HELM run folder (made in `dir` if need be), its dataset and its number of instances. */
type Run = (dir: string) => { run: string; dataset: string; instances: number };

const SOURCES = sources<Run>({
  generated: () => (dir) => {
    const g = generatedInputs(dir, { keep: (d, m) => d === "demo_quiz" && m === "Aurora-7B", formatOf: () => "helm" });
    return { run: g.files[0]!.path, dataset: "demo_quiz", instances: g.records.length };
  },
  shared: () => () => ({ run: join(HELM_DIR, readdirSync(HELM_DIR).sort()[0]!), dataset: "bbq", instances: 100 }),
});

describe.each(SOURCES)("HELM run variants (%s run)", (_name, source) => {
  const root = tempRoot("errormap-helm-");
  afterAll(() => removeRoot(root));
  const { run, dataset, instances: N } = source(join(root, "source"));

  function variant(name: string, edit: (files: Record<string, any>) => void): string {
    const dir = join(root, "in", name);
    mkdirSync(dir, { recursive: true });
    cpSync(run, dir, { recursive: true });
    const files: Record<string, any> = {};
    for (const f of ["instances.json", "display_predictions.json", "per_instance_stats.json"])
      files[f] = JSON.parse(readFileSync(join(dir, f), "utf8"));
    edit(files);
    for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), JSON.stringify(v));
    return dir;
  }

  it("leaves perturbed copies of instances out", async () => {
    const dir = variant("perturbed", (f) => {
      const p = { name: "typos", robustness: true };
      f["instances.json"].push(...f["instances.json"].slice(0, 10).map((i: any) => ({ ...i, perturbation: p })));
      f["display_predictions.json"].push(
        ...f["display_predictions.json"].slice(0, 10).map((x: any) => ({ ...x, perturbation: p, predicted_text: "Z" })),
      );
      f["per_instance_stats.json"].push(
        ...f["per_instance_stats.json"].slice(0, 10).map((x: any) => ({ ...x, perturbation: p })),
      );
    });
    const m = await importSnapshot({ root, snapshot: "perturbed", paths: [dir] });
    expect(m.records).toBe(N);
    expect(loadRecords(root, m).some((r) => r.output === "Z")).toBe(false);
  });

  it("scores a run without exact_match by its own main stat, and says which", async () => {
    const dir = variant("quasi", (f) => {
      for (const x of f["per_instance_stats.json"]) {
        x.stats = x.stats.filter((s: any) => s.name.name !== "exact_match");
      }
    });
    const m = await importSnapshot({ root, snapshot: "quasi", paths: [dir] });
    const recs = loadRecords(root, m);
    expect(recs).toHaveLength(N);
    expect(recs.every((r) => r.metadata?.main_stat === "quasi_exact_match")).toBe(true);
    const stats = JSON.parse(readFileSync(join(dir, "per_instance_stats.json"), "utf8"));
    const first = stats[0];
    const quasi = first.stats.find((s: any) => s.name.name === "quasi_exact_match" && !s.name.perturbation).mean;
    const rec = recs.find((r) => r.instance_id.endsWith(`/${first.instance_id}`))!;
    expect(rec.score).toBe(quasi);
  });

  it("keeps items of per-subject runs apart: HELM numbers instances per run", async () => {
    const subjectRun = (subject: string) => {
      const dir = variant(`subject-${subject}`, () => {});
      const specPath = join(dir, "run_spec.json");
      const spec = JSON.parse(readFileSync(specPath, "utf8"));
      spec.scenario_spec.args.subject = subject;
      spec.name = spec.name.includes("subject=all")
        ? spec.name.replace("subject=all", `subject=${subject}`)
        : spec.name.replace(":", `:subject=${subject},`);
      writeFileSync(specPath, JSON.stringify(spec));
      return dir;
    };
    // Same model, same instance ids, two subjects: 2N distinct items, no duplicate error.
    const m = await importSnapshot({ root, snapshot: "subjects", paths: [subjectRun("age"), subjectRun("gender")] });
    expect(m.records).toBe(2 * N);
    expect(m.datasets[dataset]!.items).toBe(2 * N);
    const ids = loadRecords(root, m).map((r) => r.instance_id);
    expect(ids.filter((i) => i.startsWith(`${dataset}/subject=age/`))).toHaveLength(N);
    expect(ids.filter((i) => i.startsWith(`${dataset}/subject=gender/`))).toHaveLength(N);
  });
});
