/** A variable is `{{name}}` with name of [A-Za-z0-9_] (API.md, "Variables"). */
const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;
const NAME = /^[A-Za-z0-9_]+$/;

/** API.md: a rendered answer over 1 MiB is `422 rendered_too_large`. */
export const MAX_RENDERED_BYTES = 1024 * 1024;

/**
 * A prompt split once at its placeholders, so serving it is a join with no regex work:
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
  for (const m of content.matchAll(PLACEHOLDER)) {
    texts.push(content.slice(last, m.index));
    names.push(m[1]);
    last = m.index + m[0].length;
  }
  texts.push(content.slice(last));
  let textBytes = 0;
  let textUnits = 0;
  for (const text of texts) {
    textBytes += Buffer.byteLength(text);
    textUnits += text.length;
  }
  return { texts, names, variables: [...new Set(names)], textBytes, textUnits };
}

export interface Rendered {
  content: string;
  /** Placeholders left as `{{name}}` because no value was given, distinct, in order of appearance. */
  unfilled: string[];
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
      n = value === undefined ? name.length + 4 : Buffer.byteLength(value);
      valueBytes.set(name, n);
    }
    bytes += n;
    if (bytes > limit) return bytes;
  }
  return bytes;
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

/**
 * Reads `?vars=name=value` items: split at the first `=`, an empty value is a value, an item
 * without `=` or with a bad name is ignored; a name given twice keeps its last value.
 */
export function parseVarsItems(items: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const name = item.slice(0, eq);
    if (NAME.test(name)) values.set(name, item.slice(eq + 1));
  }
  return values;
}

/** Reads a JSON `{variables: {name: value}}` object: string values only, bad names ignored. */
export function variablesFromObject(obj: Record<string, unknown>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(obj)) {
    if (NAME.test(name) && typeof value === 'string') values.set(name, value);
  }
  return values;
}
