// The importer's line reader (textLines: splits bytes, decodes line by line, checks UTF-8 a chunk
// at a time) against its plain definition, node:readline over the decoded file: the same lines,
// ended by "\n", "\r\n" or a lone "\r", also where a line or a "\r\n" crosses a 1 MB read chunk.
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { textLines } from "../../scripts/import/sources.ts";
import { rng } from "../../scripts/lib/prng.ts";

const dir = mkdtempSync(join(tmpdir(), "lines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function both(name: string, bytes: Buffer): Promise<[string[], string[]]> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const fast: string[] = [];
  let n = 0;
  for await (const [i, text] of textLines(path)) {
    expect(i).toBe(++n);
    fast.push(text);
  }
  const plain: string[] = [];
  for await (const l of createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity })) plain.push(l);
  return [fast, plain];
}

describe("textLines (docs/fast-paths.md)", () => {
  it("gives node:readline's lines on small files with every kind of line end", async () => {
    const r = rng(5);
    const pieces = ["a", "{}", "é", "€", "😀", "\n", "\r\n", "\r", "\n\n", "\r\r\n", " "];
    const texts = ["", "\n", "\r", "\r\n", "a", "a\r", "a\r\nb", "a\rb\n", "a\r\r\nb\r"];
    for (let i = 0; i < 200; i++)
      texts.push(Array.from({ length: Math.floor(r() * 30) }, () => pieces[Math.floor(r() * pieces.length)]).join(""));
    for (const [i, t] of texts.entries()) {
      const [fast, plain] = await both(`small-${i}`, Buffer.from(t));
      expect(fast, JSON.stringify(t)).toEqual(plain);
    }
  });

  it("and on files whose lines, characters and CRLFs cross 1 MB read chunks", async () => {
    const MB = 1 << 20;
    // "\r" as the chunk's last byte and "\n" the next one's first; a 3-byte character cut by the
    // chunk's end; a line longer than a chunk.
    for (const [name, at, piece] of [
      ["crlf", MB - 1, "\r\n"],
      ["char", MB - 1, "€"],
      ["char2", MB - 2, "€"],
      ["lone-cr", MB - 1, "\rb"],
    ] as const) {
      const head = Buffer.from("x".repeat(at - 10) + "\n123456789");
      const bytes = Buffer.concat([head, Buffer.from(`${piece}tail\r\n${"y".repeat(MB + 5)}\rlast`)]);
      const [fast, plain] = await both(name, bytes);
      expect(fast.length, name).toBe(plain.length);
      expect(fast, name).toEqual(plain);
    }
  });
});
