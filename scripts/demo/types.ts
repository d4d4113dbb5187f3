// The shape every demo task (dataset) module has: its items, and a model's answer of a given kind.
import type { DemoDataset, Kind } from "./kinds.ts";
import type { Rng } from "./prng.ts";

export interface DemoItem {
  id: string;
  input: string;
  reference: string;
  reference_text?: string;
  prompt?: string;
  metadata: Record<string, unknown>;
  /** The item's reference is deliberately wrong: every model answers "suspect" on it. */
  suspect: boolean;
}

export interface DemoAnswer {
  output: string;
  correct: boolean | null;
  score: number | null;
  extracted?: string;
}

export interface DemoTask<I extends DemoItem = DemoItem> {
  dataset: DemoDataset;
  items(): I[];
  /** Whether this item can show this kind of outcome (else the generator uses "wrong"). */
  supports(kind: Kind, item: I): boolean;
  answer(item: I, kind: Kind, r: Rng): DemoAnswer;
}
