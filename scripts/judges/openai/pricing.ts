// A small price table (US$ per million tokens, standard tier) to estimate the cost of judge calls.
// Source: OpenAI's API pricing page (platform.openai.com/docs/pricing), input, cached input and
// output columns, as read in 2025-08; not re-checked since (this table is the project's own, so a
// release's cost does not change with a library update; gpt-tokenizer 4.0.0 ships a price catalog
// too, but its figures for these models are wrong, e.g. gpt-4o at $10/$30). Prices change: check
// the page before relying on an estimate. cached_input is the price of prompt tokens served from
// the provider's prompt cache (usage.prompt_tokens_details.cached_tokens); models without it
// (gpt-4-turbo, gpt-3.5-turbo: no prompt caching) bill cached tokens at the input price. Model
// names match by their longest known prefix, so dated snapshots ("gpt-4o-2024-08-06") and provider
// prefixes ("openai/gpt-4o-mini") are found; unknown models (local vLLM / Ollama ones) cost 0. The
// Batch API bills half of every rate (cached tokens included, at half the cached price).
import type { Usage } from "../../../src/lib/schemas.ts";

export interface Price {
  input: number;
  /** Cached prompt tokens; absent: no cached price known (billed at the input price). */
  cached_input?: number;
  output: number;
}

const PRICES: Record<string, Price> = {
  "gpt-5": { input: 1.25, cached_input: 0.125, output: 10 },
  "gpt-5-mini": { input: 0.25, cached_input: 0.025, output: 2 },
  "gpt-5-nano": { input: 0.05, cached_input: 0.005, output: 0.4 },
  "gpt-4.1": { input: 2, cached_input: 0.5, output: 8 },
  "gpt-4.1-mini": { input: 0.4, cached_input: 0.1, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, cached_input: 0.025, output: 0.4 },
  "gpt-4o": { input: 2.5, cached_input: 1.25, output: 10 },
  "gpt-4o-mini": { input: 0.15, cached_input: 0.075, output: 0.6 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o1: { input: 15, cached_input: 7.5, output: 60 },
  o3: { input: 2, cached_input: 0.5, output: 8 },
  "o3-mini": { input: 1.1, cached_input: 0.55, output: 4.4 },
  "o4-mini": { input: 1.1, cached_input: 0.275, output: 4.4 },
};

export function priceOf(model: string): Price | undefined {
  const name = model.toLowerCase().split("/").pop()!;
  let best: string | undefined;
  for (const k of Object.keys(PRICES))
    if ((name === k || name.startsWith(`${k}-`)) && (!best || k.length > best.length)) best = k;
  return best ? PRICES[best] : undefined;
}

/**
 * Estimated cost in US$, rounded to micro-dollars so sums stay stable. `cachedTokens` are the part
 * of `promptTokens` served from the provider's prompt cache, priced at the cached-input rate.
 */
export function costOf(
  model: string,
  promptTokens: number,
  completionTokens: number,
  batch = false,
  cachedTokens = 0,
): number {
  const p = priceOf(model);
  if (!p) return 0;
  const cached = Math.min(Math.max(0, cachedTokens), promptTokens);
  const usd =
    ((promptTokens - cached) * p.input + cached * (p.cached_input ?? p.input) + completionTokens * p.output) / 1e6;
  return Math.round(usd * (batch ? 0.5 : 1) * 1e6) / 1e6;
}

export const ZERO_USAGE: Usage = Object.freeze({ calls: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });

/** The sum of two usages; cached_tokens only when some prompt tokens were served from a cache. */
export function addUsage(a: Usage, b: Usage): Usage {
  const cached = (a.cached_tokens ?? 0) + (b.cached_tokens ?? 0);
  return {
    calls: a.calls + b.calls,
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    cost_usd: Math.round((a.cost_usd + b.cost_usd) * 1e6) / 1e6,
    ...(cached > 0 ? { cached_tokens: cached } : {}),
  };
}
