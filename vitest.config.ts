import { defineConfig } from "vitest/config";
import { REAL_TESTS, realLayer, realLayerReporter } from "./tests/helpers/real-layer.ts";

// Two layers (README "Set-up"): every test on inputs the project generates, always; and the
// real-data layer (*.real.test.ts, on ../shared/evaldata), collected only when that folder is there.
// The run ends with one line saying whether the real-data layer ran and how many files it holds.
const real = realLayer(import.meta.dirname);

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...(real.runs ? [] : [REAL_TESTS])],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Build and browser tests share dist folders and a port range; the suite runs files in parallel
    // but each file owns its temporary folders.
    pool: "forks",
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }], realLayerReporter(real)],
  },
});
