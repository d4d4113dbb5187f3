// A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI protocol for the openai judge:
// POST /v1/chat/completions (structured outputs), /v1/files (multipart upload, content) and
// /v1/batches (create, retrieve). It plays a deterministic judge: every answer is computed from
// the request (a title from the record's text; categories from the titles' skills; a class from
// a title's skill), so the whole pipeline can run against it. Faults are injected on demand, and
// every request is recorded so tests can count calls and read bodies.
//
// The faults include what real servers send: answers in a ```json fence, after a sentence, after
// a reasoning preamble or beside a `reasoning_content`; an HTML page with status 200; JSON without
// choices; 401/403/404; answers cut short (finish_reason length) unless max_tokens leaves room;
// refusals and content filters; a server that never answers. The kind of request (error_analysis,
// taxonomy, classification) is read from response_format, or from the prompt's "TASK:" line when
// the judge asks without json_schema (--response-format json_object or text).
//
// Usage is counted as OpenAI counts it, so token estimates can be checked against it: prompt
// tokens are the messages rendered in OpenAI's chat format and tokenized with o200k_base (gpt-4o's
// encoding, through gpt-tokenizer's encodeChat) plus the json_schema response_format's schema
// (OpenAI bills it as prompt; how it renders it is not published, so its JSON is tokenized as
// text), completion tokens are the answer's. With `promptCache`, it also plays OpenAI's prompt
// caching: a prompt of at least 1,024 tokens reports as `prompt_tokens_details.cached_tokens` the
// longest prefix, in whole 128-token blocks, that it shares with a request seen before.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { countTokens, encode, encodeChat } from "gpt-tokenizer/encoding/o200k_base";
import { fakeAnswer, schemaNameOf, skillOf } from "../../scripts/bench/fake-answers.ts";

export type Fault =
  | { kind: "429"; retryAfter?: string; retryAfterMs?: number }
  | { kind: "status"; status: number }
  | { kind: "slow"; ms: number }
  | { kind: "truncated" } // half the JSON, finish_reason "length"
  | { kind: "malformed" } // half the JSON, finish_reason "stop"
  | { kind: "invalid" } // valid JSON that breaks the schema
  | { kind: "drop" } // connection closed without an answer
  | { kind: "fenced" } // the JSON in a ```json fence
  | { kind: "prose" } // a sentence, then the JSON, then another sentence
  | { kind: "think" } // a <think> preamble (with braces in it) before the JSON
  | { kind: "reasoning_content" } // the JSON as content, a decoy JSON in message.reasoning_content
  | { kind: "reasoning_only" } // no content; the JSON only in message.reasoning_content
  | { kind: "no_json" } // prose without any JSON object
  | { kind: "html" } // an HTML page with status 200
  | { kind: "no_choices" } // JSON with an empty choices list
  | { kind: "length" } // cut short (finish_reason length) unless max_tokens / max_completion_tokens leaves room
  | { kind: "refusal" } // message.refusal
  | { kind: "content_filter" } // finish_reason content_filter, no content
  | { kind: "hang" } // never answers (until the server closes)
  | { kind: "gate"; until: Promise<unknown> } // held until the promise settles, then answered normally
  | { kind: "content"; content: (json: string) => string; finish?: string }; // any content

export interface FaultContext {
  /** Index of this chat request among all chat requests (0-based). */
  seq: number;
  /** How many times this exact body (its token limit aside) was seen before this request. */
  seen: number;
  /** The kind of request: error_analysis, taxonomy or classification (see schemaNameOf). */
  schema: string;
  body: ChatRequestBody;
}
export type FaultPlan = (ctx: FaultContext) => Fault | undefined;

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema?: Record<string, any> } };
  [k: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Parsed JSON body, or the raw text for other bodies. */
  body: any;
  /** The fault injected into it, if any. */
  fault?: Fault["kind"];
  /** When it arrived, in ms since the server started (performance clock). */
  at: number;
}

export interface ChatServerOptions {
  /** Replaces the computed answer for a request when it returns a value. */
  answer?: (schema: string, body: ChatRequestBody) => unknown | undefined;
  faults?: FaultPlan;
  /** Retrieves of a batch that report in_progress before it completes (default 1). */
  batchPolls?: number;
  /** Whether the generate step adds rule-breaking categories (a Misc bucket, a long name), default true. */
  messy?: boolean;
  /**
   * Plays a provider's prompt cache (off by default: which request comes first, and so what is
   * cached, depends on timing): prompts of at least `minTokens` (default 1,024) report the longest
   * prefix shared with an earlier request, in `block`-token steps (default 128), as cached tokens.
   */
  promptCache?: boolean | { minTokens?: number; block?: number };
}

