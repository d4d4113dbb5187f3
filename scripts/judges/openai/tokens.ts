// Token counts of judge requests, for `errormap run --estimate` (scripts/pipeline/estimate.ts).
//
// Counted with gpt-tokenizer (4.0.0, pinned): a pure-JavaScript port of OpenAI's tiktoken whose
// encodings ship inside the package (nothing is downloaded at run time), exact for OpenAI's models
// and among the fastest in JavaScript (~7 million characters a second here). OpenAI's models since
// gpt-4o use o200k_base; gpt-4, gpt-4-turbo and gpt-3.5-turbo use cl100k_base. Other models (Llama,
// Qwen, Mistral... on vLLM, Ollama or llama.cpp) have tokenizers of their own: o200k_base is then
// an approximation (on English text such tokenizers differ from it by roughly a tenth).
//
// A chat request costs, per OpenAI's cookbook ("How to count tokens with tiktoken"), 3 tokens per
// message plus its role and content, and 3 to prime the reply. A json_schema response_format is
// also billed as prompt: OpenAI does not say how it is rendered, so its schema's JSON is counted as
// text (an approximation; the json_object and text formats put the schema into the system message,
// where it is counted exactly).
import type { ChatBody } from "./caller.ts";

export type Encoding = "o200k_base" | "cl100k_base";

interface Counter {
  countTokens(text: string, opts?: { disallowedSpecial?: Set<string> }): number;
}

const loaded = new Map<Encoding, Counter>();

/** The encoding of a model name (provider prefixes and dated snapshots allowed). */
export function encodingFor(model: string): Encoding {
  const name = model.toLowerCase().split("/").pop()!;
  return /^(gpt-4(-\d|-turbo|-32k)?($|-)|gpt-3\.5)/.test(name) && !/^gpt-4(o|\.)/.test(name)
    ? "cl100k_base"
    : "o200k_base";
}

/** Loads an encoding once (a few hundred milliseconds: its ranks are a large module). */
export async function loadEncoding(enc: Encoding): Promise<Counter> {
  let c = loaded.get(enc);
  if (!c) {
    c = (
      enc === "cl100k_base"
        ? await import("gpt-tokenizer/encoding/cl100k_base")
        : await import("gpt-tokenizer/encoding/o200k_base")
    ) as Counter;
    loaded.set(enc, c);
  }
  return c;
}

// Outputs under analysis may hold "<|endoftext|>" and the like: text here, never a special token
// (the library refuses them by default).
const AS_TEXT = { disallowedSpecial: new Set<string>() };

export class TokenCounter {
  readonly encoding: Encoding;
  private c: Counter;
  /** Counts of texts every request of a kind repeats (system prompts, schemas). */
  private memo = new Map<string, number>();
  private constructor(encoding: Encoding, c: Counter) {
    this.encoding = encoding;
    this.c = c;
  }
  static async forModel(model: string): Promise<TokenCounter> {
    const enc = encodingFor(model);
    return new TokenCounter(enc, await loadEncoding(enc));
  }
  text(s: string): number {
    return s ? this.c.countTokens(s, AS_TEXT) : 0;
  }
  private repeated(s: string): number {
    let n = this.memo.get(s);
    if (n === undefined) this.memo.set(s, (n = this.text(s)));
    return n;
  }
  /** Prompt tokens of a chat request: messages (cookbook formula) and a json_schema response_format. */
  prompt(body: Pick<ChatBody, "messages" | "response_format">): number {
    let n = 3;
    for (const m of body.messages)
      n += 3 + this.repeated(m.role) + (m.role === "system" ? this.repeated(m.content) : this.text(m.content));
    const rf = body.response_format;
    if (rf?.type === "json_schema") n += this.repeated(JSON.stringify(rf.json_schema.schema));
    return n;
  }
}
