// How untrusted texts (inputs, outputs, references) are shown: escaped by Astro, folded into a
// <details> when long, and cut at a stated length when longer still, with a link to where the whole
// text is (the failure's own page, or a full-text file beside it). Nothing is cut without the page
// saying how much it shows.
export const FOLD_CHARS = 600;
export const FOLD_LINES = 12;

/** A failure's own page, and an item's shared input and reference, show up to this many characters of a text. */
export const CUT_CHARS = 20_000;
/** Pages that show many texts (a category's examples, the outputs on an item) show up to this many of each. */
export const LIST_CUT_CHARS = 3_000;
/**
 * The outputs on an item's view share this many characters (each at most LIST_CUT_CHARS, at least
 * ITEM_MIN_CUT_CHARS), so an item a hundred models attempted stays within the page budget.
 */
export const ITEM_OUTPUTS_CHARS = 150_000;
export const ITEM_MIN_CUT_CHARS = 1_000;

/** The cut of each output on the view of an item `models` models attempted. */
export const itemOutputCut = (models: number): number =>
  Math.max(ITEM_MIN_CUT_CHARS, Math.min(LIST_CUT_CHARS, Math.floor(ITEM_OUTPUTS_CHARS / Math.max(1, models))));

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

/**
 * The first `max` characters (UTF-16 code units, as `length` counts them) of a text, never ending
 * inside a surrogate pair; the text itself when it is no longer.
 */
export function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** "1,234" */
export const count = (n: number) => n.toLocaleString("en-US");
