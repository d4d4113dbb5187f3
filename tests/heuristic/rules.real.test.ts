// Each rule on named real failures it must explain, cases where it must stay silent, and its rate
// on real correct outputs of TheoremQA: the real-data layer (README "Set-up"). The same behaviours on
// generated failures (each planted for one rule: tests/import/demo.test.ts) and on hand-written
// texts are rules.test.ts.
import { describe, expect, it } from "vitest";
import { HEURISTIC_TAXONOMY, judgeHeuristic, RULES } from "../../scripts/judges/heuristic/index.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { ALL_DATASETS, contextsOf, type DatasetName } from "./context.ts";

function failure(name: DatasetName, model: string, instance: string): FailureContext {
  const ctx = contextsOf(name).failures.find((c) => c.record.model === model && c.record.instance_id === instance);
  if (!ctx) throw new Error(`no failure ${name} ${model} ${instance}`);
  return ctx;
}

const rule = (id: string) => RULES.find((r) => r.id === id)!;

describe("rules on real failures", () => {
  it.each([
    ["alpaca_eval", "text-davinci-003", "alpaca_eval/2531cf7a23f1", "empty-output"],
    ["theoremqa", "text-davinci-002", "theoremqa/elainewan/econ_micro_4.json", "empty-output"],
    ["theoremqa", "claude-2", "theoremqa/mingyin/martingale2.json", "equivalent-answer"],
    ["theoremqa", "gpt-3-5-turbo-api-run-2023-05-13", "theoremqa/tonyxia/modulararithmetic1.json", "equivalent-answer"],
    ["mmlu_pro", "deepseek-chat-v2-may-2024", "mmlu_pro/8713", "equivalent-answer"],
    ["mmlu_pro", "gpt-4o-2024-05-13", "mmlu_pro/8070", "equivalent-answer"],
    ["math_l5", "meta-llama-3-1-70b-instruct", "math_l5/122", "right-answer-wrong-form"],
    ["math_l5", "meta-llama-3-1-70b-instruct", "math_l5/169", "right-answer-wrong-form"],
    ["gsm8k", "phi-3-5-mini-instruct", "gsm8k/gsm8k-main-test-#57", "right-answer-wrong-form"],
    ["alpaca_eval", "claude-2", "alpaca_eval/2c88613b94aa", "refusal"],
    ["alpaca_eval", "qwen-14b-chat", "alpaca_eval/3b871342a191", "refusal"],
    ["gsm8k", "meta-llama-3-1-8b-instruct", "gsm8k/gsm8k-main-test-#979", "degenerate-repetition"],
    ["theoremqa", "pythia-variant-unstated", "theoremqa/jianyu_xu/Catalan_1.json", "degenerate-repetition"],
    ["alpaca_eval", "falcon-40b-instruct", "alpaca_eval/2112db96887a", "degenerate-repetition"],
    ["mmlu_pro", "qwen1-5-72b-chat", "mmlu_pro/7877", "truncated"],
    ["math_l5", "meta-llama-3-1-70b-instruct", "math_l5/93", "truncated"],
    ["math_l5", "gemma-2-9b-it", "math_l5/17", "no-final-answer"],
    ["theoremqa", "gpt-4-api-run-2023-06-15", "theoremqa/panlu/force_and_power1.json", "numeric-near-miss"],
    ["mmlu_pro", "qwen1-5-72b-chat", "mmlu_pro/1185", "wrong-language"],
    ["mmlu_pro", "gemini-1-5-flash-002", "mmlu_pro/10201", "output-not-published"],
    ["alpaca_eval", "alpaca-7b", "alpaca_eval/3b850a701e24", "far-too-short"],
  ] as const)("%s %s %s: %s", (name, model, instance, id) => {
    const ctx = failure(name, model, instance);
    expect(rule(id).fn(ctx)).not.toBeNull();
    const verdict = judgeHeuristic(ctx);
    expect(verdict.rule).toBe(id);
    expect(verdict.category).toBe(rule(id).category);
    expect(verdict.summary.length).toBeGreaterThan(20);
  });

  it("does not call the GSM8K item with the wrong reference (14) noise: no rule reads the consensus", () => {
    // Disputed items are settled by a person's review (scripts/pipeline/finalise.ts), never by a rule.
    const fails = contextsOf("gsm8k").failures.filter((c) => c.record.instance_id === "gsm8k/gsm8k-main-test-#823");
    expect(fails).toHaveLength(10);
    for (const c of fails)
      expect(HEURISTIC_TAXONOMY.categories.find((k) => k.id === judgeHeuristic(c).category)!.facet).not.toBe("noise");
  });

  it("explains BBQ's one-word 'The' outputs as no extractable answer", () => {
    const fails = contextsOf("bbq").failures.filter((c) => c.record.output.trim() === "The");
    expect(fails.length).toBeGreaterThan(70);
    for (const c of fails) expect(judgeHeuristic(c).rule).toBe("no-final-answer");
  });

  it.each([
    // "the answer is 20 + 20 + 20 + 25 = 85" concludes 85, not 20; "answer is 6 * 10 + ..." concludes nothing.
    ["theoremqa", "gpt-3-5-turbo-api-run-2023-05-13", "theoremqa/tonyxia/divisibility5.json", "abandoned-right-answer"],
    ["theoremqa", "gpt-4-api-run-2023-06-15", "theoremqa/jianyu_xu/Multinomial_5.json", "abandoned-right-answer"],
    // The final \boxed{(d) \ 3} holds the reference 3: nothing was abandoned.
    ["theoremqa", "gpt-3-5-turbo-api-run-2023-05-13", "theoremqa/tonyxia/divisibility3.json", "abandoned-right-answer"],
    // Integer answers off by a few are other counts, not rounding: 1161 against 1160, 1100 against 1093.
    ["math_l5", "gemini-1-5-flash", "math_l5/146", "numeric-near-miss"],
    ["math_l5", "gemini-1-5-flash", "math_l5/193", "numeric-near-miss"],
    ["math_l5", "claude-3-haiku-20240307", "math_l5/580", "numeric-near-miss"],
    ["theoremqa", "claude-2", "theoremqa/maxku/ipnetwork6-mac.json", "numeric-near-miss"],
    // 5.01 against 5: the reference shows one significant digit, too few to call it rounding.
    ["gsm8k", "meta-llama-3-1-8b-instruct", "gsm8k/gsm8k-main-test-#272", "numeric-near-miss"],
    // The answer stated just before the cut ("approximately 3,000 balloons. However,").
    ["alpaca_eval", "vicuna-13b-v1-5", "alpaca_eval/1a56a63df946", "truncated"],
    // The reference itself says the question makes no sense: saying so is no refusal.
    ["alpaca_eval", "claude-instant-1-2", "alpaca_eval/1c268632aaf5", "refusal"],
    ["alpaca_eval", "claude-2", "alpaca_eval/1c268632aaf5", "refusal"],
    // "The answer is (D)" then "The answer is (B)": the output contradicts itself, the grader is not at fault.
    ["mmlu_pro", "qwen1-5-72b-chat", "mmlu_pro/3972", "equivalent-answer"],
    // Answers stated in prose, and an explicit "undefined", are answers.
    ["theoremqa", "claude-instant-v1", "theoremqa/maxku/ipnetwork8-lan.json", "no-final-answer"],
    ["math_l5", "gemini-1-5-pro", "math_l5/43", "no-final-answer"],
    // "Option D, ..." names an option.
    ["mmlu_pro", "mistral-7b-instruct-v0-2", "mmlu_pro/4900", "no-final-answer"],
    // A table whose rows repeat, and a list whose items share an ending, are not loops.
    ["alpaca_eval", "gemma-7b-it", "alpaca_eval/287bc358cb41", "degenerate-repetition"],
    ["alpaca_eval", "qwen-14b-chat", "alpaca_eval/17b340feedbe", "degenerate-repetition"],
  ] as const)("does not fire on %s %s %s: %s", (name, model, instance, id) => {
    expect(rule(id).fn(failure(name, model, instance))).toBeNull();
  });

  it("reads the rules' facts after an echoed prompt template, and names the echo only when nothing else explains the failure", () => {
    const echoed = contextsOf("theoremqa").failures.filter((c) => /^\s*Below is an instruction/.test(c.record.output));
    expect(echoed.length).toBeGreaterThan(300);
    const verdicts = echoed.map(judgeHeuristic);
    expect(verdicts.filter((v) => v.rule === "echoed-prompt").length).toBeGreaterThan(250);
    for (const v of verdicts.filter((x) => x.rule === "echoed-prompt"))
      expect(v.summary).toMatch(/repeating the prompt template/);
    // Evidence after the echo is the model's own text, never the template.
    for (const v of verdicts.filter((x) => x.rule !== "echoed-prompt"))
      for (const e of v.evidence) expect(e).not.toMatch(/^Below is an instruction/);
  });

  it("calls every unpublished gemini-002 MMLU-Pro output 'not published', never 'empty'", () => {
    const silent = contextsOf("mmlu_pro").failures.filter((c) => !c.record.output.trim());
    expect(silent.length).toBeGreaterThan(130);
    for (const c of silent) {
      expect(c.record.model).toMatch(/002$/);
      expect(judgeHeuristic(c).rule).toBe("output-not-published");
    }
  });

  it("shows GSM8K references without the source's '# ', and quotes evidence from a word", () => {
    const all = ALL_DATASETS.flatMap((d) => contextsOf(d).failures.map(judgeHeuristic));
    for (const v of all) expect(v.summary).not.toMatch(/reference "?# /);
    for (const v of all) for (const e of v.evidence) if (e.startsWith("…")) expect(e).toMatch(/^…(?:\S{0,29}$|[\s\S])/);
  });

  it("says what an unexplained failure is, by kind", () => {
    const open = contextsOf("alpaca_eval")
      .failures.map(judgeHeuristic)
      .filter((v) => v.rule === "unexplained");
    for (const v of open) expect(v.summary).toMatch(/open-ended output/);
    const exact = contextsOf("gsm8k")
      .failures.map(judgeHeuristic)
      .filter((v) => v.rule === "unexplained");
    expect(exact.some((v) => /final answer .* differs from the reference/.test(v.summary))).toBe(true);
    for (const v of exact) expect(v.summary).not.toMatch(/well-formed/);
  });

  it("does not call an output empty when the source published only the extracted answer", () => {
    const silent = contextsOf("mmlu_pro").failures.filter((c) => !c.record.output.trim() && c.record.extracted);
    expect(silent.length).toBeGreaterThan(100);
    for (const c of silent) expect(rule("empty-output").fn(c)).toBeNull();
  });

  it("finds nearly all real refusals only on the open-ended data", () => {
    const refusals = ALL_DATASETS.map(
      (d) => contextsOf(d).failures.filter((c) => judgeHeuristic(c).rule === "refusal").length,
    );
    expect(refusals[ALL_DATASETS.indexOf("alpaca_eval")]).toBeGreaterThan(15);
    expect(refusals.reduce((a, b) => a + b, 0)).toBe(refusals[ALL_DATASETS.indexOf("alpaca_eval")]);
  });
});

describe("rules on real correct TheoremQA outputs", () => {
  it("calls correct TheoremQA outputs answerless only where its scorer's fallback 0 happened to match", () => {
    // TheoremQA's scorer answers 0 when it finds nothing; 0 is also False, so some outputs that
    // state no answer were marked correct by luck. Those are the only ones the rule flags.
    const { corrects } = contextsOf("theoremqa");
    const hits = corrects.filter((c) => rule("no-final-answer").fn(c));
    expect(hits.length).toBeGreaterThan(0);
    for (const c of hits) {
      expect(c.record.extracted).toBe("0");
      expect(c.record.output.slice(-300)).not.toMatch(/\b(?:false|no|not)\b/i);
    }
  });

  it("on TheoremQA, near misses among correct outputs are ones its grader's tolerance accepted", () => {
    const { corrects } = contextsOf("theoremqa");
    const hits = corrects.filter((c) => rule("numeric-near-miss").fn(c));
    for (const c of hits) expect(c.record.extracted).not.toBe(c.record.reference);
    expect(hits.length / corrects.length).toBeLessThan(0.15);
  });
});
