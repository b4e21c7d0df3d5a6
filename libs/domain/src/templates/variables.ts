export {
  compileTemplate, MAX_RENDERED_BYTES, renderedByteLength, renderTemplate, type CompiledTemplate, type Rendered,
} from '../portable/template.js';

const NAME = /^[A-Za-z0-9_]+$/;

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
