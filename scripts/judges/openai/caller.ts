// The one way the openai judge talks to an endpoint: a structured-output chat completion,
// answered from the JudgeCache when it can be, else called with bounded concurrency, a call
// budget and our own retry loop (the client's maxRetries is 0). Our own loop, because one loop
// then covers transport faults (429, 5xx, timeouts, dropped connections; Retry-After honoured)
// AND invalid answers (truncated or malformed JSON, schema violations), the backoff base is an
// option (tests use milliseconds), every attempt counts against the budget, and a 429 pauses
// every worker, not just the one that saw it.
//
// Answers are read tolerantly (answers.ts: fences, prose, reasoning), then validated. What the
// answer says decides what happens next: `finish_reason: "length"` is retried once at once with
// more room (max_tokens raised; the answer is still cached under the request as first built); a
// refusal or a content filter is a judge error with its reason, not retried; an HTML page or any
// other body that is not a chat completion, and 4xx errors other than 408/409/429, are not retried.
//
// Fail fast: until the endpoint has given one good answer, at most PROBE_CONCURRENCY requests are
// in flight (slow start, one fewer after each failure below), and FAIL_FAST_AFTER failures of one
// kind that retrying cannot fix (an
// HTML page, a body that is not JSON, JSON without choices, answers without a JSON object, 4xx,
// timeouts, refused connections) stop the run with one message naming the endpoint, what came
// back and what to check (`EndpointError`). After the first good answer, failures are per item.
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import type { Usage } from "../../../src/lib/schemas.ts";
import { UsageSchema } from "../../../src/lib/schemas.ts";
import type { CacheKey, JudgeCache } from "../cache.ts";
import { cacheHash } from "../cache.ts";
import { rng } from "../../lib/prng.ts";
import { ZERO_USAGE, addUsage, costOf } from "./pricing.ts";
import { type AnswerCheck, type ChoiceLike, type Normaliser, validateContent } from "./answers.ts";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_TIMEOUT_MS,
  FAIL_FAST_AFTER,
  PROBE_CONCURRENCY,
  type ResponseFormatMode,
} from "./defaults.ts";
import type { ChatMessage } from "./prompts.ts";

export { validateContent };
export type { AnswerCheck, Normaliser };

export const JUDGE = "openai";

/** The run stops: the endpoint failed the same way, unfixably, before any good answer. */
export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EndpointError";
  }
}

export interface CallerOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  cache: JudgeCache;
  /** Requests in flight at most (default 16). */
  concurrency?: number;
  /** HTTP requests this run may make at most, retries included (default: no limit). */
  maxCalls?: number;
  /** Per-request timeout (default DEFAULT_TIMEOUT_MS, 60 s). */
  timeoutMs?: number;
  /** How JSON is asked for (default json_schema; see defaults.ts). */
  responseFormat?: ResponseFormatMode;
  /** Identical unfixable failures before any good answer that stop the run (default 4; 0: never). */
  failFastAfter?: number;
  /** Requests in flight until the first good answer (default 4). */
  probeConcurrency?: number;
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
  /** What was normalised in the answer (a confidence of 57 read as 0.57, ...), when anything was. */
  notes?: string[];
}

export type CallResult<T> =
  | {
      ok: true;
      value: T;
      cached: boolean;
      hash: string;
      answerUsage: Usage;
      callUsage: Usage;
      notes: string[];
      extracted?: string;
    }
  | { ok: false; error: string; budget: boolean; hash: string; callUsage: Usage };

export type JsonSchemaFormat = {
  type: "json_schema";
  json_schema: { name: string; strict?: boolean; schema: Record<string, unknown> };
};

export type ChatBody = {
  model: string;
  messages: ChatMessage[];
  /** Absent with --response-format text. */
  response_format?: JsonSchemaFormat | { type: "json_object" };
  temperature?: number;
  /** Only on the retry of an answer cut short (finish_reason length). */
  max_tokens?: number;
  max_completion_tokens?: number;
};

/** The words that put a schema into the system prompt (json_object and text formats). */
export function schemaInstruction(name: string, schema: Record<string, unknown>): string {
  return [
    `Answer with exactly one JSON object and nothing else (no code fence, no text before or after it).`,
    `It must match this JSON Schema (named "${name}"):`,
    JSON.stringify(schema),
  ].join("\n");
}

