/**
 * Substituting `{{variables}}` into a prompt: the one implementation the gateway serves with and the
 * TypeScript SDK compiles with, so both always agree. The files of `portable/` import nothing but
 * each other (no Node module, no package): the SDK ships a byte-for-byte copy of them
 * (libs/sdk/src/portable/, checked by a test).
 */

/** A variable is `{{name}}` with name of [A-Za-z0-9_] (API.md, "Variables"). */
const VARIABLE = /\{\{([A-Za-z0-9_]+)\}\}/g;

/** API.md: a rendered answer over 1 MiB is `422 rendered_too_large`. */
export const MAX_RENDERED_BYTES = 1024 * 1024;

/** The UTF-8 length of `text` without encoding it; a lone surrogate counts as U+FFFD (3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * A prompt split once at its variables, so rendering it is a join with no regex work:
 * `texts[0] + value(names[0]) + texts[1] + ... + texts[n]`.
 */
export interface CompiledTemplate {
  readonly texts: readonly string[];
  readonly names: readonly string[];
  /** Each distinct name, in order of first appearance. */
  readonly variables: readonly string[];
  /** The UTF-8 bytes of all `texts` together, so a render can be sized before it is built. */
  readonly textBytes: number;
  /** The UTF-16 length of all `texts` together. */
  readonly textUnits: number;
}

export function compileTemplate(content: string): CompiledTemplate {
  const texts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of content.matchAll(VARIABLE)) {
    texts.push(content.slice(last, m.index));
    names.push(m[1]);
    last = m.index + m[0].length;
  }
  texts.push(content.slice(last));
  let textBytes = 0;
  let textUnits = 0;
  for (const text of texts) {
    textBytes += utf8ByteLength(text);
    textUnits += text.length;
  }
  return { texts, names, variables: [...new Set(names)], textBytes, textUnits };
}

export interface Rendered {
  content: string;
  /** Variables left as `{{name}}` because no value was given, distinct, in order of appearance. */
  unfilled: string[];
}

/**
 * The UTF-8 size the render of `t` with `values` would have, computed without building it; once
 * past `limit` it stops counting and returns what it has (then only known to be over `limit`).
 */
export function renderedByteLength(t: CompiledTemplate, values: ReadonlyMap<string, string>, limit = Infinity): number {
  const valueBytes = new Map<string, number>();
  let bytes = t.textBytes;
  for (const name of t.names) {
    let n = valueBytes.get(name);
    if (n === undefined) {
      const value = values.get(name);
      n = value === undefined ? name.length + 4 : utf8ByteLength(value);
      valueBytes.set(name, n);
    }
    bytes += n;
    if (bytes > limit) return bytes;
  }
  return bytes;
}

/** Whether the render would be over `limit` bytes of UTF-8; most renders are decided without scanning a value. */
function exceeds(t: CompiledTemplate, values: ReadonlyMap<string, string>, limit: number): boolean {
  // UTF-16 units are a lower bound of UTF-8 bytes, and a third of an upper bound.
  let units = t.textUnits;
  for (const name of t.names) {
    const value = values.get(name);
    units += value === undefined ? name.length + 4 : value.length;
  }
  if (units > limit) return true;
  if (units * 3 <= limit) return false;
  return renderedByteLength(t, values, limit) > limit;
}

/**
 * Substitutes values into a compiled template. A value is inserted as is and never scanned
 * again (a value containing `{{x}}` stays literal); a name without a value stays `{{name}}`.
 * null when the result would be over `maxBytes` of UTF-8: refused before any of it is built.
 */
export function renderTemplate(t: CompiledTemplate, values: ReadonlyMap<string, string>, maxBytes = MAX_RENDERED_BYTES): Rendered | null {
  if (t.names.length === 0) return t.textBytes > maxBytes ? null : { content: t.texts[0], unfilled: [] };
  if (exceeds(t, values, maxBytes)) return null;
  let out = t.texts[0];
  const unfilled: string[] = [];
  for (let i = 0; i < t.names.length; i++) {
    const name = t.names[i];
    const value = values.get(name);
    if (value === undefined) {
      out += `{{${name}}}`;
      if (!unfilled.includes(name)) unfilled.push(name);
    } else out += value;
    out += t.texts[i + 1];
  }
  return { content: out, unfilled };
}