export interface ChatServer {
  url: string;
  requests: RecordedRequest[];
  chatRequests(schema?: string): ChatRequestBody[];
  setFaults(plan: FaultPlan | undefined): void;
  /** Holds every batch in_progress (to kill a run while it polls) until set to false. */
  holdBatches(hold: boolean): void;
  /** Batches end "expired" with only the first half of their lines answered, until set to false. */
  expireBatches(expire: boolean): void;
  /** Most chat requests in flight at once. */
  maxInFlight(): number;
  /** Usage the server reported, summed over every chat completion it answered (batch lines included). */
  usage(): { prompt_tokens: number; completion_tokens: number; cached_tokens: number; completions: number };
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The deterministic "model": scripts/bench/fake-answers.ts (shared with the bench's fake judge)

export { schemaNameOf, skillOf };

/** The answer this server gives to a chat request, before faults. */
export function answerFor(body: ChatRequestBody, opts: ChatServerOptions = {}): unknown {
  const schema = schemaNameOf(body);
  const custom = opts.answer?.(schema, body);
  if (custom !== undefined) return custom;
  return fakeAnswer(body, { messy: opts.messy ?? true });
}

// Text, never special tokens: outputs under analysis may hold "<|endoftext|>".
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** The prompt's tokens as OpenAI bills them: the response_format's schema, then the chat. */
export function promptTokenIds(body: ChatRequestBody): number[] {
  const schema = body.response_format?.type === "json_schema" ? body.response_format.json_schema?.schema : undefined;
  const chat = encodeChat(
    body.messages.map((m) => ({ role: m.role as "system" | "user" | "assistant", content: m.content })),
    "gpt-4o",
    AS_TEXT,
  );
  return schema ? [...encode(JSON.stringify(schema), AS_TEXT), ...chat] : chat;
}

/** Completion tokens of an answer. */
export const completionTokens = (text: string) => (text ? countTokens(text, AS_TEXT) : 0);

export type Usage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
};

function completion(
  body: ChatRequestBody,
  content: string | null,
  finish: string,
  seq: number,
  usage: Usage,
  extra: Record<string, unknown> = {},
) {
  return {
    id: `chatcmpl-${seq}`,
    object: "chat.completion",
    created: 0,
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null, ...extra },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    usage,
  };
}

/** Tokens this server counts for a text (4 characters a token). */
export const tokensOf = (text: string) => Math.ceil(text.length / 4);

/** The body without its token limit: a retry with more room is "the same request" for `seen`. */
function sameRequest(body: ChatRequestBody): string {
  const { max_tokens: _a, max_completion_tokens: _b, ...rest } = body;
  return JSON.stringify(rest);
}

export const HTML_PAGE =
  "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed.</p></body></html>\n";

// ---------------------------------------------------------------------------------------------
// The server

