// Bad review sheets are refused, naming file, row and field, and nothing is stored: neither the
// data root's reviews nor the release change. A published release refuses any import.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeRoot, runCli } from "../import/helpers.ts";
import { cli, demoRoot, readSheetRows, reviewSample, snapshotOfState, writeSheetRows, type Row } from "./helpers.ts";

describe("review import refuses bad sheets", () => {
  let root: string;
  let failures: { columns: string[]; rows: Row[] };
  let items: { columns: string[]; rows: Row[] };
  beforeAll(async () => {
    root = await demoRoot("errormap-review-bad-");
    await reviewSample(root, join(root, "sample.csv"), 2);
    await cli(["review", "disputed", "--data", root, "--release", "r1", "--out", join(root, "disputed.csv")]);
    failures = readSheetRows(join(root, "sample.csv"));
    items = readSheetRows(join(root, "disputed.csv"));
  });
  afterAll(() => removeRoot(root));

  /** Imports a sheet made from `rows` and expects a refusal whose message has every `expected` line; nothing changes. */
  async function refused(name: string, columns: string[], rows: Row[], expected: RegExp[], release = "r1") {
    const file = join(root, name);
    writeSheetRows(file, columns, rows);
    const before = snapshotOfState(root, release);
    const r = await runCli(["review", "import", "--data", root, "--release", release, file]);
    expect(r.code, r.stderr).toBe(1);
    for (const e of expected) expect(r.stderr).toMatch(e);
    expect(snapshotOfState(root, release)).toEqual(before);
    return r.stderr;
  }
  const filledFailures = () => failures.rows.slice(0, 4).map((r): Row => ({ ...r, verdict: "agree" }));
  const at = (file: string, row: number, field: string) =>
    new RegExp(`${file.replace(/\./g, "\\.")}: row ${row}, field ${field}: `);

  it("a bad verdict", async () => {
    const rows = filledFailures();
    rows[1]!.verdict = "yes";
    const err = await refused("bad-verdict.csv", failures.columns, rows, [
      at("bad-verdict.csv", 3, "verdict"),
      /"yes" is not a verdict/,
      /nothing was stored/,
    ]);
    expect(err).not.toMatch(/row 2,/);
  });

  it("an unknown key", async () => {
    const rows = filledFailures();
    rows[0]!.key = "demo_arith|no-such-model|demo_arith/p01";
    await refused("unknown-key.csv", failures.columns, rows, [
      at("unknown-key.csv", 2, "key"),
      /no analysed failure "demo_arith\|no-such-model\|demo_arith\/p01" in release "r1"/,
    ]);
  });

  it("a duplicate row", async () => {
    const rows = filledFailures();
    rows.push({ ...rows[0]!, verdict: "disagree" });
    await refused("duplicate.csv", failures.columns, rows, [at("duplicate.csv", 6, "key"), /also on row 2/]);
  });

  it("an unknown column, or a required one missing", async () => {
    const rows = filledFailures().map((r) => ({ ...r, comment: "x" }));
    await refused("unknown-column.csv", [...failures.columns, "comment"], rows, [
      at("unknown-column.csv", 1, "comment"),
      /unknown column/,
    ]);
    await refused(
      "no-verdict.csv",
      failures.columns.filter((c) => c !== "verdict"),
      filledFailures(),
      [at("no-verdict.csv", 1, "verdict"), /required column missing/],
    );
    await refused(
      "no-kind.csv",
      ["name", "verdict"],
      [{ name: "x", verdict: "agree" }],
      [/no-kind\.csv: row 1: cannot tell the sheet's kind/],
    );
  });

  it("an analysis hash that no longer matches (the analysis changed since the sheet was drawn)", async () => {
    const rows = filledFailures();
    rows[2]!.analysis_sha256 = "0".repeat(64);
    await refused("stale.csv", failures.columns, rows, [at("stale.csv", 4, "analysis_sha256"), /draw a new sheet/]);
  });

  it("lists every bad row at once", async () => {
    const rows = filledFailures();
    rows[0]!.verdict = "maybe";
    rows[3]!.key = "nope";
    await refused("several.csv", failures.columns, rows, [
      /2 problem\(s\)/,
      at("several.csv", 2, "verdict"),
      at("several.csv", 5, "key"),
    ]);
  });

  it("item sheets: a bad verdict, an unknown item, a duplicate, a changed reference", async () => {
    const base = () => items.rows.map((r): Row => ({ ...r, verdict: "reference-wrong" }));
    let rows = base();
    rows[0]!.verdict = "agree";
    await refused("item-verdict.csv", items.columns, rows, [
      at("item-verdict.csv", 2, "verdict"),
      /one of reference-wrong, reference-right, ambiguous/,
    ]);
    rows = base();
    rows[1]!.instance_id = "demo_quiz/q99";
    await refused("item-unknown.csv", items.columns, rows, [
      at("item-unknown.csv", 3, "instance_id"),
      /no disputed item demo_quiz \/ demo_quiz\/q99/,
    ]);
    rows = [...base(), base()[0]!];
    await refused("item-duplicate.csv", items.columns, rows, [
      at("item-duplicate.csv", 4, "instance_id"),
      /also on row 2/,
    ]);
    rows = base();
    rows[0]!.reference_sha256 = "f".repeat(64);
    await refused("item-reference.csv", items.columns, rows, [at("item-reference.csv", 2, "reference_sha256")]);
  });

  it("not a CSV sheet, or a bad --date", async () => {
    const file = join(root, "ragged.csv");
    writeFileSync(file, 'key,verdict\n"a,agree\n');
    const before = snapshotOfState(root, "r1");
    const r = await runCli(["review", "import", "--data", root, "--release", "r1", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ragged\.csv: not a valid CSV sheet/);
    writeSheetRows(join(root, "ok.csv"), failures.columns, filledFailures());
    const d = await runCli([
      "review",
      "import",
      "--data",
      root,
      "--release",
      "r1",
      "--date",
      "2026-13-45",
      join(root, "ok.csv"),
    ]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/--date must be YYYY-MM-DD/);
    expect(snapshotOfState(root, "r1")).toEqual(before);
  });

  it("rows without a verdict are skipped, not refused", async () => {
    writeSheetRows(join(root, "empty.csv"), failures.columns, failures.rows);
    const r = await cli(["review", "import", "--data", root, "--release", "r1", join(root, "empty.csv")]);
    expect(r.stderr).toMatch(
      new RegExp(`imported 0 failure reviews \\(${failures.rows.length} rows without a verdict skipped\\)`),
    );
  });

  it("a published release is refused, and nothing is stored", async () => {
    await cli(["run", "--data", root, "--snapshot", "demo", "--release", "pub"]);
    await cli(["release", "publish", "--data", root, "--release", "pub", "--date", "2026-11-01"]);
    await refused(
      "published.csv",
      failures.columns,
      filledFailures(),
      [/release "pub" is published and immutable/],
      "pub",
    );
    await refused(
      "published-items.csv",
      items.columns,
      items.rows.map((r) => ({ ...r, verdict: "ambiguous" })),
      [/published and immutable/],
      "pub",
    );
    // The published release still verifies.
    expect((await cli(["doctor", "--data", root])).stdout).toMatch(/no problems/);
  });
});
