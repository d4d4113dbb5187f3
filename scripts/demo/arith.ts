// demo_arith: 40 grade-school word problems from 8 templates with seeded numbers. Models are asked
// for a JSON object with an "answer" field (graded by exact string match, like some real
// harnesses), so answers in another form ("18.0", prose) are scored wrong. One item's reference is
// deliberately wrong.
import { rng, type Rng } from "./prng.ts";
import type { DemoAnswer, DemoItem, DemoTask } from "./types.ts";

interface Worked {
  steps: string;
  answer: number;
}

interface Problem {
  question: string;
  right: Worked;
  /** Plausible mistakes, each with its own (wrong) reasoning. */
  slips: Worked[];
  /** A near-miss (rounding) variant, for templates whose answer can be rounded. */
  near?: Worked;
  /** What has to be worked out, in words (for outputs that never get to a number). */
  plan: string;
  /** A key error for the one item with a wrong reference. */
  badKey?: number;
}

const NAMES = ["Mara", "Tomás", "Ines", "Kofi", "Lena", "Ravi", "Yuki", "Omar", "Sofia", "Jonah"];

export const fmt = (n: number) => String(Math.round(n * 100) / 100);
/** 1200 → "1,200" (by hand: locale formatting depends on the ICU build). */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ",");

type Template = (r: Rng) => Problem;