export async function startChatServer(opts: ChatServerOptions = {}): Promise<ChatServer> {
  const requests: RecordedRequest[] = [];
  const started = performance.now();
  const seenBodies = new Map<string, number>();
  const files = new Map<string, { id: string; filename: string; purpose: string; content: string }>();
  const batches = new Map<string, { obj: Record<string, any>; polls: number }>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let faults = opts.faults;
  let hold = false;
  let expire = false;
  let chatSeq = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const totals = { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, completions: 0 };
  const cache = opts.promptCache
    ? { minTokens: 1024, block: 128, ...(typeof opts.promptCache === "object" ? opts.promptCache : {}) }
    : undefined;
  const cachedBlocks = new Set<string>(); // hash chains of the prompt prefixes seen, block by block

  /** The usage of one answer: prompt tokens (cached ones with promptCache) and completion tokens. */
  const usageFor = (body: ChatRequestBody, content: string | null, extra: Record<string, unknown> = {}): Usage => {
    const ids = promptTokenIds(body);
    let cached = 0;
    if (cache && ids.length >= cache.minTokens) {
      let chain = "";
      for (let k = 1; k * cache.block <= ids.length; k++) {
        chain = createHash("sha256")
          .update(`${chain}|${ids.slice((k - 1) * cache.block, k * cache.block).join(",")}`)
          .digest("hex");
        // Chained hashes: block k is found only if every block before it was, so hits are a prefix.
        if (cachedBlocks.has(chain)) cached = k * cache.block;
        else cachedBlocks.add(chain);
      }
      if (cached < cache.minTokens) cached = 0;
    }
    const done = completionTokens(content ?? "") + completionTokens(String(extra.reasoning_content ?? ""));
    totals.prompt_tokens += ids.length;
    totals.completion_tokens += done;
    totals.cached_tokens += cached;
    totals.completions++;
    return {
      prompt_tokens: ids.length,
      completion_tokens: done,
      total_tokens: ids.length + done,
      ...(cache ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    };
  };

  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(value));
  };
  const apiError = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    json(res, status, { error: { message, type: "server_error", code: null, param: null } }, headers);

  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function chat(req: IncomingMessage, res: ServerResponse, body: ChatRequestBody, rec: RecordedRequest) {
    const seq = chatSeq++;
    const text = sameRequest(body);
    const seen = seenBodies.get(text) ?? 0;
    seenBodies.set(text, seen + 1);
    const schema = schemaNameOf(body);
    const fault = faults?.({ seq, seen, schema, body });
    if (fault) rec.fault = fault.kind;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (fault?.kind === "429") {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
        if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
        return apiError(res, 429, "rate limited", headers);
      }
      if (fault?.kind === "status") return apiError(res, fault.status, `injected failure ${fault.status}`);
      if (fault?.kind === "drop") return void req.socket.destroy();
      if (fault?.kind === "hang") return void (await new Promise<void>((resolve) => res.on("close", resolve)));
      if (fault?.kind === "gate") await fault.until.catch(() => {});
      if (fault?.kind === "html") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return void res.end(HTML_PAGE);
      }
      if (fault?.kind === "no_choices")
        return json(res, 200, {
          id: `chatcmpl-${seq}`,
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [],
        });
      if (fault?.kind === "slow") await later(fault.ms);
      const content = JSON.stringify(answerFor(body, opts));
      const answer = (c: string | null, finish = "stop", extra: Record<string, unknown> = {}) =>
        json(res, 200, completion(body, c, finish, seq, usageFor(body, c, extra), extra));
      switch (fault?.kind) {
        case "fenced":
          return answer(`\`\`\`json\n${JSON.stringify(JSON.parse(content), null, 2)}\n\`\`\``);
        case "prose":
          return answer(
            `Here is my analysis of the failure, as JSON:\n\n${content}\n\nLet me know if you need anything else.`,
          );
        case "think":
          return answer(
            `<think>\nThe reference says {42} and the output {"title": "a draft"}; let me check the criteria first.\n</think>\n\n${content}`,
          );
        case "reasoning_content":
          return answer(content, "stop", {
            reasoning_content: 'Thinking. A first idea: {"title": "not the answer", "summary": "decoy"}',
          });
        case "reasoning_only":
          return answer("", "stop", { reasoning_content: content });
        case "no_json":
          return answer("The output misread the question, so the final answer is wrong.");
        case "refusal":
          return json(res, 200, {
            ...completion(body, null, "stop", seq, usageFor(body, null)),
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: null, refusal: "I'm sorry, I can't help with that request." },
                finish_reason: "stop",
                logprobs: null,
              },
            ],
          });
        case "content_filter":
          return answer(null, "content_filter");
        case "length": {
          const room = Number(body.max_tokens ?? body.max_completion_tokens ?? 0);
          if (room >= tokensOf(content)) return answer(content);
          const cut = room > 0 ? room * 4 : Math.floor(content.length / 2);
          return answer(content.slice(0, cut), "length");
        }
        case "content":
          return answer(fault.content(content), fault.finish ?? "stop");
      }
      if (fault?.kind === "truncated" || fault?.kind === "malformed")
        return answer(content.slice(0, Math.floor(content.length / 2)), fault.kind === "truncated" ? "length" : "stop");
      if (fault?.kind === "invalid")
        return answer(JSON.stringify({ title: 42, categories: "none", assignments: null }));
      return answer(content);
    } finally {
      inFlight--;
    }
  }

  async function upload(req: IncomingMessage, res: ServerResponse, raw: Buffer, rec: RecordedRequest) {
    const form = await new Response(new Uint8Array(raw), {
      headers: { "content-type": req.headers["content-type"] ?? "" },
    }).formData();
    const file = form.get("file");
    if (!(file instanceof Blob)) return apiError(res, 400, "no file");
    const id = `file-${files.size + 1}`;
    const entry = {
      id,
      filename: (file as File).name ?? "upload.jsonl",
      purpose: String(form.get("purpose")),
      content: await file.text(),
    };
    files.set(id, entry);
    rec.body = {
      purpose: entry.purpose,
      filename: entry.filename,
      lines: entry.content.split("\n").filter(Boolean).length,
      content: entry.content,
    };
    json(res, 200, fileObject(entry));
  }

  const fileObject = (f: { id: string; filename: string; purpose: string; content: string }) => ({
    id: f.id,
    object: "file",
    bytes: Buffer.byteLength(f.content),
    created_at: 0,
    filename: f.filename,
    purpose: f.purpose,
    status: "processed",
  });

  function runBatch(b: { obj: Record<string, any> }) {
    const input = files.get(b.obj.input_file_id)!;
    const out: string[] = [];
    let i = 0;
    const all = input.content.split("\n").filter(Boolean);
    for (const line of expire ? all.slice(0, Math.floor(all.length / 2)) : all) {
      const r = JSON.parse(line) as { custom_id: string; body: ChatRequestBody };
      const seq = chatSeq++;
      const fault = faults?.({ seq, seen: 0, schema: schemaNameOf(r.body), body: r.body });
      let content = JSON.stringify(answerFor(r.body, opts));
      if (fault?.kind === "invalid") content = JSON.stringify({ title: 42 });
      if (fault?.kind === "truncated" || fault?.kind === "malformed") content = content.slice(0, content.length / 2);
      const failed = fault?.kind === "429" || fault?.kind === "status";
      out.push(
        JSON.stringify({
          id: `batch_req_${++i}`,
          custom_id: r.custom_id,
          response: failed
            ? { status_code: 500, request_id: `req_${i}`, body: { error: { message: "injected" } } }
            : {
                status_code: 200,
                request_id: `req_${i}`,
                body: completion(
                  r.body,
                  content,
                  fault?.kind === "truncated" ? "length" : "stop",
                  seq,
                  usageFor(r.body, content),
                ),
              },
          error: null,
        }),
      );
    }
    const id = `file-${files.size + 1}`;
    files.set(id, {
      id,
      filename: `${b.obj.id}_output.jsonl`,
      purpose: "batch_output",
      content: out.join("\n") + "\n",
    });
    Object.assign(b.obj, {
      status: expire ? "expired" : "completed",
      output_file_id: id,
      completed_at: 1,
      request_counts: { total: out.length, completed: out.length, failed: 0 },
    });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) return void req.socket.destroy();
      chunks.push(c);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const path = (req.url ?? "/").split("?")[0]!;
      const isJson = (req.headers["content-type"] ?? "").includes("json");
      let body: any = raw.toString("utf8");
      if (isJson && raw.length) {
        try {
          body = JSON.parse(body);
        } catch {
          return apiError(res, 400, "bad JSON");
        }
      }
      const rec: RecordedRequest = { method: req.method ?? "GET", path, body, at: performance.now() - started };
      requests.push(rec);
      const handle = async () => {
        if (req.method === "POST" && path === "/v1/chat/completions") return chat(req, res, body, rec);
        if (req.method === "POST" && path === "/v1/files") return upload(req, res, raw, rec);
        let m = /^\/v1\/files\/([\w-]+)\/content$/.exec(path);
        if (req.method === "GET" && m) {
          const f = files.get(m[1]!);
          if (!f) return apiError(res, 404, "no such file");
          res.writeHead(200, { "content-type": "application/octet-stream" });
          return void res.end(f.content);
        }
        m = /^\/v1\/files\/([\w-]+)$/.exec(path);
        if (req.method === "GET" && m) {
          const f = files.get(m[1]!);
          return f ? json(res, 200, fileObject(f)) : apiError(res, 404, "no such file");
        }
        if (req.method === "POST" && path === "/v1/batches") {
          if (!files.has(body.input_file_id)) return apiError(res, 400, "no such input file");
          const id = `batch_${batches.size + 1}`;
          const obj = {
            id,
            object: "batch",
            endpoint: body.endpoint,
            input_file_id: body.input_file_id,
            completion_window: body.completion_window,
            status: "validating",
            created_at: 0,
            output_file_id: null,
            error_file_id: null,
            request_counts: { total: 0, completed: 0, failed: 0 },
          };
          batches.set(id, { obj, polls: 0 });
          return json(res, 200, obj);
        }
        m = /^\/v1\/batches\/([\w-]+)$/.exec(path);
        if (req.method === "GET" && m) {
          const b = batches.get(m[1]!);
          if (!b) return apiError(res, 404, "no such batch");
          const ended = b.obj.status === "completed" || b.obj.status === "expired";
          if (!ended && !hold) {
            b.polls++;
            if (b.polls > (opts.batchPolls ?? 1)) runBatch(b);
            else b.obj.status = "in_progress";
          } else if (hold && !ended) b.obj.status = "in_progress";
          return json(res, 200, b.obj);
        }
        apiError(res, 404, `no route ${req.method} ${path}`);
      };
      handle().catch((err) => apiError(res, 500, String(err)));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.maxConnections = 256;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: (schema) =>
      requests
        .filter((r) => r.path === "/v1/chat/completions" && (!schema || schemaNameOf(r.body) === schema))
        .map((r) => r.body as ChatRequestBody),
    setFaults: (plan) => void (faults = plan),
    holdBatches: (h) => void (hold = h),
    expireBatches: (e) => void (expire = e),
    maxInFlight: () => maxInFlight,
    usage: () => ({ ...totals }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
