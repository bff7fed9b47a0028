import type { SimpleTransformerContainer } from 'obscenity';

/**
 * Text after obscenity's transformers ran over it, plus where each UTF-16 unit came from, so a
 * match found in the folded text can be shown to the member as the characters they typed.
 */
export interface FoldedText {
  readonly text: string;
  /** origin[i] is the index in the source string of the code point that produced text[i]. */
  readonly origin: Int32Array;
}

/** The result is only valid until the folder's next call: its buffers are reused. */
export type Folder = (input: string) => FoldedText;

export interface FoldSpec {
  /** Stateless obscenity transformers, applied in order to each code point. */
  map: readonly SimpleTransformerContainer[];
  /** The options given to obscenity's collapseDuplicatesTransformer, applied last. */
  collapse?: { defaultThreshold: number; customThresholds: ReadonlyMap<string, number> };
}

const DROPPED = -1;
const BMP_SIZE = 0x10000;
// String.fromCharCode takes its units as arguments; engines cap argument counts, so emit in slices.
const EMIT_CHUNK = 4096;
const ASTRAL_CACHE_MAX = 4096;

/**
 * Applies an obscenity transformer chain the way its RegExpMatcher does (one code point at a time,
 * in order; a transformer may drop a character) at a fraction of the cost, because this runs on
 * every message the server saves:
 * - the stateless transformers (confusables, leetspeak, lower-casing) are composed once into a
 *   lookup table for the Basic Multilingual Plane, so each character costs one array read;
 * - collapsing repeated letters runs inline from a threshold table. obscenity's own stateful
 *   transformer does a Map lookup per character, which alone cost ~80 µs per 4,000 characters.
 * fold.test.ts checks the result equals running obscenity's transformers one by one.
 */
export function createFolder(spec: FoldSpec): Folder {
  const applyMap = (c: number): number => {
    let v: number | undefined = c;
    for (const t of spec.map) {
      v = t.transform(v);
      if (v === undefined) return DROPPED;
    }
    return v;
  };
  const table = new Int32Array(BMP_SIZE);
  for (let c = 0; c < BMP_SIZE; c++) table[c] = applyMap(c);
  // Astral characters (emoji, maths letters) are rare in chat; memoise them instead of tabling a million code points.
  const astral = new Map<number, number>();

  const collapse = spec.collapse;
  const defaultThreshold = collapse ? clampThreshold(collapse.defaultThreshold) : 0;
  const thresholds = new Int32Array(BMP_SIZE).fill(defaultThreshold);
  const astralThresholds = new Map<number, number>();
  for (const [char, threshold] of collapse?.customThresholds ?? []) {
    const c = char.codePointAt(0)!;
    if (c < BMP_SIZE) thresholds[c] = clampThreshold(threshold);
    else astralThresholds.set(c, clampThreshold(threshold));
  }

  let units = new Uint16Array(0);
  let origins = new Int32Array(0);

  return (input: string): FoldedText => {
    const n = input.length;
    // One input code point yields at most one output code point, so at most two units per input unit.
    if (units.length < n * 2) {
      units = new Uint16Array(n * 2);
      origins = new Int32Array(n * 2);
    }
    const origin = origins;
    // State of the collapse step, as in obscenity's CollapseDuplicatesTransformer.
    let lastChar = -1;
    let remaining = -1;

    let out = 0;
    let pos = 0;
    while (pos < n) {
      const start = pos;
      let c = input.charCodeAt(pos++);
      if (c >= 0xd800 && c <= 0xdbff && pos < n) {
        const low = input.charCodeAt(pos);
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          pos++;
        }
      }
      let v: number;
      if (c < BMP_SIZE) {
        v = table[c]!;
      } else {
        const known = astral.get(c);
        v = known ?? applyMap(c);
        if (known === undefined) {
          // A stream of distinct astral characters must not grow memory forever.
          if (astral.size >= ASTRAL_CACHE_MAX) astral.clear();
          astral.set(c, v);
        }
      }
      if (v === DROPPED) continue;
      if (collapse) {
        if (v === lastChar) {
          if (remaining-- <= 0) continue;
        } else {
          const threshold = v < BMP_SIZE ? thresholds[v]! : (astralThresholds.get(v) ?? defaultThreshold);
          remaining = threshold - 1;
          lastChar = v;
          if (threshold <= 0) continue;
        }
      }
      if (v < BMP_SIZE) {
        units[out] = v;
        origin[out++] = start;
      } else {
        const offset = v - 0x10000;
        units[out] = 0xd800 + (offset >> 10);
        origin[out++] = start;
        units[out] = 0xdc00 + (offset & 0x3ff);
        origin[out++] = start;
      }
    }

    let text = '';
    for (let from = 0; from < out; from += EMIT_CHUNK) {
      const slice = units.subarray(from, Math.min(out, from + EMIT_CHUNK));
      text += String.fromCharCode.apply(null, slice as unknown as number[]);
    }
    return { text, origin: origin.subarray(0, out) };
  };
}

// Infinity ("never collapse") has to fit an Int32Array; no message repeats a letter 2^31 times.
function clampThreshold(threshold: number): number {
  return Math.min(threshold, 0x7fffffff);
}

/** Index one past the character starting at `at`, so a slice never cuts a surrogate pair in half. */
export function charEnd(source: string, at: number): number {
  const c = source.charCodeAt(at);
  if (c >= 0xd800 && c <= 0xdbff) {
    const low = source.charCodeAt(at + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return at + 2;
  }
  return at + 1;
}
