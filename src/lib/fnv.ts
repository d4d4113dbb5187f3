// FNV-1a, 32 bits, over a string's UTF-16 code units: the one copy of the hash behind the site's
// example anchors (src/lib/site/urls.ts), the bootstrap's stream seeds (scripts/lib/prng.ts) and the
// demo's keyed streams (scripts/demo/prng.ts). Published data depends on its exact output (anchors in
// page URLs, the bootstrap intervals of published releases): never change it.

/** FNV-1a's standard 32-bit offset basis. */
export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of `s` from offset basis `basis` (default the standard one), as a uint32. */
export function fnv1a32(s: string, basis: number = FNV_OFFSET_BASIS): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}
