// The openai judge's defaults, in a module with no imports so the CLI's help can quote them
// without loading the OpenAI client.

/** The judge model when none is named (the CLI's --judge-model). */
export const DEFAULT_JUDGE_MODEL = "gpt-4o-mini";
/** Per-request timeout (the CLI's --timeout, in seconds there). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Requests in flight at most (the CLI's --concurrency). */
export const DEFAULT_CONCURRENCY = 16;

/**
 * How the judge asks for JSON (the CLI's --response-format):
 * - json_schema: OpenAI structured outputs (`response_format: {type: "json_schema", strict: true}`);
 * - json_object: JSON mode (`{type: "json_object"}`), the schema written into the system prompt;
 * - text: no response_format at all, the schema written into the system prompt.
 * Whatever the format, the answer is read tolerantly (fences, prose, reasoning) and validated.
 */
export const RESPONSE_FORMATS = ["json_schema", "json_object", "text"] as const;
export type ResponseFormatMode = (typeof RESPONSE_FORMATS)[number];

/** Requests in flight before the endpoint has given one good answer (slow start; see caller.ts). */
export const PROBE_CONCURRENCY = 4;
/** Identical failures that retrying cannot fix, before any good answer, that stop a run. */
export const FAIL_FAST_AFTER = 4;
