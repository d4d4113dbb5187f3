// A fast path for zod's safeParse on data that is almost always valid: the site and the pipeline
// read hundreds of thousands of analyses and large aggregates files, and zod's general machinery
// took several seconds of an atlas-scale build (README "Performance"). `fastParser(schema)` compiles the schema's
// definition into plain checks once; a value they accept is returned as it is, and anything else
// (an invalid value, or a schema part the compiler does not know) goes through the schema itself,
// so results and error messages stay zod's. The checks accept a value only where zod would return
// an equal value: unknown keys of a stripping object, transforms, defaults and refinements all make
// them decline.
import type { z } from "zod";

type Check = (v: unknown) => boolean;
const DECLINE: Check = () => false;

interface Def {
  type: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  [k: string]: unknown;
}
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** An object zod's object and record types take as is: plain, and no own "__proto__" key (which zod strips). */
export function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(v, "__proto__");
}

/** The checks of a string or number definition as one predicate, or null if one is not known here. */
function refinements(def: Def, kind: "string" | "number"): ((v: never) => boolean)[] | null {
  const out: ((v: never) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (kind === "string" && d.check === "min_length") out.push((v: string) => v.length >= (d.minimum as number));
    else if (kind === "string" && d.check === "max_length") out.push((v: string) => v.length <= (d.maximum as number));
    else if (kind === "string" && d.check === "length_equals")
      out.push((v: string) => v.length === (d.length as number));
    else if (
      kind === "string" &&
      d.check === "string_format" &&
      d.format === "regex" &&
      d.pattern instanceof RegExp &&
      !d.pattern.global &&
      !d.pattern.sticky
    ) {
      const re = d.pattern;
      out.push((v: string) => re.test(v));
    } else if (kind === "number" && d.check === "number_format" && d.format === "safeint")
      out.push((v: number) => Number.isSafeInteger(v));
    else if (kind === "number" && d.check === "greater_than") {
      const [x, inclusive] = [d.value as number, d.inclusive === true];
      out.push(inclusive ? (v: number) => v >= x : (v: number) => v > x);
    } else if (kind === "number" && d.check === "less_than") {
      const [x, inclusive] = [d.value as number, d.inclusive === true];
      out.push(inclusive ? (v: number) => v <= x : (v: number) => v < x);
    } else return null;
  }
  return out;
}

function compile(schema: unknown): Check {
  const def = defOf(schema);
  switch (def.type) {
    case "string": {
      const rs = refinements(def, "string");
      if (!rs) return DECLINE;
      return (v) => typeof v === "string" && rs.every((r) => r(v as never));
    }
    case "number": {
      const rs = refinements(def, "number");
      if (!rs) return DECLINE;
      return (v) => typeof v === "number" && Number.isFinite(v) && rs.every((r) => r(v as never));
    }
    case "boolean":
      return def.checks?.length ? DECLINE : (v) => typeof v === "boolean";
    case "unknown":
    case "any":
      return () => true;
    case "enum": {
      const values = new Set(Object.values(def.entries as Record<string, unknown>));
      return (v) => values.has(v);
    }
    case "nullable": {
      const inner = compile(def.innerType);
      return (v) => v === null || inner(v);
    }
    case "optional": {
      const inner = compile(def.innerType);
      return (v) => v === undefined || inner(v);
    }
    case "array": {
      if (def.checks?.length) return DECLINE;
      const el = compile(def.element);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!el(v[i])) return false;
        return true;
      };
    }
    case "tuple": {
      if (def.rest || def.checks?.length) return DECLINE;
      const items = (def.items as unknown[]).map(compile);
      return (v) => Array.isArray(v) && v.length === items.length && items.every((c, i) => c(v[i]));
    }
    case "record": {
      if (def.checks?.length) return DECLINE;
      const key = compile(def.keyType);
      const value = compile(def.valueType);
      return (v) => {
        if (!isPlain(v)) return false;
        for (const k in v) if (!Object.hasOwn(v, k) || !key(k) || !value(v[k])) return false;
        return true;
      };
    }
    case "object": {
      if (def.checks?.length) return DECLINE;
      // A key zod lets be absent is one whose schema is optional (`optin`); any other key must be
      // there, even when its schema takes undefined (z.unknown()).
      const shape = Object.entries(def.shape as Record<string, unknown>).map(
        ([k, s]) => [k, compile(s), (s as { _zod: { optin?: string } })._zod.optin === "optional"] as const,
      );
      const known = new Set(shape.map(([k]) => k));
      // Unknown keys: a strict object rejects them, a stripping one drops them (either way zod's
      // result differs from the value); a passthrough (catchall unknown) keeps them as they are.
      const catchall = def.catchall ? defOf(def.catchall).type : "strip";
      const extraOk = catchall === "unknown" || catchall === "any";
      if (!extraOk && catchall !== "never" && catchall !== "strip") return DECLINE;
      return (v) => {
        if (!isPlain(v)) return false;
        for (const [k, c, optional] of shape) if (!c(v[k]) || (!optional && !Object.hasOwn(v, k))) return false;
        if (!extraOk) for (const k in v) if (!known.has(k)) return false;
        return true;
      };
    }
    default:
      return DECLINE;
  }
}

/**
 * `schema.safeParse`, with a fast path compiled from the schema: a value the compiled checks accept
 * comes back as it is (the same object), anything else goes through the schema.
 */
export function fastParser<T extends z.ZodType>(schema: T): (v: unknown) => z.ZodSafeParseResult<z.output<T>> {
  const check = compile(schema);
  return (v) => (check(v) ? { success: true, data: v as z.output<T> } : schema.safeParse(v));
}
