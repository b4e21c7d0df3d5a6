/**
 * The config editor's model: the known keys of API.md ("Prompt types, chat messages and model
 * configuration") as form fields, everything else as one JSON object. Pure and unit-tested.
 */
export const PROVIDERS = ['anthropic', 'openai', 'google', 'groq', 'mistral'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface ConfigForm {
  provider: string;
  model: string;
  temperature: string;
  top_p: string;
  max_tokens: string;
  /** One stop sequence a line. */
  stop: string;
  /** The other keys, as JSON text of an object. */
  rest: string;
}

const KNOWN = ['provider', 'model', 'temperature', 'top_p', 'max_tokens', 'stop'] as const;

const asText = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/** A config object as the form shows it. A known key holding a value the form cannot show stays in `rest`. */
export function configToForm(config: Record<string, unknown> | null | undefined): ConfigForm {
  const rest: Record<string, unknown> = { ...(config ?? {}) };
  const take = (key: string, fits: (v: unknown) => boolean): unknown => {
    if (!Object.hasOwn(rest, key) || !fits(rest[key])) return undefined;
    const value = rest[key];
    delete rest[key];
    return value;
  };
  const isNum = (v: unknown) => typeof v === 'number';
  const provider = take('provider', (v) => typeof v === 'string');
  const model = take('model', (v) => typeof v === 'string');
  const temperature = take('temperature', isNum);
  const topP = take('top_p', isNum);
  const maxTokens = take('max_tokens', isNum);
  const stop = take('stop', (v) => Array.isArray(v) && v.every((s) => typeof s === 'string' && !s.includes('\n')));
  return {
    provider: asText(provider),
    model: asText(model),
    temperature: asText(temperature),
    top_p: asText(topP),
    max_tokens: asText(maxTokens),
    stop: Array.isArray(stop) ? (stop as string[]).join('\n') : '',
    rest: Object.keys(rest).length ? JSON.stringify(rest, null, 2) : '',
  };
}

export type FormResult = { ok: true; config: Record<string, unknown> } | { ok: false; field: keyof ConfigForm; problem: string };

/**
 * The form back as a config object: empty fields are left out; numbers must be numbers (the API
 * checks their ranges and answers 400 with the field); `rest` must be a JSON object and may not
 * repeat a key the form has a field for.
 */
export function formToConfig(form: ConfigForm): FormResult {
  let rest: Record<string, unknown> = {};
  if (form.rest.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(form.rest);
    } catch {
      return { ok: false, field: 'rest', problem: 'is not valid JSON' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, field: 'rest', problem: 'must be a JSON object' };
    rest = parsed as Record<string, unknown>;
    const repeated = KNOWN.find((k) => Object.hasOwn(rest, k) && form[k].trim() !== '');
    if (repeated) return { ok: false, field: 'rest', problem: `repeats "${repeated}", which has its own field` };
  }
  const config: Record<string, unknown> = { ...rest };
  if (form.provider.trim()) config.provider = form.provider.trim();
  if (form.model.trim()) config.model = form.model.trim();
  for (const key of ['temperature', 'top_p', 'max_tokens'] as const) {
    const text = form[key].trim();
    if (!text) continue;
    const n = Number(text);
    if (!Number.isFinite(n)) return { ok: false, field: key, problem: 'must be a number' };
    if (key === 'max_tokens' && !Number.isInteger(n)) return { ok: false, field: key, problem: 'must be a whole number' };
    config[key] = n;
  }
  const stop = form.stop.split('\n').filter((s) => s !== '');
  if (stop.length) config.stop = stop;
  return { ok: true, config };
}
