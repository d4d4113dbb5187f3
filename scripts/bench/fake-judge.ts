// A loopback OpenAI-compatible judge for `npm run bench`: POST /v1/chat/completions answered after a
// fixed latency with deterministic, valid answers (an error analysis, taxonomy steps, classes; the
// model of ./fake-answers.ts, without the messy categories), so the openai judge's throughput can be
// measured with no network and no key. It plays no faults and serves no Batch API: the tests' own
// fake, with both and the same answers, is tests/helpers/chat-server.ts.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type FakeChatBody, fakeAnswer } from "./fake-answers.ts";

export interface FakeJudge {
  url: string;
  /** Chat requests answered (one entry each). */
  requests: { path: string }[];
  /** Most chat requests in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
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
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as FakeChatBody;
      await new Promise((r) => setTimeout(r, latencyMs));
      const content = JSON.stringify(fakeAnswer(body, { messy: false }));
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
