// A small price table (US$ per million tokens, standard tier, as published by OpenAI) to estimate
// the cost of judge calls. Model names match by their longest known prefix, so dated snapshots
// ("gpt-4o-2024-08-06") and provider prefixes ("openai/gpt-4o-mini") are found; unknown models
// (local vLLM / Ollama ones) cost 0. The Batch API bills half.
import type { Usage } from "../../../src/lib/schemas.ts";

const PRICES: Record<string, { input: number; output: number }> = {
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  o3: { input: 2, output: 8 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
};

export function priceOf(model: string): { input: number; output: number } | undefined {
  const name = model.toLowerCase().split("/").pop()!;
  let best: string | undefined;
  for (const k of Object.keys(PRICES))
    if ((name === k || name.startsWith(`${k}-`)) && (!best || k.length > best.length)) best = k;
  return best ? PRICES[best] : undefined;
}

/** Estimated cost in US$, rounded to micro-dollars so sums stay stable. */
export function costOf(model: string, promptTokens: number, completionTokens: number, batch = false): number {
  const p = priceOf(model);
  if (!p) return 0;
  const usd = (promptTokens * p.input + completionTokens * p.output) / 1e6;
  return Math.round(usd * (batch ? 0.5 : 1) * 1e6) / 1e6;
}

export const ZERO_USAGE: Usage = Object.freeze({ calls: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    calls: a.calls + b.calls,
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    cost_usd: Math.round((a.cost_usd + b.cost_usd) * 1e6) / 1e6,
  };
}
