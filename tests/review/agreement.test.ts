// `errormap review agreement`: a release against a hand-labelled set (key,label[,note]).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEURISTIC_TAXONOMY } from "../../scripts/judges/heuristic/index.ts";
import { removeRoot, runCli } from "../import/helpers.ts";
import { cli, demoRoot, releaseFiles } from "./helpers.ts";

describe("review agreement", () => {
  let root: string;
  beforeAll(async () => {
    root = await demoRoot("errormap-review-agree-");
  });
  afterAll(() => removeRoot(root));

  it("prints agreement and the confusion table of labels against the release's categories", async () => {
    const { analyses } = releaseFiles(root, "r1");
    const slugOf = new Map(HEURISTIC_TAXONOMY.categories.map((c) => [c.id, c.slug]));
    const explained = analyses.filter((a) => a.rule !== "unexplained");
    const unexplained = analyses.filter((a) => a.rule === "unexplained");
    const [a1, a2, a3, a4] = explained;
    const other = explained.find((a) => a.category !== a4!.category)!;
    const labels = [
      ["key", "label", "note"],
      [a1!.key, a1!.category, "right"], // by id
      [a2!.key, slugOf.get(a2!.category)!, "right, by slug"],
      [a3!.key, a3!.category, ""],
      [a4!.key, other.category, "the judge is wrong here"],
      [unexplained[0]!.key, "unexplained", "no category fits"], // the parent: any leaf under it agrees
      [unexplained[1]!.key, "unexplained.no-rule", ""],
      ["demo_arith|nobody|demo_arith/p01", "unexplained", "not in the release"],
    ];
    const file = join(root, "labels.csv");
    writeFileSync(
      file,
      labels.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",")).join("\n") +
        "\n",
    );

    const j = JSON.parse(
      (await cli(["review", "agreement", "--data", root, "--release", "r1", "--labels", file, "--json"])).stdout,
    );
    expect(j).toMatchObject({
      release: "r1",
      labels: 7,
      found: 6,
      agree: 5,
      agreement: Math.round((5 / 6) * 1e6) / 1e6,
      missing: ["demo_arith|nobody|demo_arith/p01"],
    });
    // Rows: labels (as category ids); columns: the release's categories.
    expect(j.confusion[other.category][a4!.category]).toBe(1);
    expect(j.confusion.unexplained).toEqual({ [unexplained[0]!.category]: 1 });
    const total = Object.values(j.confusion as Record<string, Record<string, number>>)
      .flatMap((r) => Object.values(r))
      .reduce((s, n) => s + n, 0);
    expect(total).toBe(6);

    const human = (await cli(["review", "agreement", "--data", root, "--release", "r1", "--labels", file])).stdout;
    expect(human).toMatch(
      /agreement 83\.3% \(5 agree of the 6 labelled failures found in the release; 1 of 7 labels name no failure of it\)/,
    );
    expect(human).toMatch(/label \\ release/);
  });

  it("refuses an unknown label or a duplicate key, naming row and field", async () => {
    const { analyses } = releaseFiles(root, "r1");
    const file = join(root, "bad-labels.csv");
    writeFileSync(
      file,
      `key,label\n${analyses[0]!.key},no-such-category\n${analyses[1]!.key},unexplained\n${analyses[1]!.key},unexplained\n`,
    );
    const r = await runCli(["review", "agreement", "--data", root, "--release", "r1", "--labels", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-labels\.csv: row 2, field label: "no-such-category" is no category id or slug/);
    expect(r.stderr).toMatch(/bad-labels\.csv: row 4, field key: .*also on row 3/);
  });
});
