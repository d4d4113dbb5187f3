// Each rule on real failures it must explain, and run over real correct outputs, where it must
// (almost) never fire. Plus the text checks on hand-written strings.
import { describe, expect, it } from "vitest";
import { HEURISTIC_TAXONOMY, judgeHeuristic, RULES } from "../../scripts/judges/heuristic/index.ts";
import {
  dominantScript,
  endsAbruptly,
  findLoop,
  findRefusal,
  quote,
  tripleLoop,
} from "../../scripts/judges/heuristic/text.ts";
import type { FailureContext } from "../../scripts/judges/types.ts";
import { describeShared, hasEvaldata } from "../helpers/evaldata.ts";
import { ALL_DATASETS, DATASETS, contextsOf, datasetEntry, type DatasetName } from "./context.ts";
import { rng } from "../../scripts/lib/prng.ts";

function failure(name: DatasetName, model: string, instance: string): FailureContext {
  const ctx = contextsOf(name).failures.find((c) => c.record.model === model && c.record.instance_id === instance);
  if (!ctx) throw new Error(`no failure ${name} ${model} ${instance}`);
  return ctx;
}

const rule = (id: string) => RULES.find((r) => r.id === id)!;

/** How often a rule fires on the correct outputs of a dataset. */
function rateOnCorrect(id: string, name: DatasetName): number {
  const { corrects } = contextsOf(name);
  return corrects.filter((c) => rule(id).fn(c) !== null).length / corrects.length;
}

