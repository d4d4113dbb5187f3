// Running one benchmark step in a child process: wall time, and peak memory of the whole process
// tree (Astro and Pagefind start children of their own), sampled from /proc every 25 ms (Linux).
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

export interface Measured {
  code: number | null;
  seconds: number;
  /** Highest sum of resident memory over the process tree, in MB (NaN without /proc). */
  peakRssMb: number;
  stdout: string;
  stderr: string;
}

function statusOf(pid: number): { ppid: number; rssKb: number; hwmKb: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const num = (re: RegExp) => Number(re.exec(s)?.[1] ?? 0);
    return { ppid: num(/PPid:\s+(\d+)/), rssKb: num(/VmRSS:\s+(\d+)/), hwmKb: num(/VmHWM:\s+(\d+)/) };
  } catch {
    return null; // exited, or no /proc
  }
}

/** Resident memory of `root` and all its descendants, in KB; the root's own peak too. */
function treeRss(root: number): { sumKb: number; rootHwmKb: number } {
  const children = new Map<number, number[]>();
  let pids: number[] = [];
  try {
    pids = readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return { sumKb: 0, rootHwmKb: 0 };
  }
  const stats = new Map<number, { rssKb: number; hwmKb: number }>();
  for (const pid of pids) {
    const st = statusOf(pid);
    if (!st) continue;
    stats.set(pid, st);
    (children.get(st.ppid) ?? children.set(st.ppid, []).get(st.ppid)!).push(pid);
  }
  let sumKb = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    sumKb += stats.get(pid)?.rssKb ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return { sumKb, rootHwmKb: stats.get(root)?.hwmKb ?? 0 };
}

export function measure(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined> },
): Promise<Measured> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    let peakKb = 0;
    const sample = () => {
      if (!child.pid) return;
      const t = treeRss(child.pid);
      peakKb = Math.max(peakKb, t.sumKb, t.rootHwmKb);
    };
    // A first sample at once: a process that exits within 25 ms would otherwise have none.
    sample();
    const poll = setInterval(sample, 25);
    child.on("close", (code) => {
      clearInterval(poll);
      done({
        code,
        seconds: (performance.now() - t0) / 1000,
        peakRssMb: peakKb ? Math.round(peakKb / 1024) : NaN,
        stdout,
        stderr,
      });
    });
  });
}

/** Throws with the step's output when it failed. */
export function ok(step: string, m: Measured): Measured {
  if (m.code !== 0)
    throw new Error(`bench: ${step} exited with ${m.code}\n${m.stderr.slice(-4000)}${m.stdout.slice(-2000)}`);
  return m;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
