// The real-data layer of the suite (README "Set-up"): test files named *.real.test.ts read the real
// results of ../shared/evaldata (and ../shared/fixtures) at run time. vitest.config.ts collects them
// only when ../shared/evaldata is there, and says in one line at the end of the run whether the
// layer ran and how many files it holds, so a clone without ../shared runs the rest of the suite
// with nothing skipped and nothing hidden. Read by the config, so it imports nothing of vitest's
// runtime.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import fg from "fast-glob";

/** The glob of the real-data layer's files, relative to the repository. */
export const REAL_TESTS = "tests/**/*.real.test.ts";

export interface RealLayer {
  /** Whether the layer's files are collected. */
  runs: boolean;
  /** The layer's files, relative to the repository, sorted. */
  files: string[];
  /** Why it does not run (when it does not). */
  why: string;
}

/**
 * The real-data layer for the repository at `repo`: it runs when ../shared/evaldata is there and
 * ERRORMAP_TEST_NO_SHARED is not 1 (which simulates a clone without it).
 */
export function realLayer(repo: string, env: NodeJS.ProcessEnv = process.env): RealLayer {
  const files = fg.sync(REAL_TESTS, { cwd: repo }).sort();
  const shared = resolve(repo, "../shared/evaldata");
  if (env.ERRORMAP_TEST_NO_SHARED === "1") return { runs: false, files, why: "ERRORMAP_TEST_NO_SHARED=1" };
  if (!existsSync(join(shared, "jsonl"))) return { runs: false, files, why: `${shared} is not there` };
  return { runs: true, files, why: "" };
}

/** The one line the run ends with about the layer; `ran`: how many of its files this run ran. */
export function realLayerLine(layer: RealLayer, ran: number): string {
  const n = `${layer.files.length} file${layer.files.length === 1 ? "" : "s"}`;
  return layer.runs
    ? `real-data layer (${REAL_TESTS}, on ../shared/evaldata): ${ran} of its ${n} run`
    : `real-data layer NOT run: ${layer.why}; its ${n} (${REAL_TESTS}) need ../shared/evaldata beside the repository`;
}

/** A vitest reporter that prints realLayerLine once the run has ended. */
export function realLayerReporter(layer: RealLayer): {
  onTestRunEnd: (modules: ReadonlyArray<{ moduleId: string }>) => void;
} {
  return {
    onTestRunEnd: (modules) => {
      const ran = modules.filter((m) => m.moduleId.endsWith(".real.test.ts")).length;
      process.stdout.write(`\n${realLayerLine(layer, ran)}\n`);
    },
  };
}
