// demo_quiz: 40 four-option general-knowledge questions written for the demo, and the ways a model
// answers them. One answer key is deliberately wrong (every model disagrees with it), and one
// question is about HTML, so option texts and outputs carry markup the site must escape.
import { rng, type Rng } from "./prng.ts";
import type { DemoItem, DemoTask } from "./types.ts";

interface Fact {
  q: string;
  right: string;
  wrong: [string, string, string];
  subject: string;
  /** The answer key names this wrong option instead of the right one (a data error). */
  badKey?: true;
}

const FACTS: Fact[] = [
  {
    q: "Which gas do plants take in from the air to carry out photosynthesis?",
    right: "Carbon dioxide",
    wrong: ["Oxygen", "Nitrogen", "Helium"],
    subject: "science",
  },
  {
    q: "At sea level, at what temperature does pure water boil?",
    right: "100 °C",
    wrong: ["90 °C", "110 °C", "80 °C"],
    subject: "science",
  },
  {
    q: "Which planet is closest to the Sun?",
    right: "Mercury",
    wrong: ["Venus", "Earth", "Mars"],
    subject: "science",
    badKey: true,
  },
  {
    q: "Which part of a plant or animal cell holds most of its genetic material?",
    right: "The nucleus",
    wrong: ["The ribosome", "The cell membrane", "The vacuole"],
    subject: "science",
  },
  {
    q: "Which of these animals is a mammal?",
    right: "Dolphin",
    wrong: ["Shark", "Trout", "Octopus"],
    subject: "science",
  },
  {
    q: "Which force keeps the planets in their orbits around the Sun?",
    right: "Gravity",
    wrong: ["Magnetism", "Friction", "Air pressure"],
    subject: "science",
  },
  { q: "How many legs does a spider have?", right: "Eight", wrong: ["Six", "Ten", "Four"], subject: "science" },
  {
    q: "Which organ pumps blood around the body?",
    right: "The heart",
    wrong: ["The liver", "The lungs", "The kidneys"],
    subject: "science",
  },
  { q: "What is the chemical symbol for sodium?", right: "Na", wrong: ["So", "Sd", "Sn"], subject: "science" },
  {
    q: "In which layer of the atmosphere is most of the ozone layer found?",
    right: "The stratosphere",
    wrong: ["The troposphere", "The mesosphere", "The thermosphere"],
    subject: "science",
  },
  {
    q: "Which HTML element is used to embed or reference executable JavaScript in a page?",
    right: "<script>",
    wrong: ["<style>", '<link rel="stylesheet">', "<meta>"],
    subject: "computing",
  },
  {
    q: "What does the abbreviation CPU stand for?",
    right: "Central processing unit",
    wrong: ["Computer power unit", "Central program utility", "Core peripheral uplink"],
    subject: "computing",
  },
  {
    q: "What is the decimal value of the binary number 1010?",
    right: "10",
    wrong: ["8", "12", "5"],
    subject: "computing",
  },
  {
    q: "Which data structure removes items in the order they were added (first in, first out)?",
    right: "A queue",
    wrong: ["A stack", "A binary tree", "A hash set"],
    subject: "computing",
  },
  {
    q: 'Which word means nearly the same as "rapid"?',
    right: "quick",
    wrong: ["slow", "heavy", "quiet"],
    subject: "vocabulary",
  },
  {
    q: 'Which word means nearly the same as "ancient"?',
    right: "very old",
    wrong: ["modern", "fragile", "noisy"],
    subject: "vocabulary",
  },
  {
    q: 'Which word means nearly the same as "generous"?',
    right: "giving",
    wrong: ["selfish", "careful", "tired"],
    subject: "vocabulary",
  },
  {
    q: 'Which word means nearly the same as "fragile"?',
    right: "easily broken",
    wrong: ["strong", "brightly coloured", "well hidden"],
    subject: "vocabulary",
  },
  {
    q: 'Which word means nearly the same as "vacant"?',
    right: "empty",
    wrong: ["crowded", "expensive", "freshly painted"],
    subject: "vocabulary",
  },
  {
    q: 'Which word means nearly the same as "reluctant"?',
    right: "unwilling",
    wrong: ["eager", "famous", "sudden"],
    subject: "vocabulary",
  },
  {
    q: "What is the capital city of France?",
    right: "Paris",
    wrong: ["Lyon", "Marseille", "Nice"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Japan?",
    right: "Tokyo",
    wrong: ["Osaka", "Kyoto", "Sapporo"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Canada?",
    right: "Ottawa",
    wrong: ["Toronto", "Vancouver", "Montreal"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Australia?",
    right: "Canberra",
    wrong: ["Sydney", "Melbourne", "Perth"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Kenya?",
    right: "Nairobi",
    wrong: ["Mombasa", "Kisumu", "Nakuru"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Brazil?",
    right: "Brasília",
    wrong: ["Rio de Janeiro", "São Paulo", "Salvador"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Egypt?",
    right: "Cairo",
    wrong: ["Alexandria", "Luxor", "Aswan"],
    subject: "geography",
  },
  {
    q: "What is the capital city of Norway?",
    right: "Oslo",
    wrong: ["Bergen", "Trondheim", "Stavanger"],
    subject: "geography",
  },
  { q: "How many sides does a hexagon have?", right: "6", wrong: ["5", "7", "8"], subject: "mathematics" },
  {
    q: "Which is the largest ocean on Earth?",
    right: "The Pacific Ocean",
    wrong: ["The Atlantic Ocean", "The Indian Ocean", "The Arctic Ocean"],
    subject: "geography",
  },
];

/** Generated questions: unit conversions and primes (to reach 40 items). */
function generatedFacts(r: Rng): Fact[] {
  const out: Fact[] = [];
  for (const n of [3, 7, 12, 25]) {
    out.push({
      q: `How many centimetres are there in ${n} metres?`,
      right: String(n * 100),
      wrong: [String(n * 10), String(n * 1000), String(n + 100)],
      subject: "mathematics",
    });
  }
  for (const [kg, g] of [
    [2, 2000],
    [5, 5000],
  ] as const) {
    out.push({
      q: `How many grams are there in ${kg} kilograms?`,
      right: String(g),
      wrong: [String(g / 10), String(g * 10), String(kg * 100)],
      subject: "mathematics",
    });
  }
  const primes = [29, 31, 37, 41];
  for (const p of primes) {
    const composites = r.shuffle([27, 33, 35, 39, 45, 49, 51, 55]).slice(0, 3).map(String) as [string, string, string];
    out.push({ q: "Which of these numbers is prime?", right: String(p), wrong: composites, subject: "mathematics" });
  }
  return out;
}

const L = ["A", "B", "C", "D"];

interface QuizItem extends DemoItem {
  options: string[];
  /** The truly right option's letter (differs from `reference` on the item with a bad key). */
  right: string;
}

const REASONS_RIGHT = [
  (t: string) => `${t} is the option that fits the question.`,
  (t: string) => `Recalling the basic facts, ${t} is correct and the other options do not match.`,
  (t: string) => `The question asks for one specific fact, and that fact is ${t}.`,
];
const REASONS_WRONG = [
  (t: string) => `${t} seems the most likely choice here.`,
  (t: string) => `I remember this one: it is ${t}.`,
  (t: string) => `Comparing the options, ${t} fits best.`,
];

export const quiz: DemoTask<QuizItem> = {
  dataset: "demo_quiz",
  items() {
    const r = (key: string) => rng(`demo_quiz|${key}`);
    const facts = [...FACTS, ...generatedFacts(r("generated"))];
    return facts.map((f, i) => {
      const order = r(`options|${i}`).shuffle([f.right, ...f.wrong]);
      const right = L[order.indexOf(f.right)]!;
      const keyed = f.badKey ? L[order.indexOf(f.wrong[0])]! : right;
      const id = `demo_quiz/q${String(i + 1).padStart(2, "0")}`;
      return {
        id,
        input: `${f.q}\n${order.map((o, k) => `${L[k]}. ${o}`).join("\n")}`,
        reference: keyed,
        reference_text: order[L.indexOf(keyed)],
        metadata: { subject: f.subject },
        options: order,
        right,
        suspect: Boolean(f.badKey),
      };
    });
  },
  supports(kind) {
    return !["equivalent", "near_miss", "format", "too_short"].includes(kind);
  },
  answer(item, kind, r) {
    const text = (l: string) => item.options[L.indexOf(l)]!;
    const others = L.filter((l) => l !== item.right && l !== item.reference);
    const w = r.pick(others);
    const q = item.input.split("\n")[0]!;
    const graded = (letter: string | null) => ({ correct: letter === item.reference, score: null });
    switch (kind) {
      case "correct":
      case "suspect": {
        // The suspect item: every model gives the truly right option, which the key marks wrong.
        const l = item.right;
        const style = r.int(0, 3);
        const output =
          style === 0
            ? `The answer is (${l}).`
            : style === 1
              ? `${r.pick(REASONS_RIGHT)(text(l))} So the answer is (${l}).`
              : style === 2
                ? `${l}. ${text(l)}`
                : `Let's think step by step. ${r.pick(REASONS_RIGHT)(text(l))}\nTherefore, the correct option is ${l}.`;
        return { output, ...graded(l) };
      }
      case "wrong": {
        const style = r.int(0, 2);
        const output =
          style === 0
            ? `The answer is (${w}).`
            : style === 1
              ? `${r.pick(REASONS_WRONG)(text(w))} So the answer is (${w}).`
              : `Let's think step by step. ${r.pick(REASONS_WRONG)(text(w))}\nTherefore, the correct option is ${w}.`;
        return { output, ...graded(w) };
      }
      case "empty":
        return { output: "", ...graded(null) };
      case "refusal":
        return {
          output: r.pick([
            "I can't help with choosing between these options without more context, as the question could be read in several ways.",
            "I'm not able to provide a definitive answer to this question, since it may depend on sources I cannot verify.",
          ]),
          ...graded(null),
        };
      case "no_answer":
        return {
          output: `This question touches on something where the details matter. Each of the listed options has some merit depending on how the terms are defined, and without further information it is hard to be certain which one the question intends.`,
          ...graded(null),
        };
      case "truncated":
        return {
          output: `Let's think step by step. The question is: ${q} To answer it, we should recall what each option refers to and rule out the ones that clearly do not fit. The first thing to notice is that the`,
          ...graded(null),
        };
      case "repetition": {
        const unit = "We need to compare the options carefully before deciding. ";
        return {
          output: `Let's think step by step. ${unit.repeat(r.int(10, 14)).trim()} We need to compare the options carefully`,
          ...graded(null),
        };
      }
      case "abandoned": {
        // Reaches the key's answer, then talks itself out of it.
        return {
          output: `Looking at the options, the answer is (${item.reference}) because ${text(item.reference)} matches what is asked. Wait, let me reconsider. ${text(w)} could also be argued, since questions like this are sometimes phrased loosely. On balance, the answer is (${w}).`,
          ...graded(w),
        };
      }
      case "several": {
        // Commits to two options where one is wanted.
        const w2 = others.find((l) => l !== w)!;
        return {
          output: `Both ${text(w)} and ${text(w2)} fit the question. The answer is (${w}) or (${w2}).`,
          ...graded(null),
        };
      }
      case "unanswerable":
        return {
          output: "None of the listed options is correct, so the question cannot be answered as it is posed.",
          ...graded(null),
        };
      case "echo":
        return { output: `${item.input}\n\nThe answer is (${w}).`, ...graded(w) };
      case "language":
        return {
          output: `Давайте рассуждать шаг за шагом. Этот вопрос проверяет базовые знания, и сначала нужно исключить неподходящие варианты. Мне кажется, что лучше всего подходит вариант ${w}.`,
          ...graded(null),
        };
      default:
        throw new Error(`demo_quiz cannot produce "${kind}"`);
    }
  },
};
