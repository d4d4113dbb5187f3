// Progress on a terminal for long work: done/total, rate, time left, judge errors so far.
// cli-progress draws the bar; when stderr is not a terminal (CI, pipes) nothing is drawn and only
// the closing one-line summary (printed by the caller) remains.
import { createRequire } from "node:module";
import type CliProgress from "cli-progress";

// Required when a bar is drawn, not imported: most runs (CI, pipes, tests) never draw one, and
// loading the library added to the start of every command (README "Performance").
const require = createRequire(import.meta.url);

export interface Progress {
  tick(n?: number, errors?: number): void;
  set(value: number, errors?: number): void;
  stop(): void;
}

export function startProgress(label: string, total: number, unit = "items"): Progress {
  if (!process.stderr.isTTY || total <= 0 || process.env.ERRORMAP_QUIET) {
    return { tick() {}, set() {}, stop() {} };
  }
  const cliProgress = require("cli-progress") as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label.padEnd(10)} {bar} {value}/{total} ${unit} | {rate}/s | left {eta_formatted} | errors {errors}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let value = 0;
  let errs = 0;
  const payload = () => ({ errors: errs, rate: (value / Math.max((Date.now() - started) / 1000, 1e-3)).toFixed(0) });
  bar.start(total, 0, payload());
  return {
    tick(n = 1, errors) {
      value += n;
      if (errors !== undefined) errs = errors;
      bar.update(value, payload());
    },
    set(v, errors) {
      value = v;
      if (errors !== undefined) errs = errors;
      bar.update(value, payload());
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * For work whose total is not known in advance (taxonomy induction recurses as it goes): a status
 * line redrawn every second with a count and the elapsed time. Terminal only, like the bars.
 */
export function startTicker(label: string, status: () => string): { stop(): void } {
  if (!process.stderr.isTTY || process.env.ERRORMAP_QUIET) return { stop() {} };
  const started = Date.now();
  const draw = () =>
    process.stderr.write(`\r${label.padEnd(10)} ${status()} | ${((Date.now() - started) / 1000).toFixed(0)} s\x1b[K`);
  const timer = setInterval(draw, 1000);
  draw();
  return {
    stop() {
      clearInterval(timer);
      draw();
      process.stderr.write("\n");
    },
  };
}
