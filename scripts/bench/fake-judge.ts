// A loopback OpenAI-compatible judge for `npm run bench`: POST /v1/chat/completions answered after a
// fixed latency with deterministic, valid answers (an error analysis, taxonomy steps, classes), so
// the openai judge's throughput can be measured with no network and no key. It plays no faults and
// serves no Batch API: the tests' own fake, with both, is tests/helpers/chat-server.ts (production
// code never imports from tests/).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readBlocks } from "../judges/openai/delimit.ts";

export interface FakeJudge {
  url: string;
  /** Chat requests answered (one entry each). */
  requests: { path: string }[];
  /** Most chat requests in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
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
const hash = (s: string) => createHash("sha256").update(s).digest().readUInt32BE(0);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const skillOf = (title: string) => title.split(" about ")[0]!.trim().toLowerCase();

type Body = {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { json_schema?: { name?: string } };
};

/** The task of a request: the schema's name, else the prompt's "TASK:" line. */
function taskOf(body: Body): string {
  const named = body.response_format?.json_schema?.name;
  if (named) return named;
  const task = /^TASK: (\w+)/m.exec(body.messages.find((m) => m.role === "user")?.content ?? "")?.[1] ?? "";
  return task === "analyse" ? "error_analysis" : task === "classify" ? "classification" : task ? "taxonomy" : "";
}

function answer(body: Body): unknown {
  const text = body.messages.map((m) => m.content).join("\n");
  const blocks = readBlocks(text);
  const task = taskOf(body);
  if (task === "error_analysis") {
    const input = blocks.get("input") ?? "";
    const output = blocks.get("failed_output") ?? "";
    const skill = SKILLS[hash(input) % SKILLS.length]!;
    const word = (input.toLowerCase().match(/[a-z]{4,}/g) ?? ["item"])
      .slice(0, 40)
      .sort((a, b) => b.length - a.length || a.localeCompare(b))[0]!;
    return {
      criteria: [
        { criterion: "Reaches the reference answer", present: false, quality: "absent", evidence: output.slice(0, 40) },
      ],
      title: `${skill} about ${word}`,
      summary: `The output fails at ${skill}.`,
      evidence: output ? [output.slice(0, 40)] : [],
      confidence: 0.8,
    };
  }
  if (task === "taxonomy") {
    const titles = JSON.parse(blocks.get("titles") ?? "[]") as { title: string }[];
    const current = JSON.parse(blocks.get("categories") ?? "[]") as {
      name: string;
      description: string;
      facet: string;
    }[];
    const step = /^TASK: (\w+)/m.exec(text)?.[1] ?? "generate";
    const cat = (name: string) => ({
      name,
      description: `Errors of ${name.toLowerCase()}.`,
      facet: /format/i.test(name) ? "format" : "skill",
      from: [] as string[],
    });
    const groups = [...new Set(titles.map((t) => cap(skillOf(t.title))))].sort();
    if (step === "generate") return { categories: groups.map(cat) };
    const kept = current.map((c) => ({ ...c, from: [c.name] }));
    const names = new Set(current.map((c) => c.name.toLowerCase()));
    if (step === "update") for (const g of groups) if (!names.has(g.toLowerCase())) kept.push(cat(g));
    return { categories: kept };
  }
  if (task === "classification") {
    const cats = JSON.parse(blocks.get("categories") ?? "[]") as { id: string; name: string }[];
    const titles = JSON.parse(blocks.get("titles") ?? "[]") as { n: number; title: string }[];
    const byName = new Map(cats.map((c) => [c.name.toLowerCase(), c.id]));
    return { assignments: titles.map((t) => ({ n: t.n, category: byName.get(skillOf(t.title)) ?? "other" })) };
  }
  return {};
}

/** Starts the fake judge on 127.0.0.1; every chat answer waits `latencyMs` first. */
export async function startFakeJudge(latencyMs: number): Promise<FakeJudge> {
  const requests: { path: string }[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let most = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
    }
    requests.push({ path: req.url });
    inFlight++;
    most = Math.max(most, inFlight);
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body;
      await new Promise((r) => setTimeout(r, latencyMs));
      const content = JSON.stringify(answer(body));
      const prompt = Math.ceil(JSON.stringify(body.messages).length / 4);
      const done = Math.ceil(content.length / 4);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: 0,
          model: body.model,
          choices: [
            { index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null },
          ],
          usage: { prompt_tokens: prompt, completion_tokens: done, total_tokens: prompt + done },
        }),
      );
    } finally {
      inFlight--;
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    maxInFlight: () => most,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
