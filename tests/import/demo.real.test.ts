// The fictional demo against the real evaluation data of ../shared/evaldata (the real-data layer,
// README "Set-up"): no input or output of the demo generator is copied from a real record.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDemo } from "../../scripts/demo/generate.ts";
import { JSONL_DIR } from "../helpers/evaldata.ts";
import { readLines } from "./helpers.ts";

describe("demo data against the real data", () => {
  it("shares no input or output with the real evaluation data", () => {
    const real = new Set<string>();
    for (const f of readdirSync(JSONL_DIR))
      for (const r of readLines(join(JSONL_DIR, f))) {
        real.add(String(r.input));
        real.add(String(r.output));
      }
    const records = [...generateDemo().values()].flat().map((g) => g.record);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(real.has(r.input), r.instance_id).toBe(false);
      if (r.output.length > 20) expect(real.has(r.output), r.instance_id).toBe(false);
    }
  });
});