describe("text checks", () => {
  it("quotes short spans", () => {
    expect(quote("a\n\n b  c")).toBe("a b c");
    expect(quote("x".repeat(200), 10)).toBe(`${"x".repeat(9)}…`);
    expect(quote(`${"y".repeat(200)}end`, 10, true)).toBe(`…${"y".repeat(6)}end`);
  });

  it("tells an abrupt ending from a finished one", () => {
    expect(endsAbruptly("The mass is 0.1 mol * 56.1 g/mol + 0.2 mol * 172.2")).toBe(true);
    expect(endsAbruptly('```json\n{\n  "reasoning": "First we add')).toBe(true);
    expect(endsAbruptly("So the total is $$ 3 + 4")).toBe(true);
    expect(endsAbruptly("The answer is (B).")).toBe(false);
    expect(endsAbruptly('{"reasoning": "x", "answer": "7"}\n```')).toBe(false);
  });

  it("finds loops and leaves ordinary text alone", () => {
    expect(findLoop(`Let us start. ${"= 2(E + 5) ".repeat(60)}`)?.count).toBeGreaterThan(5);
    expect(findLoop(`Intro\n${"The same line again and again.\n".repeat(12)}`)?.unit).toBe(
      "The same line again and again.",
    );
    const prose = Array.from({ length: 80 }, (_, i) => `Step ${i}: we compute value ${i * 7} from ${i * 3}.`).join(" ");
    expect(findLoop(prose)).toBeNull();
  });

  it("finds word-triple loops exactly as the definition reads, with strings instead of word hashes", () => {
    // The definition, written plainly: the last 200 words of the last 1,600 characters (split at
    // space, tab, CR, LF), a loop when distinct words and distinct triples are both under 30%.
    const plain = (output: string) => {
      if (output.length < 1000) return null;
      const words = output
        .slice(-1600)
        .split(/[ \t\r\n]+/)
        .filter(Boolean)
        .slice(-200);
      const total = words.length - 2;
      if (words.length < 60 || new Set(words).size >= 0.3 * total) return null;
      const triples = new Set<string>();
      for (let i = 0; i < total; i++) triples.add(`${words[i]}\u0000${words[i + 1]}\u0000${words[i + 2]}`);
      return triples.size >= 0.3 * total ? null : "loop";
    };
    const next = rng(11);
    const vocab = Array.from({ length: 600 }, (_, i) => `w${i.toString(36)}${"éx"[i % 2]}`);
    const gaps = [" ", " ", " ", "\n", "\t", "\r\n", "  ", "\u00a0"];
    let loops = 0;
    for (let t = 0; t < 400; t++) {
      // a small vocabulary or a large one; a repeated phrase or none; loops that start late
      const v = 2 + Math.floor(next() * (t % 2 ? 12 : 600));
      const phrase = Array.from({ length: 1 + Math.floor(next() * 6) }, () => vocab[Math.floor(next() * v)]!);
      const repeatFrom = next() * 3000;
      let text = "";
      const target = 900 + next() * 2500;
      while (text.length < target) {
        const w = text.length > repeatFrom ? phrase : [vocab[Math.floor(next() * v)]!];
        for (const x of w) text += x + gaps[Math.floor(next() * gaps.length)];
      }
      const fast = tripleLoop(text);
      expect(fast ? "loop" : null, JSON.stringify(text.slice(-80))).toBe(plain(text));
      if (fast) loops++;
    }
    expect(loops).toBeGreaterThan(40);
    expect(loops).toBeLessThan(360);
  });

  it("finds refusals but not sympathy, disclaimers or lyrics", () => {
    expect(findRefusal("I apologize, but I cannot provide instructions for that.")).toMatch(/^I cannot provide/);
    expect(findRefusal("I'm sorry to hear that you are unwell. Here are some tips.")).toBeNull();
    expect(findRefusal("As an AI, I cannot make decisions for you, but I can list the options: ...")).toBeNull();
    expect(findRefusal("(Verse 1) I cannot help the way I feel tonight")).toBeNull();
  });

  it("names the writing system of a text", () => {
    expect(dominantScript("Plain English words here")?.script).toBe("Latin");
    expect(dominantScript("这是一个用中文写的回答，没有英文。")?.script).toBe("Han");
    expect(dominantScript("\\alpha + \\beta = 3")).toBeNull();
  });

  it("counts letters per script exactly as the definition reads (the whole text, TeX commands out)", () => {
    // The definition, written plainly: the fast version must agree with it on every text.
    const blocks: [string, number, number][] = [
      ["Latin", 0x00c0, 0x024f],
      ["Greek", 0x0370, 0x03ff],
      ["Cyrillic", 0x0400, 0x04ff],
      ["Hebrew", 0x0590, 0x05ff],
      ["Arabic", 0x0600, 0x06ff],
      ["Devanagari", 0x0900, 0x097f],
      ["Thai", 0x0e00, 0x0e7f],
      ["Kana", 0x3040, 0x30ff],
      ["Han", 0x3400, 0x9fff],
      ["Hangul", 0xac00, 0xd7af],
    ];
    const plain = (text: string) => {
      const counts = blocks.map(() => 0);
      for (const ch of text.replace(/\\[a-zA-Z]+/g, " ")) {
        const c = ch.charCodeAt(0);
        const b = /[a-zA-Z]/.test(ch) ? 0 : blocks.findIndex(([, lo, hi]) => c >= lo && c <= hi);
        if (b >= 0) counts[b]++;
      }
      const letters = counts.reduce((x, y) => x + y, 0);
      if (!letters) return null;
      const best = counts.indexOf(Math.max(...counts));
      return { script: blocks[best][0], share: counts[best] / letters, letters };
    };
    // Pieces that meet every branch: ASCII letters, TeX commands (also cut by the 1,500 limit),
    // lone and doubled backslashes, block edges, characters in no block.
    const pieces = [
      "a",
      "Z",
      " ",
      "\\",
      "\\alpha",
      "\\\\x",
      "9",
      "é",
      "\u00bf",
      "\u00c0",
      "\u024f",
      "\u0250",
      "α",
      "Ж",
      "ש",
      "ع",
      "क",
      "ก",
      "カ",
      "中",
      "한",
      "\ud7af",
      "\ud7b0",
      "€",
      "😀",
      "\n",
    ];
    const next = rng(7);
    const texts = ["", "\\", "a".repeat(1499) + "\\abc", "\\" + "b".repeat(1600), "Привет мир, как дела?"];
    for (let i = 0; i < 400; i++) {
      const len = Math.floor(next() * 1700);
      let t = "";
      while (t.length < len) t += pieces[Math.floor(next() * pieces.length)];
      texts.push(t);
    }
    for (const t of texts) expect(dominantScript(t), JSON.stringify(t.slice(0, 60))).toEqual(plain(t));
  });

  it("flags an answer in another script than the question", () => {
    const ctx: FailureContext = {
      record: {
        dataset: "d",
        model: "m",
        instance_id: "1",
        input: "Explain in a few sentences why the sky looks blue during the day.",
        reference: "Rayleigh scattering ...",
        output: "天空呈现蓝色是因为瑞利散射：短波长的蓝光比红光更容易被大气中的分子散射。",
        score: null,
        correct: false,
        source_model: "m",
      },
      dataset: datasetEntry("alpaca_eval"),
      correctPeers: [],
      itemRecords: [],
      modelAccuracy: new Map(),
    };
    ctx.itemRecords = [ctx.record];
    expect(judgeHeuristic(ctx).rule).toBe("wrong-language");
    const asked = { ...ctx, record: { ...ctx.record, input: `${ctx.record.input} Answer in Chinese.` } };
    asked.itemRecords = [asked.record];
    expect(rule("wrong-language").fn(asked)).toBeNull();
  });
});