/** The usage block of a chat completion, as servers send it (any field may be missing or odd). */
export type CompletionUsage = {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
};

/** A token count from a server: a non-negative integer, else 0. */
const count = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);

const snippet = (s: string, n = 120) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

/** A base URL without credentials or query, fit for a message. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/** Whether the endpoint takes max_completion_tokens rather than max_tokens (OpenAI, Azure OpenAI). */
function tokenField(baseURL: string): "max_tokens" | "max_completion_tokens" {
  try {
    const host = new URL(baseURL).hostname;
    return /(^|\.)openai\.com$|\.openai\.azure\.com$|\.cognitiveservices\.azure\.com$/.test(host)
      ? "max_completion_tokens"
      : "max_tokens";
  } catch {
    return "max_tokens";
  }
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

/** The kind of a transport failure that retrying cannot fix before the endpoint ever answered well. */
function unfixable(err: unknown): string | undefined {
  if (err instanceof OpenAI.APIConnectionTimeoutError) return "timeout";
  if (err instanceof OpenAI.APIConnectionError) return "connection";
  if (err instanceof OpenAI.APIError) {
    const s = err.status ?? 0;
    if (s >= 400 && s < 500 && s !== 408 && s !== 409 && s !== 429) {
      const code = (err as { code?: unknown }).code;
      return code === "content_filter" ? undefined : `http ${s}`; // Azure filters a prompt with a 400
    }
    return undefined;
  }
  if (err instanceof SyntaxError) return "not-json-body"; // a JSON content type over a body that is not JSON
  return undefined;
}

/** The system error code (ECONNREFUSED, ENOTFOUND...) somewhere in an error's causes. */
function causeCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++)
    if (typeof e.code === "string" && /^E[A-Z_]+$/.test(e.code)) return e.code;
  return undefined;
}

/** A small FIFO semaphore whose width can change (slow start). */
export class Limiter {
  private active = 0;
  private queue: (() => void)[] = [];
  max: number;
  constructor(max: number) {
    this.max = max;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A waiter is handed its slot by pump() (active is counted for it there).
    if (this.active < this.max && this.queue.length === 0) this.active++;
    else await new Promise<void>((r) => this.queue.push(r));
    try {
      return await fn();
    } finally {
      this.active--;
      this.pump();
    }
  }
  setMax(max: number): void {
    this.max = max;
    this.pump();
  }
  private pump(): void {
    while (this.active < this.max && this.queue.length) {
      this.active++;
      this.queue.shift()!();
    }
  }
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
  /** Answers whose JSON had to be taken out of a fence, prose or reasoning (this run's calls). */
  extracted = 0;
  /** Answers with a normalised field (this run's calls). */
  normalised = 0;
  /** Answers cut short and asked again with more room (finish_reason length). */
  lengthRetries = 0;
  /** Set when the run stops early (fail fast); every call then rejects with it. */
  fatal: EndpointError | undefined;
  /** The user's signal and fail fast's, together. */
  readonly signal: AbortSignal;
  private stop = new AbortController();
  private healthy = false;
  private unfixableSeen = new Map<string, { count: number; what: string }>();
  private pausedUntil = 0;
  private inFlight = new Map<string, Promise<CallResult<unknown>>>();
  /** Backoff jitter, seeded: the project avoids unseeded randomness. */
  private rand = rng(0x5eed);
  private formats = new WeakMap<z.ZodType, JsonSchemaFormat>();
  private readonly tokenField: "max_tokens" | "max_completion_tokens";
  readonly o: Required<Omit<CallerOptions, "temperature" | "signal" | "maxCalls">> &
    Pick<CallerOptions, "temperature" | "signal"> & { maxCalls: number };

