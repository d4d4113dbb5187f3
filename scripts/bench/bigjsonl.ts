// A large generated JSONL results file for the streaming-import benchmark: records of the
// synthetic models and datasets (scripts/bench/synth.ts), ~2 KB each like chain-of-thought
// outputs, until the file reaches the requested size. Written in 1 MB chunks.
import { closeSync, openSync, writeSync } from "node:fs";
import { stableJsonLine } from "../../src/lib/jsonio.ts";
import type { RawRecord } from "../../src/lib/schemas.ts";
import { rng } from "../demo/prng.ts";
import { synthRegistry } from "./synth.ts";

const WORDS =
  "the model reads the question then weighs each option and explains why one of them fits best given the facts it recalls".split(
    " ",
  );

/** Writes about `bytes` of JSONL to `path`; returns the number of records. */
export function writeBigJsonl(path: string, bytes: number): number {
  const { models, datasets } = synthRegistry({ models: 100, datasets: 3, releases: 1 });
  const ds = datasets.find((d) => d.task_type === "multiple_choice")!;
  const fd = openSync(path, "w");
  let written = 0;
  let n = 0;
  let chunk: string[] = [];
  let chunkBytes = 0;
  try {
    while (written + chunkBytes < bytes) {
      const item = Math.floor(n / models.length);
      const model = models[n % models.length]!;
      const r = rng(`big|${n}`);
      const words = Array.from({ length: 200 + r.int(0, 150) }, () => r.pick(WORDS)).join(" ");
      const answer = "ABCD"[r.int(0, 3)]!;
      const rec: RawRecord = {
        dataset: ds.id,
        model: model.name,
        instance_id: `${ds.id}/big-${item}`,
        input: `Question ${item}: which of the four options is right? ${words.slice(0, 300)}\nA) one\nB) two\nC) three\nD) four`,
        reference: "B",
        output: `${words}\nAnswer: ${answer}`,
        score: answer === "B" ? 1 : 0,
        correct: answer === "B",
        prompt: undefined,
        reference_text: undefined,
        metadata: {},
        source: { repo: "ErrorAtlas benchmark (synthetic)", path: "scripts/bench/bigjsonl.ts" },
      };
      const line = stableJsonLine(rec) + "\n";
      chunk.push(line);
      chunkBytes += Buffer.byteLength(line);
      n++;
      if (chunkBytes >= 1 << 20) {
        writeSync(fd, chunk.join(""));
        written += chunkBytes;
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (chunk.length) writeSync(fd, chunk.join(""));
  } finally {
    closeSync(fd);
  }
  return n;
}