// Named real failures: the shared layer. Its counterpart on generated failures, each planted for
// one rule, is tests/import/demo.test.ts ("every heuristic rule explains exactly the failures planted for it").
describeShared("rules on real failures", () => {
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

describe("rules on correct outputs (false positives), generated and real", () => {
  const EXACT = DATASETS.filter((d) => ["mmlu_pro", "gsm8k", "math_l5", "bbq", "demo_arith", "demo_quiz"].includes(d));
  const OPEN = DATASETS.filter((d) => d === "alpaca_eval" || d === "demo_instruct");

  it.each(DATASETS)("never fire the form, noise and language rules on correct %s outputs", (name) => {
    for (const id of ["empty-output", "wrong-language", "right-answer-wrong-form"])
      expect(rateOnCorrect(id, name), id).toBe(0);
  });

  it.each(DATASETS)("almost never call a correct %s output truncated, looping or answerless", (name) => {
    for (const id of ["truncated", "degenerate-repetition", "no-final-answer"])
      expect(rateOnCorrect(id, name), id).toBeLessThanOrEqual(name === "theoremqa" ? 0.05 : 0.002);
  });

  it.skipIf(!hasEvaldata)(
    "calls correct TheoremQA outputs answerless only where its scorer's fallback 0 happened to match",
    () => {
      // TheoremQA's scorer answers 0 when it finds nothing; 0 is also False, so some outputs that
      // state no answer were marked correct by luck. Those are the only ones the rule flags.
      const { corrects } = contextsOf("theoremqa");
      const hits = corrects.filter((c) => rule("no-final-answer").fn(c));
      expect(hits.length).toBeGreaterThan(0);
      for (const c of hits) {
        expect(c.record.extracted).toBe("0");
        expect(c.record.output.slice(-300)).not.toMatch(/\b(?:false|no|not)\b/i);
      }
    },
  );

  it.each(EXACT)("never call a correct %s output a near miss or an abandoned answer (beyond list answers)", (name) => {
    expect(rateOnCorrect("numeric-near-miss", name)).toBe(0);
    expect(rateOnCorrect("abandoned-right-answer", name)).toBeLessThanOrEqual(0.005);
  });

  it.skipIf(!hasEvaldata)(
    "on TheoremQA, near misses among correct outputs are ones its grader's tolerance accepted",
    () => {
      const { corrects } = contextsOf("theoremqa");
      const hits = corrects.filter((c) => rule("numeric-near-miss").fn(c));
      for (const c of hits) expect(c.record.extracted).not.toBe(c.record.reference);
      expect(hits.length / corrects.length).toBeLessThan(0.15);
    },
  );

  it.each(OPEN)("rarely calls a preferred open-ended %s answer a refusal or far too short", (name) => {
    expect(rateOnCorrect("refusal", name)).toBeLessThanOrEqual(0.02);
    expect(rateOnCorrect("far-too-short", name)).toBeLessThanOrEqual(0.03);
    expect(rateOnCorrect("truncated", name)).toBeLessThanOrEqual(0.01);
  });

  it.each(EXACT)(
    "sees the reference answer in nearly every correct %s output (equivalence agrees with the grader)",
    (name) => {
      expect(rateOnCorrect("equivalent-answer", name)).toBeGreaterThan(0.97);
    },
  );
});
