// Facts about a failure that every rule reads, computed once per record: the output as the rules
// read it (an echoed prompt taken off), the kind of answer the item wants, the answer given, and
// both in canonical form.
import { answerKind, canonical, recordAnswer, type AnswerKind, type FoundAnswer } from "../../lib/consensus.ts";
import type { EvalRecord } from "../../../src/lib/schemas.ts";
import type { FailureContext } from "../types.ts";
import { findEcho, type Echo } from "./text.ts";

export interface Facts {
  /**
   * The record as the rules read it: its output without an echoed prompt or request at the start
   * (the model's own text is what follows the echo). The record itself when there is no echo.
   */
  rec: EvalRecord;
  /** The echo the output begins with, if any. */
  echo: Echo | null;
  kind: AnswerKind;
  answer: FoundAnswer | null;
  answerCanon: string | null;
  refCanon: string | null;
  /** The prompt asked for a JSON object with an "answer" field (ZeroEval style). */
  wantsJson: boolean;
}

const factsCache = new WeakMap<EvalRecord, Facts>();

export function facts(ctx: FailureContext): Facts {
  const original = ctx.record;
  let f = factsCache.get(original);
  if (f) return f;
  const echo = findEcho(original.output, original.input);
  const r = echo ? { ...original, output: original.output.slice(echo.text.length) } : original;
  const kind: AnswerKind = ctx.dataset.task_type === "open_ended" ? "open" : answerKind(original);
  const answer = kind === "open" ? null : recordAnswer(r);
  f = {
    rec: r,
    echo,
    kind,
    answer,
    answerCanon: answer ? canonical(answer.raw, kind) : null,
    refCanon: canonical(r.reference, kind),
    wantsJson: !!r.prompt && /json/i.test(r.prompt) && /["`]answer["`]/.test(r.prompt),
  };
  factsCache.set(original, f);
  return f;
}

/** The reference as a reader sees it: without the "# " GSM8K's answers start with. */
export function shownReference(ctx: FailureContext): string {
  return ctx.record.reference.trim().replace(/^#\s*/, "");
}
