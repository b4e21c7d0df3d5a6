/** A variable is `{{name}}` with name of [A-Za-z0-9_] (API.md, "Variables"). */
const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;
const NAME = /^[A-Za-z0-9_]+$/;

/**
 * A prompt split once at its placeholders, so serving it is a join with no regex work:
 * `texts[0] + value(names[0]) + texts[1] + ... + texts[n]`.
 */
export interface CompiledTemplate {
  readonly texts: readonly string[];
  readonly names: readonly string[];
  /** Each distinct name, in order of first appearance. */
  readonly variables: readonly string[];
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
  return { texts, names, variables: [...new Set(names)] };
}

export interface Rendered {
  content: string;
  /** Placeholders left as `{{name}}` because no value was given, distinct, in order of appearance. */
  unfilled: string[];
}

/**
 * Substitutes values into a compiled template. A value is inserted as is and never scanned
 * again (a value containing `{{x}}` stays literal); a name without a value stays `{{name}}`.
 */
export function renderTemplate(t: CompiledTemplate, values: ReadonlyMap<string, string>): Rendered {
  if (t.names.length === 0) return { content: t.texts[0], unfilled: [] };
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
