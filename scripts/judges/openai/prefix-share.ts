// How much of the analysis prompts a prompt cache can serve: the share of prompt characters that
// lie in a prefix shared with another request. OpenAI's prompt caching and vLLM's automatic prefix
// caching both reuse the longest prefix a request shares with one seen before, so this is the
// upper bound of what they can serve when every request meets a warm cache (OpenAI also caches only
// prompts of 1,024 tokens or more, in 128-token steps, which this character count ignores).
//
// The requests are the ones the judge would send (identical requests count once: the judge sends
// them once, see caller.ts). For each, the longest prefix it shares with ANY other is found by
// sorting: in sorted order, a string's longest common prefix with any other is the longer of those
// with its two neighbours.
import type { FailureContext } from "../types.ts";
import { analyseMessages, type ChatMessage } from "./prompts.ts";

export interface PrefixShare {
  /** Distinct requests. */
  requests: number;
  /** Prompt characters of those requests. */
  chars: number;
  /** Of those, the characters in a prefix shared with another request. */
  shared_chars: number;
  /** shared_chars / chars (0 when there is no request), rounded to 4 decimals. */
  share: number;
}

/** The text a chat template renders a request's messages into, up to role markers: in message order. */
export function promptText(messages: ChatMessage[]): string {
  return messages.map((m) => `${m.role}\n${m.content}`).join("\n");
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** The share of characters of `prompts` (deduplicated) that lie in a prefix shared with another. */
export function sharedPrefixShare(prompts: Iterable<string>): PrefixShare {
  const sorted = [...new Set(prompts)].sort();
  let chars = 0;
  let shared = 0;
  let prev = 0; // common prefix with the previous string
  for (let i = 0; i < sorted.length; i++) {
    const next = i + 1 < sorted.length ? commonPrefix(sorted[i]!, sorted[i + 1]!) : 0;
    chars += sorted[i]!.length;
    shared += Math.max(prev, next);
    prev = next;
  }
  return {
    requests: sorted.length,
    chars,
    shared_chars: shared,
    share: chars ? Math.round((shared / chars) * 1e4) / 1e4 : 0,
  };
}

/** The share for the analysis requests of these failures (their messages, as analyseMessages builds them). */
export function analysisPrefixShare(contexts: FailureContext[]): PrefixShare {
  return sharedPrefixShare(contexts.map((c) => promptText(analyseMessages(c))));
}
