// The text checks on hand-written strings; each rule on generated and hand-written failures, in kind
// the cases rules.real.test.ts names on the real data (the real-data layer, README "Set-up"); and
// the rules run over correct outputs, generated and real, where they must (almost) never fire.
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
import type { DatasetEntry, EvalRecord } from "../../src/lib/schemas.ts";
import {
  DATASETS,
  DEMO_SETS,
  contextsOf,
  datasetEntry,
  plantedKinds,
  toyContext,
  toyRecord,
  type DatasetName,
} from "./context.ts";
import { rng } from "../../scripts/lib/prng.ts";

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

/** The generated failures of the demo datasets the generator planted as `kind`. */
function planted(kind: string): FailureContext[] {
  const kinds = plantedKinds();
  return DEMO_SETS.flatMap((d) =>
    contextsOf(d).failures.filter(
      (c) => kinds.get(`${c.record.dataset}|${c.record.model}|${c.record.instance_id}`) === kind,
    ),
  );
}

const toy = (
  r: Partial<EvalRecord> & { output: string; reference: string },
  task: DatasetEntry["task_type"] = "math",
) => toyContext(toyRecord(r), task);

const OPTIONS = "Which gas do plants take in?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Helium";
const TEMPLATE =
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nWhat is 6 times 7?\n\n### Response:";

// The cases rules.real.test.ts names on real failures, written by hand or planted by the generator,
// so that a clone without ../shared checks the same behaviour.
describe("rules on generated and hand-written failures", () => {
  it("leave a planted wrong reference to people: no failure on it is noise, no rule reads the consensus", () => {
    const onSuspect = planted("suspect");
    expect(onSuspect.length).toBeGreaterThan(5);
    for (const c of onSuspect)
      expect(HEURISTIC_TAXONOMY.categories.find((k) => k.id === judgeHeuristic(c).category)!.facet).not.toBe("noise");
  });

  it("explain a one-word 'The' on a multiple-choice item as no extractable answer", () => {
    expect(judgeHeuristic(toy({ input: OPTIONS, reference: "B", output: "The" }, "multiple_choice")).rule).toBe(
      "no-final-answer",
    );
  });

  // Each case beside one the rule does explain, so the silence is the rule's reading, not a set-up it skips.
  it.each([
    // "the answer is 20 + 20 + 20 + 25 = 85" concludes 85, not the reference 20.
    [
      "abandoned-right-answer",
      { reference: "20", output: "Each pays 20, so the answer is 20 + 20 + 20 + 25 = 85." },
      { reference: "20", output: "Each pays 20. So the answer is 20. Wait, no: the answer is 85." },
    ],
    // Integer answers off by a few are other counts, not rounding.
    [
      "numeric-near-miss",
      { reference: "1160", output: "Counting all of them, the answer is 1161." },
      { reference: "1160", output: "Counting all of them, the answer is 1160.3." },
    ],
    // 5.01 against 5: the reference shows one significant digit, too few to call it rounding.
    [
      "numeric-near-miss",
      { reference: "5", output: "So the answer is 5.01." },
      { reference: "3.14159", output: "So the answer is 3.1416." },
    ],
    // An answer stated in prose, or an explicit "undefined", is an answer.
    [
      "no-final-answer",
      { reference: "3", output: "The expression is undefined." },
      { reference: "3", output: "Let me think about this problem carefully" },
    ],
  ] as const)("%s stays silent on %j", (id, silent, fires) => {
    expect(rule(id).fn(toy(silent))).toBeNull();
    expect(rule(id).fn(toy(fires))).not.toBeNull();
  });

  it("names an option written as 'Option D, ...' as an answer, and a self-contradiction as no equivalent answer", () => {
    const mc = (output: string, reference = "B") => toy({ input: OPTIONS, reference, output }, "multiple_choice");
    expect(rule("no-final-answer").fn(mc("Option D, helium."))).toBeNull();
    expect(rule("no-final-answer").fn(mc("Hmm, plants and gases."))).not.toBeNull();
    expect(rule("equivalent-answer").fn(mc("The answer is (D).\nOn reflection, the answer is (B).", "D"))).toBeNull();
    expect(rule("equivalent-answer").fn(mc("The answer is (D).", "D"))).not.toBeNull();
  });

  it("does not call a table whose rows repeat a loop, as it does rows that are the same", () => {
    const table = (row: (i: number) => string) =>
      `| year | open | staff | state |\n|---|---|---|---|\n${Array.from({ length: 30 }, (_, i) => row(i)).join("\n")}`;
    const fn = (output: string) =>
      rule("degenerate-repetition").fn(toy({ reference: "A summary of the table.", output }, "open_ended"));
    expect(fn(table((i) => `| ${2000 + i} | yes | 12 | done |`))).toBeNull();
    expect(fn(table(() => "| 2000 | yes | 12 | done |"))).not.toBeNull();
  });

  it("reads the facts after an echoed prompt template, and names the echo only when nothing else explains the failure", () => {
    const looped = judgeHeuristic(
      toy({ reference: "42", output: `${TEMPLATE} ${"6 times 7 is 6 times 7 and ".repeat(60)}` }),
    );
    expect(looped.rule).toBe("degenerate-repetition");
    for (const e of looped.evidence) expect(e).not.toMatch(/^Below is an instruction/);
    const plain = judgeHeuristic(toy({ reference: "42", output: `${TEMPLATE} 41` }));
    expect(plain.rule).toBe("echoed-prompt");
    expect(plain.summary).toMatch(/repeating the prompt template/);
    for (const c of planted("echo")) expect(judgeHeuristic(c).rule).toBe("echoed-prompt");
  });

  it("calls a planted unpublished output 'not published', never 'empty', when the scorer's answer is all there is", () => {
    const silent = planted("unpublished");
    expect(silent.length).toBeGreaterThan(0);
    for (const c of silent) {
      expect(c.record.output.trim()).toBe("");
      expect(judgeHeuristic(c).rule).toBe("output-not-published");
      expect(rule("empty-output").fn(c)).toBeNull();
    }
  });

  it("shows a reference without a source's '# ' marker", () => {
    const v = judgeHeuristic(toy({ reference: "# 14", output: "The answer is 12." }));
    expect(v.summary).toContain("14");
    expect(v.summary).not.toMatch(/reference "?# /);
  });

  it("say what an unexplained failure is, by kind", () => {
    const wrong = planted("wrong").map((c) => ({ c, v: judgeHeuristic(c) }));
    const open = wrong.filter(({ c }) => datasetEntry(c.record.dataset as DatasetName).task_type === "open_ended");
    const exact = wrong.filter(({ c }) => datasetEntry(c.record.dataset as DatasetName).task_type !== "open_ended");
    expect(open.length).toBeGreaterThan(0);
    expect(exact.length).toBeGreaterThan(0);
    for (const { v } of open) expect(v.summary).toMatch(/open-ended output/);
    expect(exact.some(({ v }) => /final answer .* differs from the reference/.test(v.summary))).toBe(true);
    for (const { v } of exact) expect(v.summary).not.toMatch(/well-formed/);
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

  it.each(EXACT)("never call a correct %s output a near miss or an abandoned answer (beyond list answers)", (name) => {
    expect(rateOnCorrect("numeric-near-miss", name)).toBe(0);
    expect(rateOnCorrect("abandoned-right-answer", name)).toBeLessThanOrEqual(0.005);
  });

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
