// What `errormap run` is asked to do (the CLI's flags, scripts/cli.ts) and what it returns; apart
// from run.ts so the modules beside it (estimate.ts, the CLI) need not import the orchestrator.
import type { JudgeName, Release, RunLog } from "../../src/lib/schemas.ts";
import type { JudgeSettings } from "../judges/judge.ts";

export interface RunOptions extends JudgeSettings {
  root: string;
  snapshot: string;
  release: string;
  judge?: JudgeName;
  sample?: number;
  seed?: number;
  force?: boolean;
  previous?: string | null;
  title?: string;
  log?: (line: string) => void;
}

export interface RunResult {
  release: Release;
  run: RunLog;
}
