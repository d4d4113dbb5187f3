// The one way the openai judge talks to an endpoint: a structured-output chat completion,
// answered from the JudgeCache when it can be, else called with bounded concurrency, a call
// budget and our own retry loop (the client's maxRetries is 0). Our own loop, because one loop
// then covers transport faults (429, 5xx, timeouts, dropped connections; Retry-After honoured)
// AND invalid answers (truncated or malformed JSON, schema violations), the backoff base is an
// option (tests use milliseconds), every attempt counts against the budget, and a 429 pauses
// every worker, not just the one that saw it.
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import type { Usage } from "../../../src/lib/schemas.ts";
import { UsageSchema } from "../../../src/lib/schemas.ts";
import type { CacheKey, JudgeCache } from "../cache.ts";
import { cacheHash } from "../cache.ts";
import { ZERO_USAGE, addUsage, costOf } from "./pricing.ts";
import type { ChatMessage } from "./prompts.ts";

export const JUDGE = "openai";

export interface CallerOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  cache: JudgeCache;
  /** Requests in flight at most (default 16). */
  concurrency?: number;
  /** HTTP requests this run may make at most, retries included (default: no limit). */
  maxCalls?: number;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  /** Retries after the first attempt, for faults and invalid answers alike (default 4). */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, with jitter (default 1000 ms). */
  backoffBaseMs?: number;
  /** Longest backoff delay (default 60 s). */
  backoffMaxMs?: number;
  /** Longest wait a Retry-After header may impose (default 120 s). */
  maxRetryAfterMs?: number;
  /** Sampling temperature; not sent when undefined (reasoning models reject it). */
  temperature?: number;
  /** Aborts every call in flight and every wait; the run then rejects. */
  signal?: AbortSignal;
}

/** What the cache holds for one answer: the validated answer and the usage that produced it. */
export interface StoredAnswer<T> {
  answer: T;
  usage: Usage;
  via: "sync" | "batch";
}

export type CallResult<T> =
  | { ok: true; value: T; cached: boolean; hash: string; answerUsage: Usage; callUsage: Usage }
  | { ok: false; error: string; budget: boolean; hash: string; callUsage: Usage };