const TEMPLATES: Template[] = [
  (r) => {
    const [name, a, p] = [r.pick(NAMES), r.int(3, 9), r.int(2, 5)];
    const bill = a * p < 20 ? 20 : 50;
    const cost = a * p;
    return {
      question: `${name} buys ${a} notebooks at $${p} each and pays with a $${bill} bill. How much change, in dollars, does ${name} get?`,
      right: {
        steps: `${a} notebooks at $${p} each cost ${a} × ${p} = ${cost} dollars. The change from a $${bill} bill is ${bill} − ${cost} = ${bill - cost} dollars.`,
        answer: bill - cost,
      },
      slips: [
        {
          steps: `Each notebook costs $${p}, so the change is ${bill} − ${p} = ${bill - p} dollars.`,
          answer: bill - p,
        },
        {
          steps: `${a - 1} notebooks cost ${a - 1} × ${p} = ${(a - 1) * p} dollars, so the change is ${bill} − ${(a - 1) * p} = ${bill - (a - 1) * p} dollars.`,
          answer: bill - (a - 1) * p,
        },
      ],
      plan: "the total cost of the notebooks and what is left of the bill",
    };
  },
  (r) => {
    const [name, speed, t] = [r.pick(NAMES), r.pick([12.25, 14.75, 15.25, 16.75, 18.25]), r.pick([2, 4])];
    const d = speed * t;
    return {
      question: `${name} cycles ${d} km in ${t} hours. What is ${name}'s average speed in km per hour?`,
      right: { steps: `Average speed is distance divided by time: ${d} ÷ ${t} = ${speed} km per hour.`, answer: speed },
      slips: [
        { steps: `Speed is distance times time: ${d} × ${t} = ${d * t} km per hour.`, answer: d * t },
        {
          steps: `Counting the rest hour, the time is ${t + 1} hours, so the speed is ${d} ÷ ${t + 1} ≈ ${fmt(d / (t + 1))} km per hour.`,
          answer: Math.round((d / (t + 1)) * 100) / 100,
        },
      ],
      // A near-miss a reader can verify: the right value, rounded to one decimal at the end.
      near: {
        steps: `Average speed is distance divided by time: ${d} ÷ ${t} = ${speed}, or about ${Math.round(speed * 10) / 10} km per hour.`,
        answer: Math.round(speed * 10) / 10,
      },
      plan: "the distance covered and the time it took",
    };
  },
  (r) => {
    const [e, b, w] = [r.pick([36, 48, 60]), r.pick([6, 12]), r.int(3, 7)];
    return {
      question: `A farm collects ${e} eggs a day and packs them in boxes of ${b}. How many full boxes can it fill in ${w} days?`,
      right: {
        steps: `In ${w} days the farm collects ${e} × ${w} = ${e * w} eggs, which fill ${e * w} ÷ ${b} = ${(e * w) / b} boxes.`,
        answer: (e * w) / b,
      },
      slips: [
        { steps: `Each day fills ${e} ÷ ${b} = ${e / b} boxes.`, answer: e / b },
        { steps: `In ${w} days the farm collects ${e} × ${w} = ${e * w} eggs.`, answer: e * w },
      ],
      plan: "how many eggs are collected and how many boxes they fill",
    };
  },
  (r) => {
    const [name, P, rate, y] = [r.pick(NAMES), r.pick([1500, 2000, 2500, 4000]), r.pick([2, 3, 4]), r.pick([2, 3])];
    const interest = (P * rate * y) / 100;
    return {
      question: `${name} puts $${P} in a savings account that pays ${rate}% simple interest per year. How many dollars are in the account after ${y} years?`,
      right: {
        steps: `Simple interest is ${P} × ${rate}% × ${y} = ${interest} dollars, so the account holds ${P} + ${interest} = ${P + interest} dollars.`,
        answer: P + interest,
      },
      slips: [
        { steps: `The interest is ${P} × ${rate}% × ${y} = ${interest} dollars.`, answer: interest },
        {
          steps: `The interest is ${rate} × ${y} = ${rate * y} dollars, so the account holds ${P} + ${rate * y} = ${P + rate * y} dollars.`,
          answer: P + rate * y,
        },
      ],
      plan: "the interest earned over the years and the resulting balance",
    };
  },
  (r) => {
    const [a, c, na, nc] = [r.int(8, 15), r.int(4, 7), r.int(1, 2), r.int(3, 4)];
    return {
      question: `Museum tickets cost $${a} for adults and $${c} for children. How much does a family of ${na} adult${na > 1 ? "s" : ""} and ${nc} children pay in total?`,
      right: {
        steps: `Adults: ${na} × ${a} = ${na * a}. Children: ${nc} × ${c} = ${nc * c}. Total: ${na * a} + ${nc * c} = ${na * a + nc * c} dollars.`,
        answer: na * a + nc * c,
      },
      slips: [
        {
          steps: `Adults: ${na} × ${c} = ${na * c}. Children: ${nc} × ${a} = ${nc * a}. Total: ${na * c + nc * a} dollars.`,
          answer: na * c + nc * a,
        },
        { steps: `The adults pay ${na} × ${a} = ${na * a} dollars.`, answer: na * a },
      ],
      plan: "the cost of the adult tickets and of the children's tickets",
    };
  },
  (r) => {
    const [name, p, q, w] = [r.pick(NAMES), r.int(10, 25), r.int(30, 45), r.int(2, 4)];
    return {
      question: `${name} reads ${p} pages on each weekday and ${q} pages on each day of the weekend. How many pages does ${name} read in ${w} weeks?`,
      right: {
        steps: `One week is 5 × ${p} + 2 × ${q} = ${5 * p + 2 * q} pages, so ${w} weeks are ${w} × ${5 * p + 2 * q} = ${w * (5 * p + 2 * q)} pages.`,
        answer: w * (5 * p + 2 * q),
      },
      slips: [
        {
          steps: `${p} pages a day for 7 days is ${7 * p} pages a week, so ${w} weeks are ${7 * p * w} pages.`,
          answer: 7 * p * w,
        },
        {
          steps: `One week is 5 × ${p} + ${q} = ${5 * p + q} pages, so ${w} weeks are ${w * (5 * p + q)} pages.`,
          answer: w * (5 * p + q),
        },
      ],
      plan: "the pages read in one week and then over all the weeks",
    };
  },
  (r) => {
    const [g, t] = [r.pick([200, 300, 500]), r.pick([6, 10, 12])];
    const s = 4;
    return {
      question: `A recipe for ${s} people needs ${g} grams of flour. How many grams of flour are needed for ${t} people?`,
      right: {
        steps: `Per person the recipe needs ${g} ÷ ${s} = ${g / s} grams, so ${t} people need ${t} × ${g / s} = ${(g * t) / s} grams.`,
        answer: (g * t) / s,
      },
      slips: [
        { steps: `${t} people need ${t} × ${g} = ${g * t} grams.`, answer: g * t },
        {
          steps: `There are ${t - s} more people, so ${t - s} × ${g / s} = ${((t - s) * g) / s} grams are needed.`,
          answer: ((t - s) * g) / s,
        },
      ],
      plan: "the flour per person and then for everyone",
    };
  },
  (r) => {
    const [l, w] = [r.int(8, 20), r.int(5, 12)];
    return {
      question: `A rectangular garden is ${l} m long and ${w} m wide. How many metres of fence are needed to go all the way around it?`,
      right: { steps: `The perimeter is 2 × (${l} + ${w}) = ${2 * (l + w)} m.`, answer: 2 * (l + w) },
      slips: [
        { steps: `The garden covers ${l} × ${w} = ${l * w} square metres, so ${l * w} m of fence.`, answer: l * w },
        { steps: `Length plus width is ${l} + ${w} = ${l + w} m.`, answer: l + w },
      ],
      plan: "the distance around the garden",
      badKey: 2 * l + w,
    };
  },
];

/** The worked steps with the last computation's result off by ten, and that wrong result as the answer. */
function slipLastStep(right: Worked): Worked {
  const eqs = [...right.steps.matchAll(/(\d+(?:\.\d+)?) [×+÷−-] \d+(?:\.\d+)? = (\d+(?:\.\d+)?)/g)];
  const last = eqs.at(-1);
  if (!last || Number(last[2]) !== right.answer)
    throw new Error(`demo_arith: no final computation to slip in "${right.steps}"`);
  const wrong = right.answer + 10;
  const at = last.index! + last[0].length - last[2]!.length;
  return { steps: right.steps.slice(0, at) + right.steps.slice(at).split(last[2]!).join(fmt(wrong)), answer: wrong };
}

