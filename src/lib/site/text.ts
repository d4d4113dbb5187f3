// How untrusted texts (inputs, outputs, references) are shown: whole, escaped by Astro, folded into
// a <details> when long. Nothing is ever cut.
export const FOLD_CHARS = 600;
export const FOLD_LINES = 12;

export interface TextView {
  empty: boolean;
  fold: boolean;
  chars: number;
  lines: number;
}

export function textView(text: string): TextView {
  const lines = text === "" ? 0 : text.split("\n").length;
  return { empty: text.trim() === "", fold: text.length > FOLD_CHARS || lines > FOLD_LINES, chars: text.length, lines };
}

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