export type ChatBody = {
  model: string;
  messages: ChatMessage[];
  response_format: { type: "json_schema"; json_schema: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  temperature?: number;
};

/** Why an answer's content is not acceptable, or the parsed value. */
export function validateContent<T>(
  schema: z.ZodType<T>,
  choice: { finish_reason?: string | null; message?: { content?: string | null; refusal?: string | null } } | undefined,
): { ok: true; value: T } | { ok: false; error: string } {
  if (!choice?.message) return { ok: false, error: "no choice in the answer" };
  if (choice.message.refusal) return { ok: false, error: `refusal: ${choice.message.refusal.slice(0, 200)}` };
  if (choice.finish_reason === "length") return { ok: false, error: "truncated answer (finish_reason length)" };
  const content = choice.message.content ?? "";
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return { ok: false, error: `malformed JSON answer (${content.length} chars)` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      error: `answer does not match the schema: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    };
  return { ok: true, value: parsed.data };
}

/** Seconds or an HTTP date in Retry-After, or milliseconds in retry-after-ms. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get("retry-after");
  if (!ra) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function isRetryable(err: unknown): boolean {
  if (err instanceof OpenAI.APIConnectionError) return true; // timeouts are a subclass
  if (err instanceof OpenAI.APIError) {
    const s = err.status ?? 0;
    return s === 408 || s === 409 || s === 429 || s >= 500;
  }
  return false;
}

function describe(err: unknown): string {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return "request timed out";
  if (err instanceof OpenAI.APIError) return `${err.status ?? "connection"}: ${err.message}`.slice(0, 300);
  return String((err as Error)?.message ?? err).slice(0, 300);
}

/** A small FIFO semaphore. */
export class Limiter {
  private active = 0;
  private queue: (() => void)[] = [];
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/** mulberry32: a seeded generator for backoff jitter (the project avoids unseeded randomness). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export class StructuredCaller {
  readonly client: OpenAI;
  readonly limiter: Limiter;
  /** HTTP requests made (every attempt). */
  attempts = 0;
  /** Usage of this run's new requests only. */
  usage: Usage = { ...ZERO_USAGE };
  budgetExhausted = false;
  private pausedUntil = 0;
  private inFlight = new Map<string, Promise<CallResult<unknown>>>();
  private rand = seeded(0x5eed);
  private formats = new WeakMap<z.ZodType, ChatBody["response_format"]>();
  readonly o: Required<Omit<CallerOptions, "temperature" | "signal" | "maxCalls">> &
    Pick<CallerOptions, "temperature" | "signal"> & { maxCalls: number };

  constructor(opts: CallerOptions) {
    this.o = {
      concurrency: 16,
      timeoutMs: 120_000,
      maxRetries: 4,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      maxRetryAfterMs: 120_000,
      ...opts,
      maxCalls: opts.maxCalls ?? Infinity,
    };
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      maxRetries: 0,
      timeout: this.o.timeoutMs,
    });
    this.limiter = new Limiter(Math.max(1, this.o.concurrency));
  }

  /** The response_format for a zod schema, as plain JSON (what goes on the wire and into the key). */
  responseFormat(schema: z.ZodType, name: string): ChatBody["response_format"] {
    let rf = this.formats.get(schema);
    if (!rf) {
      rf = JSON.parse(JSON.stringify(zodResponseFormat(schema as never, name))) as ChatBody["response_format"];
      this.formats.set(schema, rf);
    }
    return rf;
  }

  body(messages: ChatMessage[], response_format: ChatBody["response_format"]): ChatBody {
    return {
      model: this.o.model,
      messages,
      response_format,
      ...(this.o.temperature === undefined ? {} : { temperature: this.o.temperature }),
    };
  }

  key(body: ChatBody, promptVersion: string): CacheKey {
    return { judge: JUDGE, judgeModel: this.o.model, promptVersion, request: body };
  }

  /** A cached answer that still validates (an entry written by older code is a miss). */
  cached<T>(schema: z.ZodType<T>, key: CacheKey): StoredAnswer<T> | undefined {
    const stored = this.o.cache.get<StoredAnswer<unknown>>(key);
    if (!stored) return undefined;
    const answer = schema.safeParse(stored.answer);
    const usage = UsageSchema.safeParse(stored.usage);
    if (!answer.success || !usage.success) return undefined;
    return { answer: answer.data, usage: usage.data, via: stored.via === "batch" ? "batch" : "sync" };
  }

  store<T>(key: CacheKey, stored: StoredAnswer<T>): string {
    return this.o.cache.put(key, stored);
  }

  usageOfCompletion(u: { prompt_tokens?: number; completion_tokens?: number } | undefined, batch = false): Usage {
    const p = u?.prompt_tokens ?? 0;
    const c = u?.completion_tokens ?? 0;
    return { calls: 1, prompt_tokens: p, completion_tokens: c, cost_usd: costOf(this.o.model, p, c, batch) };
  }

  addUsage(u: Usage): void {
    this.usage = addUsage(this.usage, u);
  }

  /** Runs a non-judge request (files, batches) with the same retry rules; it does not use the budget. */
  async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (this.o.signal?.aborted) throw this.o.signal.reason ?? err;
        if (!isRetryable(err) || attempt >= this.o.maxRetries) throw err;
        const ra = retryAfterMs(err instanceof OpenAI.APIError ? (err.headers as Headers | undefined) : undefined);
        await sleep(ra === undefined ? this.backoff(attempt) : Math.min(ra, this.o.maxRetryAfterMs), this.o.signal);
      }
    }
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** attempt);
    return exp / 2 + (this.rand() * exp) / 2; // "equal jitter": between half and the full delay
  }

  /** Answers one request: from the cache, or by calling with retries. Never throws except on abort. */
  async call<T>(schema: z.ZodType<T>, body: ChatBody, promptVersion: string): Promise<CallResult<T>> {
    const key = this.key(body, promptVersion);
    const hash = cacheHash(key);
    const hit = this.cached(schema, key);
    if (hit) return { ok: true, value: hit.answer, cached: true, hash, answerUsage: hit.usage, callUsage: { ...ZERO_USAGE } };
    // The same request already in flight (two models with the same output on an item): join it.
    const pending = this.inFlight.get(hash) as Promise<CallResult<T>> | undefined;
    if (pending) {
      const r = await pending;
      return r.ok ? { ...r, cached: true, callUsage: { ...ZERO_USAGE } } : r;
    }
    const p = this.limiter.run(() => this.callWithRetries(schema, body, key, hash));
    this.inFlight.set(hash, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(hash);
    }
  }

  private async callWithRetries<T>(schema: z.ZodType<T>, body: ChatBody, key: CacheKey, hash: string): Promise<CallResult<T>> {
    let spent: Usage = { ...ZERO_USAGE };
    let lastError = "no attempt made";
    for (let attempt = 0; attempt <= this.o.maxRetries; attempt++) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait, this.o.signal);
      this.o.signal?.throwIfAborted();
      if (this.attempts >= this.o.maxCalls) {
        this.budgetExhausted = true;
        return { ok: false, error: "budget exhausted", budget: true, hash, callUsage: spent };
      }
      this.attempts++;
      let delay: number;
      try {
        const completion = await this.client.chat.completions.create(body as never, { signal: this.o.signal });
        const u = this.usageOfCompletion(completion.usage ?? undefined);
        spent = addUsage(spent, u);
        this.usage = addUsage(this.usage, u);
        const v = validateContent(schema, completion.choices?.[0]);
        if (v.ok) {
          this.store(key, { answer: v.value, usage: spent, via: "sync" } satisfies StoredAnswer<T>);
          return { ok: true, value: v.value, cached: false, hash, answerUsage: spent, callUsage: spent };
        }
        lastError = v.error;
        delay = this.backoff(attempt);
      } catch (err) {
        if (this.o.signal?.aborted) throw this.o.signal.reason ?? err;
        if (err instanceof OpenAI.APIUserAbortError) throw err;
        this.usage = addUsage(this.usage, { ...ZERO_USAGE, calls: 1 });
        spent = addUsage(spent, { ...ZERO_USAGE, calls: 1 });
        lastError = describe(err);
        if (!isRetryable(err)) break;
        const ra = retryAfterMs(err instanceof OpenAI.APIError ? (err.headers as Headers | undefined) : undefined);
        if (ra !== undefined) {
          delay = Math.min(ra, this.o.maxRetryAfterMs);
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
        } else delay = this.backoff(attempt);
      }
      if (attempt < this.o.maxRetries) await sleep(delay, this.o.signal);
    }
    return { ok: false, error: lastError, budget: false, hash, callUsage: spent };
  }
}