const PROMPT = (q: string) =>
  `## Question:\n\n${q}\n\n## Instruction\n\nSolve the problem step by step. Reply with a JSON object of the form {"reasoning": "...", "answer": "..."}, where "answer" holds only the final number.`;

interface ArithItem extends DemoItem {
  problem: Problem;
}

/** The item with the wrong reference (a fence problem whose key forgot one side). */
const BAD_KEY_ITEM = 7;

function json(reasoning: string, answer: string, r: Rng): string {
  const body = JSON.stringify({ reasoning, answer }, null, 4);
  return r.chance(0.5) ? "```json\n" + body + "\n```" : body;
}

export const arith: DemoTask<ArithItem> = {
  dataset: "demo_arith",
  items() {
    return Array.from({ length: 40 }, (_, i) => {
      const problem = TEMPLATES[i % TEMPLATES.length]!(rng(`demo_arith|item|${i}`));
      const suspect = i === BAD_KEY_ITEM;
      return {
        id: `demo_arith/p${String(i + 1).padStart(2, "0")}`,
        input: problem.question,
        prompt: PROMPT(problem.question),
        reference: fmt(suspect ? problem.badKey! : problem.right.answer),
        metadata: { template: i % TEMPLATES.length },
        problem,
        suspect,
      };
    });
  },
  supports(kind, item) {
    if (kind === "near_miss") return item.problem.near !== undefined;
    return !["too_short", "language"].includes(kind);
  },
  answer(item, kind, r): DemoAnswer {
    const p = item.problem;
    const graded = (out: string, extracted?: string): DemoAnswer => ({
      output: out,
      correct: extracted === item.reference,
      score: null,
      extracted,
    });
    const slip = r.pick(p.slips);
    const firstStep = p.right.steps.split(/(?<=\.)\s+/)[0]!;
    switch (kind) {
      case "correct":
      case "suspect":
        return graded(json(p.right.steps, fmt(p.right.answer), r), fmt(p.right.answer));
      case "wrong":
        return graded(json(slip.steps, fmt(slip.answer), r), fmt(slip.answer));
      case "near_miss":
        return graded(json(p.near!.steps, fmt(p.near!.answer), r), fmt(p.near!.answer));
      case "equivalent": {
        // The same number, written as a grader doing exact string match will not accept it.
        const n = p.right.answer;
        const shown = !Number.isInteger(n) ? `${fmt(n)}0` : r.chance(0.5) ? `${n}.0` : `$${thousands(n)}`;
        return graded(json(p.right.steps, shown, r), shown);
      }
      case "format":
        return graded(`Let's solve this step by step.\n\n${p.right.steps}\n\nThe answer is ${fmt(p.right.answer)}.`);
      case "abandoned":
        return graded(
          json(
            `${p.right.steps} So the answer is ${fmt(p.right.answer)}. Hmm, wait, let me redo this a different way to be sure. ${slip.steps} So the answer is ${fmt(slip.answer)}.`,
            fmt(slip.answer),
            r,
          ),
          fmt(slip.answer),
        );
      case "empty":
        return graded("");
      case "arith_slip": {
        // The right method, with the last step's result off by ten and carried to the answer.
        const { steps, answer } = slipLastStep(p.right);
        return graded(json(steps, fmt(answer), r), fmt(answer));
      }
      case "unpublished":
        // The source kept the scorer's extracted answer but not the output text.
        return graded("", fmt(slip.answer));
      case "echo":
        return graded(`${item.input}\n\n${json(slip.steps, fmt(slip.answer), r)}`, fmt(slip.answer));
      case "unanswerable":
        return graded(
          `The problem does not say enough to work this out: the answer cannot be determined from the information given.`,
        );
      case "refusal":
        return graded(
          `I can't help with this one reliably: the problem does not state every assumption, so any number I gave would be a guess.`,
        );
      case "no_answer":
        return graded(
          `To solve this, we first need to work out ${p.plan}. Taking the numbers from the question and doing the arithmetic carefully at each step gives the amount the question asks for.`,
        );
      case "truncated": {
        // Stops right after an "=", as if it hit a length limit mid-calculation.
        const text = `First, let's restate what we know and what we need to find. ${p.right.steps}`;
        return graded(`{\n    "reasoning": "${text.slice(0, text.lastIndexOf("=") + 1)}`);
      }
      case "repetition": {
        const unit = "Let me double-check the multiplication. ";
        return graded(`{\n    "reasoning": "${firstStep} ${unit.repeat(r.int(12, 16)).trim()}`);
      }
      default:
        throw new Error(`demo_arith cannot produce "${kind}"`);
    }
  },
};
