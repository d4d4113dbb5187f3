// The deterministic "model" behind the fake OpenAI-compatible judges: the bench's
// (scripts/bench/fake-judge.ts) and the tests' (tests/helpers/chat-server.ts). Every answer is
// computed from the request: a title from the record's text ("<skill> about <word>"), categories
// from the titles' skills (split by title length under a parent), a class from a title's skill.
// It lives here, not in tests/, because production code never imports from tests/.
import { createHash } from "node:crypto";
import { readBlocks } from "../judges/openai/delimit.ts";

/** The part of a chat completion request the model reads. */
export interface FakeChatBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type?: string; json_schema?: { name?: string } };
}

const SKILLS = [
  "multi-step arithmetic",
  "reading the question",
  "applying the definition",
  "recalling a fact",
  "eliminating wrong options",
  "following the answer format",
  "unit conversion",
  "logical deduction",
];

function h(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}

function keyword(text: string): string {
  const words = text.toLowerCase().match(/[a-z]{4,}/g) ?? ["item"];
  return [...words.slice(0, 40)].sort((a, b) => b.length - a.length || a.localeCompare(b))[0]!;
}

/** The skill part of a title this model wrote ("<skill> about <word>"). */
export function skillOf(title: string): string {
  return title.split(" about ")[0]!.trim().toLowerCase();
}
function subOf(title: string): string {
  const word = title.split(" about ")[1] ?? "";
  return word.length <= 7 ? "short" : "long";
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function analyse(body: FakeChatBody): unknown {
  const blocks = readBlocks(body.messages.map((m) => m.content).join("\n"));
  const input = blocks.get("input") ?? "";
  const output = blocks.get("failed_output") ?? "";
  const skill = SKILLS[h(input) % SKILLS.length]!;
  const quote = output.slice(0, 40);
  return {
    criteria: [
      { criterion: "Reaches the reference answer", present: false, quality: "absent", evidence: quote },
      {
        criterion: `Shows ${skill}`,
        present: output.length > 0,
        quality: output.length > 0 ? "poor" : "absent",
        evidence: "",
      },
    ],
    title: `${skill} about ${keyword(input)}`,
    summary: `The output fails at ${skill}.`,
    evidence: quote ? [quote] : [],
    confidence: 0.8,
  };
}

function taxonomy(body: FakeChatBody, messy: boolean): unknown {
  const user = body.messages.find((m) => m.role === "user")?.content ?? "";
  const step = /^TASK: (\w+)/m.exec(user)?.[1] ?? "generate";
  const blocks = readBlocks(user);
  const sub = blocks.has("parent");
  const titles = JSON.parse(blocks.get("titles") ?? "[]") as { title: string }[];
  const current = JSON.parse(blocks.get("categories") ?? "[]") as {
    name: string;
    description: string;
    facet: string;
  }[];
  const groupName = (t: string) => (sub ? cap(`${skillOf(t)} (${subOf(t)})`) : cap(skillOf(t)));
  const cat = (name: string, from: string[]) => ({
    name,
    description: `Errors of ${name.toLowerCase()}.`,
    facet: /format/i.test(name) ? "format" : "skill",
    from,
  });
  const groups = [...new Set(titles.map((t) => groupName(t.title)))].sort();
  if (step === "generate") {
    const out = groups.map((g) => cat(g, []));
    if (messy && !sub) {
      out.push(cat("Miscellaneous", []));
      out.push({ ...cat("Errors of a very long and wordy kind", []), description: "word ".repeat(40).trim() });
    }
    return { categories: out };
  }
  const kept = current.map((c) => ({ ...c, from: [c.name] }));
  if (step === "update") {
    const names = new Set(current.map((c) => c.name.toLowerCase()));
    for (const g of groups) if (!names.has(g.toLowerCase())) kept.push(cat(g, []));
  }
  return { categories: kept };
}

function classify(body: FakeChatBody): unknown {
  const user = body.messages.find((m) => m.role === "user")?.content ?? "";
  const blocks = readBlocks(user);
  const cats = JSON.parse(blocks.get("categories") ?? "[]") as { id: string; name: string }[];
  const titles = JSON.parse(blocks.get("titles") ?? "[]") as { n: number; title: string }[];
  const byName = new Map(cats.map((c) => [c.name.toLowerCase(), c.id]));
  return {
    assignments: titles.map((t) => ({
      n: t.n,
      category: byName.get(skillOf(t.title)) ?? byName.get(`${skillOf(t.title)} (${subOf(t.title)})`) ?? "other",
    })),
  };
}

/**
 * The kind of a chat request: response_format's json_schema name, else (json_object and text
 * formats) from the "TASK:" line of the judge's prompt.
 */
export function schemaNameOf(body: FakeChatBody | undefined): string {
  const named = body?.response_format?.json_schema?.name;
  if (named) return named;
  const user = body?.messages?.find((m) => m.role === "user")?.content ?? "";
  const task = /^TASK: (\w+)/m.exec(user)?.[1];
  if (!task) return "";
  return task === "analyse" ? "error_analysis" : task === "classify" ? "classification" : "taxonomy";
}

/**
 * The answer to a chat request: an error analysis, a taxonomy step or classes, by the request's
 * kind (`{}` for any other). With `messy`, the generate step adds rule-breaking categories (a Misc
 * bucket, a long name).
 */
export function fakeAnswer(body: FakeChatBody, opts: { messy: boolean }): unknown {
  const schema = schemaNameOf(body);
  if (schema === "error_analysis") return analyse(body);
  if (schema === "taxonomy") return taxonomy(body, opts.messy);
  if (schema === "classification") return classify(body);
  return {};
}
