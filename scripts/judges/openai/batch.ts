// Batch mode: item analyses through the OpenAI Batch API. Requests not yet cached are written as
// JSONL (custom_id = the cache hash of the request), uploaded (purpose "batch"), run as one batch
// on /v1/chat/completions (24h window) and polled until it ends; each output line is validated and
// put into the cache like a synchronous answer. The batch id is saved in a state file under the
// cache dir before polling starts, so a killed run picks up the same batch instead of paying for
// a new one. Lines that fail or do not validate are left uncached: the caller answers them
// synchronously (with retries), so they end as answers or as counted judge errors. A batch that
// ends failed, expired or cancelled gives what it finished, and the run stops with an error: the
// next run sends the rest as a new batch.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { toFile } from "openai";
import type { z } from "zod";
import { readJson, writeJsonAtomic } from "../../../src/lib/jsonio.ts";
import type { CacheKey } from "../cache.ts";
import {
  type ChatBody,
  type Normaliser,
  type StoredAnswer,
  type StructuredCaller,
  sleep,
  validateContent,
} from "./caller.ts";

export interface BatchRequest {
  hash: string;
  key: CacheKey;
  body: ChatBody;
}

interface PendingBatch {
  id: string;
  model: string;
  input_file_id: string;
  requests: number;
}

interface BatchState {
  batches: PendingBatch[];
}

export interface BatchReport {
  /** Batches created by this run. */
  created: number;
  /** Batches of an earlier (killed) run picked up again. */
  resumed: number;
  /** Answers put into the cache. */
  ingested: string[];
  /** custom_ids whose line failed or did not validate. */
  failed: string[];
}

const TERMINAL = new Set(["completed", "failed", "expired", "cancelled"]);

export function batchStatePath(cacheDir: string): string {
  return join(cacheDir, "openai", "batch-state.json");
}

function readState(path: string): BatchState {
  if (!existsSync(path)) return { batches: [] };
  try {
    const s = readJson(path) as BatchState;
    return Array.isArray(s?.batches) ? s : { batches: [] };
  } catch {
    return { batches: [] };
  }
}

export async function runBatches<T>(
  caller: StructuredCaller,
  schema: z.ZodType<T>,
  requests: BatchRequest[],
  opts: { pollIntervalMs: number; signal?: AbortSignal; normalise?: Normaliser },
): Promise<BatchReport> {
  const report: BatchReport = { created: 0, resumed: 0, ingested: [], failed: [] };
  const statePath = batchStatePath(caller.o.cache.dir);
  const byHash = new Map(requests.map((r) => [r.hash, r]));
  const client = caller.client;
  const model = caller.o.model;

  const saveState = (s: BatchState) => writeJsonAtomic(statePath, s);
  const forget = (id: string) => {
    const s = readState(statePath);
    saveState({ batches: s.batches.filter((b) => b.id !== id) });
  };

  const finish = async (pending: PendingBatch) => {
    let batch = await caller.retrying(() => client.batches.retrieve(pending.id, { signal: opts.signal }));
    while (!TERMINAL.has(batch.status)) {
      await sleep(opts.pollIntervalMs, opts.signal);
      batch = await caller.retrying(() => client.batches.retrieve(pending.id, { signal: opts.signal }));
    }
    // Expired and cancelled batches keep the lines they finished: take those too.
    if (batch.output_file_id) {
      const res = await caller.retrying(() => client.files.content(batch.output_file_id!, { signal: opts.signal }));
      const text = await res.text();
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        // biome-ignore lint/suspicious/noExplicitAny: a chat-completions body from the Batch API, validated where it is read
        let row: { custom_id?: string; response?: { status_code?: number; body?: any } | null };
        try {
          row = JSON.parse(line);
        } catch {
          continue;
        }
        const req = row.custom_id ? byHash.get(row.custom_id) : undefined;
        if (!req) continue; // a request of another run: its key is unknown here
        const body = row.response?.body;
        const usage = caller.usageOfCompletion(body?.usage, true);
        caller.addUsage(usage);
        const v =
          row.response?.status_code === 200
            ? validateContent(schema, body?.choices?.[0], opts.normalise)
            : { ok: false as const };
        if (!v.ok) {
          report.failed.push(req.hash);
          continue;
        }
        caller.store(req.key, {
          answer: v.value,
          usage,
          via: "batch",
          ...(v.notes.length ? { notes: v.notes } : {}),
        } satisfies StoredAnswer<T>);
        report.ingested.push(req.hash);
      }
    }
    forget(pending.id);
    return batch.status;
  };

  // 1. Batches a killed run left behind.
  for (const pending of readState(statePath).batches.filter((b) => b.model === model)) {
    report.resumed++;
    await finish(pending);
  }

  // 2. What is still missing, within the call budget.
  const missing = requests.filter((r) => !caller.cached(schema, r.key));
  const room = Math.max(0, caller.o.maxCalls - caller.attempts);
  const send = missing.slice(0, room);
  if (send.length === 0) return report;
  caller.attempts += send.length;

  const jsonl = send
    .map((r) => JSON.stringify({ custom_id: r.hash, method: "POST", url: "/v1/chat/completions", body: r.body }))
    .join("\n");
  const file = await caller.retrying(async () =>
    client.files.create(
      { file: await toFile(Buffer.from(jsonl + "\n"), "erroratlas-batch.jsonl"), purpose: "batch" },
      { signal: opts.signal },
    ),
  );
  const batch = await caller.retrying(() =>
    client.batches.create(
      {
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { tool: "erroratlas", model },
      },
      { signal: opts.signal },
    ),
  );
  const pending: PendingBatch = { id: batch.id, model, input_file_id: file.id, requests: send.length };
  saveState({ batches: [...readState(statePath).batches, pending] });
  report.created++;
  const status = await finish(pending);
  // Not completed: what it answered is cached; the rest waits for the next run's batch rather
  // than going synchronously at full price.
  if (status !== "completed") throw new Error(`batch ${batch.id} ended ${status}; run again to send the rest`);
  return report;
}
