// The JSON Schema files in docs/schemas/ are generated from src/lib/schemas.ts and must match it;
// they require the fields the issues spell out as contracts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_DIR, schemaTexts } from "../scripts/schemas.ts";

describe("docs/schemas", () => {
  it("are up to date with src/lib/schemas.ts (run `npm run schemas` after changing a shape)", () => {
    for (const [file, text] of schemaTexts()) expect(readFileSync(join(SCHEMA_DIR, file), "utf8"), file).toBe(text);
  });

  it("name the contract fields of the issues as required", () => {
    const release = JSON.parse(readFileSync(join(SCHEMA_DIR, "release.schema.json"), "utf8"));
    expect(release.required).toEqual(
      expect.arrayContaining(["id", "snapshot", "judge", "judge_model", "prompt_versions", "seed", "counts", "usage"]),
    );
    const record = JSON.parse(readFileSync(join(SCHEMA_DIR, "record.input.schema.json"), "utf8"));
    expect(record.required).toEqual(
      expect.arrayContaining(["dataset", "model", "instance_id", "input", "reference", "output"]),
    );
    expect(record.required).not.toContain("score"); // score | correct: either may be missing
  });
});