  constructor(opts: CallerOptions) {
    this.o = {
      concurrency: DEFAULT_CONCURRENCY,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxRetries: 4,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      maxRetryAfterMs: 120_000,
      responseFormat: "json_schema",
      failFastAfter: FAIL_FAST_AFTER,
      probeConcurrency: PROBE_CONCURRENCY,
      // An option given as undefined keeps its default.
      ...(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as CallerOptions),
      maxCalls: opts.maxCalls ?? Infinity,
    };
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      maxRetries: 0,
      timeout: this.o.timeoutMs,
    });
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.stop.signal]) : this.stop.signal;
    this.tokenField = tokenField(opts.baseURL);
    const width = Math.max(1, this.o.concurrency);
    this.limiter = new Limiter(this.o.probeConcurrency > 0 ? Math.min(width, this.o.probeConcurrency) : width);
  }

  /** The endpoint that chat requests go to, for messages. */
  get endpoint(): string {
    return `${safeUrl(this.o.baseURL)}/chat/completions`;
  }

  /** The json_schema response_format of a zod schema, as plain JSON (what goes on the wire and into the key). */
  responseFormat(schema: z.ZodType, name: string): JsonSchemaFormat {
    let rf = this.formats.get(schema);
    if (!rf) {
      rf = JSON.parse(JSON.stringify(zodResponseFormat(schema as never, name))) as JsonSchemaFormat;
      this.formats.set(schema, rf);
    }
    return rf;
  }

  /**
   * The request for one answer in the configured response format: json_schema puts the schema in
   * response_format; json_object and text put it at the end of the system message (the same for
   * every request of a kind, so it stays in the shared prefix of prompt caches).
   */
  request(messages: ChatMessage[], schema: z.ZodType, name: string): ChatBody {
    const rf = this.responseFormat(schema, name);
    const mode = this.o.responseFormat;
    if (mode === "json_schema") return this.body(messages, rf);
    const instruction = schemaInstruction(name, rf.json_schema.schema);
    const withSchema = messages.some((m) => m.role === "system")
      ? messages.map((m, i) =>
          m.role === "system" && i === messages.findIndex((k) => k.role === "system")
            ? { ...m, content: `${m.content}\n\n${instruction}` }
            : m,
        )
      : [{ role: "system" as const, content: instruction }, ...messages];
    return this.body(withSchema, mode === "json_object" ? { type: "json_object" } : undefined);
  }

  body(messages: ChatMessage[], response_format: ChatBody["response_format"]): ChatBody {
    return {
      model: this.o.model,
      messages,
      ...(response_format ? { response_format } : {}),
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
    const notes = Array.isArray(stored.notes) ? stored.notes.filter((n): n is string => typeof n === "string") : [];
    return {
      answer: answer.data,
      usage: usage.data,
      via: stored.via === "batch" ? "batch" : "sync",
      ...(notes.length ? { notes } : {}),
    };
  }

  store<T>(key: CacheKey, stored: StoredAnswer<T>): string {
    return this.o.cache.put(key, stored);
  }

  /**
   * The usage of one completion. Prompt tokens the endpoint served from its prompt cache
   * (`usage.prompt_tokens_details.cached_tokens`: OpenAI, Azure OpenAI, vLLM with
   * --enable-prompt-tokens-details) are counted apart and priced at the cached-input rate.
   */
  usageOfCompletion(u: CompletionUsage | undefined, batch = false): Usage {
    const p = count(u?.prompt_tokens);
    const c = count(u?.completion_tokens);
    const cached = Math.min(p, count(u?.prompt_tokens_details?.cached_tokens));
    return {
      calls: 1,
      prompt_tokens: p,
      completion_tokens: c,
      cost_usd: costOf(this.o.model, p, c, batch, cached),
      ...(cached > 0 ? { cached_tokens: cached } : {}),
    };
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

  /** The endpoint gave a good answer: fail fast is off, and the full concurrency opens. */
  private good(): void {
    if (this.healthy) return;
    this.healthy = true;
    this.limiter.setMax(Math.max(1, this.o.concurrency));
  }

  /** A failure retrying cannot fix; before any good answer, enough of one kind stop the run. */
  private unfixableFailure(kind: string, what: string): void {
    if (this.healthy || this.fatal || this.o.failFastAfter <= 0) return;
    const seen = this.unfixableSeen.get(kind) ?? { count: 0, what };
    seen.count++;
    this.unfixableSeen.set(kind, seen);
    // Each such failure narrows the slow start by one: a wrong endpoint gets no new requests
    // while the ones in flight come back (a good answer opens the full width).
    this.limiter.setMax(Math.max(1, this.limiter.max - 1));
    if (seen.count < this.o.failFastAfter) return;
    this.fatal = new EndpointError(
      `stopped after ${this.attempts} requests to ${this.endpoint}: ${seen.count} of them failed the same way, which retrying cannot fix, and none succeeded. What came back: ${seen.what}. ${this.hint(kind)}`,
    );
    this.stop.abort(this.fatal);
  }

  private hint(kind: string): string {
    const baseUrl =
      "check --base-url (or OPENAI_BASE_URL): OpenAI-compatible servers answer under .../v1 (for example http://localhost:11434/v1 for Ollama, http://localhost:8000/v1 for vLLM)";
    if (kind === "html" || kind === "not-json-body" || kind === "no-choice")
      return `This is not an OpenAI-compatible chat completions API: ${baseUrl}.`;
    if (kind === "http 401" || kind === "http 403")
      return "Check OPENAI_API_KEY (and that the key may use this model).";
    if (kind === "http 404") return `Check --judge-model (the model's name as the server knows it) and ${baseUrl}.`;
    if (kind.startsWith("http 4"))
      return this.o.responseFormat === "json_schema"
        ? "The server refused the request; if it does not support response_format json_schema, run with --response-format json_object (or text)."
        : this.o.responseFormat === "json_object"
          ? "The server refused the request; if it does not support response_format json_object (LM Studio does not), run with --response-format json_schema or text."
          : "The server refused the request; see what it said.";
    if (kind === "not-json")
      return this.o.responseFormat === "json_schema"
        ? "The model does not answer in JSON: the server seems to ignore json_schema; try --response-format json_object, or a model that follows instructions better."
        : "The model does not answer in JSON; try another --response-format or a model that follows instructions better.";
    if (kind === "timeout")
      return `Raise --timeout (now ${this.o.timeoutMs / 1000} s), lower --concurrency, or check that the server is up and the model loaded.`;
    if (kind === "connection") return `Check that the server is running and reachable, and ${baseUrl}.`;
    return "";
  }

  /** Answers one request: from the cache, or by calling with retries. Throws only on abort or fail fast. */
  async call<T>(
    schema: z.ZodType<T>,
    body: ChatBody,
    promptVersion: string,
    normalise?: Normaliser,
  ): Promise<CallResult<T>> {
    const key = this.key(body, promptVersion);
    const hash = cacheHash(key);
    const hit = this.cached(schema, key);
    if (hit)
      return {
        ok: true,
        value: hit.answer,
        cached: true,
        hash,
        answerUsage: hit.usage,
        callUsage: { ...ZERO_USAGE },
        notes: hit.notes ?? [],
      };
    if (this.fatal) throw this.fatal;
    // The same request already in flight (two models with the same output on an item): join it.
    const pending = this.inFlight.get(hash) as Promise<CallResult<T>> | undefined;
    if (pending) {
      const r = await pending;
      return r.ok ? { ...r, cached: true, callUsage: { ...ZERO_USAGE } } : r;
    }
    const p = this.limiter.run(() => this.callWithRetries(schema, body, key, hash, normalise));
    this.inFlight.set(hash, p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(hash);
    }
  }

  private aborted(err: unknown): unknown {
    return this.fatal ?? this.o.signal?.reason ?? err;
  }

  private async callWithRetries<T>(
    schema: z.ZodType<T>,
    body: ChatBody,
    key: CacheKey,
    hash: string,
    normalise?: Normaliser,
  ): Promise<CallResult<T>> {
    let spent: Usage = { ...ZERO_USAGE };
    let lastError = "no attempt made";
    let send = body; // the request as sent: more room after an answer cut short
    let roomRaised = false;
    for (let attempt = 0; attempt <= this.o.maxRetries; attempt++) {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait, this.signal).catch((e) => Promise.reject(this.aborted(e)));
      if (this.signal.aborted) throw this.aborted(this.signal.reason);
      if (this.attempts >= this.o.maxCalls) {
        this.budgetExhausted = true;
        return { ok: false, error: "budget exhausted", budget: true, hash, callUsage: spent };
      }
      this.attempts++;
      let delay: number | undefined; // undefined: no retry
      try {
        const { data, response } = await this.client.chat.completions
          .create(send as never, { signal: this.signal })
          .withResponse();
        const completion = data as unknown as
          | { choices?: ChoiceLike[]; usage?: CompletionUsage }
          | string
          | null
          | undefined;
        if (completion === null || typeof completion !== "object") {
          // Not JSON at all (a web page, a proxy's text): nothing a retry will change.
          const text = typeof completion === "string" ? completion : "";
          const type = response.headers.get("content-type") ?? "no content type";
          const html = /^\s*<(!doctype|html|head|body|\?xml|[a-z]+[\s>])/i.test(text);
          spent = addUsage(spent, { ...ZERO_USAGE, calls: 1 });
          this.usage = addUsage(this.usage, { ...ZERO_USAGE, calls: 1 });
          const what = `${html ? "an HTML page" : "a body that is not JSON"} (status ${response.status}, ${type}): ${snippet(text.trim())}`;
          lastError = `not a chat completion from ${this.endpoint}: ${what}`;
          this.unfixableFailure(html ? "html" : "not-json-body", what);
          break;
        }
        const u = this.usageOfCompletion(completion.usage ?? undefined);
        spent = addUsage(spent, u);
        this.usage = addUsage(this.usage, u);
        const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
        const v = validateContent(schema, choice, normalise);
        if (v.ok) {
          this.good();
          if (v.extracted) this.extracted++;
          if (v.notes.length) this.normalised++;
          this.store(key, {
            answer: v.value,
            usage: spent,
            via: "sync",
            ...(v.notes.length ? { notes: v.notes } : {}),
          } satisfies StoredAnswer<T>);
          return {
            ok: true,
            value: v.value,
            cached: false,
            hash,
            answerUsage: spent,
            callUsage: spent,
            notes: v.notes,
            ...(v.extracted ? { extracted: v.extracted } : {}),
          };
        }
        lastError = v.error;
        if (v.fault === "no-choice") {
          this.unfixableFailure(
            "no-choice",
            `JSON that is not a chat completion (no choices): ${snippet(JSON.stringify(completion))}`,
          );
        } else if (v.fault === "length") {
          if (!roomRaised) {
            // Once, at once: the same request with room for twice what came back (at least 4,096 tokens).
            roomRaised = true;
            this.lengthRetries++;
            const before = send[this.tokenField] ?? 0;
            const room = Math.min(32_768, Math.max(4096, 2 * count(completion.usage?.completion_tokens), 2 * before));
            send = { ...send, [this.tokenField]: room };
            delay = 0;
          } else lastError = `${v.error}, even with ${this.tokenField} ${send[this.tokenField]}`;
        } else if (v.fault === "not-json") {
          this.unfixableFailure(
            "not-json",
            `answers without a JSON object (${v.error.replace(/^no JSON object in the answer: /, "")})`,
          );
          delay = this.backoff(attempt);
        } else if (v.fault === "refusal" || v.fault === "content-filter") {
          // A judge error with its reason: the same request would be refused again.
        } else delay = this.backoff(attempt);
      } catch (err) {
        if (this.signal.aborted) throw this.aborted(err);
        if (err instanceof OpenAI.APIUserAbortError) throw err;
        this.usage = addUsage(this.usage, { ...ZERO_USAGE, calls: 1 });
        spent = addUsage(spent, { ...ZERO_USAGE, calls: 1 });
        lastError = describe(err);
        const kind = unfixable(err);
        if (kind) {
          const what =
            kind === "timeout"
              ? `no answer within ${this.o.timeoutMs / 1000} s`
              : kind === "connection"
                ? `no connection (${causeCode(err) ?? (err as Error).message})`
                : kind === "not-json-body"
                  ? `a body that is not JSON under a JSON content type (${(err as Error).message.slice(0, 100)})`
                  : `status ${(err as InstanceType<typeof OpenAI.APIError>).status}, ${snippet(String((err as { error?: { message?: unknown } }).error?.message ?? (err as Error).message))}`;
          this.unfixableFailure(kind, what);
          if (this.fatal) throw this.fatal;
        }
        if (!isRetryable(err)) break;
        const ra = retryAfterMs(err instanceof OpenAI.APIError ? (err.headers as Headers | undefined) : undefined);
        if (ra !== undefined) {
          delay = Math.min(ra, this.o.maxRetryAfterMs);
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
        } else delay = this.backoff(attempt);
      }
      if (this.fatal) throw this.fatal;
      if (delay === undefined) break;
      if (attempt < this.o.maxRetries && delay > 0)
        await sleep(delay, this.signal).catch((e) => Promise.reject(this.aborted(e)));
    }
    return { ok: false, error: lastError, budget: false, hash, callUsage: spent };
  }
}
