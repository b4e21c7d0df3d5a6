import { invalid } from './messages.js';
import { utf8ByteLength } from '../portable/template.js';

/** A version's model configuration: a JSON object, known keys checked, others kept as given. */
export type ModelConfig = Record<string, unknown>;

/** API.md: at most 16,384 bytes as compact UTF-8 JSON, nesting depth at most 5. */
export const MAX_CONFIG_BYTES = 16_384;
export const MAX_CONFIG_DEPTH = 5;
/** The judge providers (the same five as libs/contracts' PROVIDERS). */
export const CONFIG_PROVIDERS = ['anthropic', 'openai', 'google', 'groq', 'mistral'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The depth of a JSON value: the top object is 1, every object or array inside adds one; a scalar is 0. */
function depthOf(value: unknown, limit: number, depth = 1): number {
  let max = depth;
  const children = Array.isArray(value) ? value : Object.values(value as object);
  for (const child of children) {
    if (typeof child === 'object' && child !== null) {
      max = Math.max(max, depthOf(child, limit, depth + 1));
      if (max > limit) return max;
    }
  }
  return max;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function checkKnownKeys(config: ModelConfig, field: string): void {
  const at = (key: string) => `${field}.${key}`;
  if (Object.hasOwn(config, 'provider') && !(CONFIG_PROVIDERS as readonly unknown[]).includes(config.provider)) {
    throw invalid(at('provider'), `must be one of ${CONFIG_PROVIDERS.join(', ')}`);
  }
  if (Object.hasOwn(config, 'model') && (typeof config.model !== 'string' || config.model.length < 1 || config.model.length > 200)) {
    throw invalid(at('model'), 'must be a string of 1 to 200 characters');
  }
  if (Object.hasOwn(config, 'temperature') && !(isNumber(config.temperature) && config.temperature >= 0 && config.temperature <= 2)) {
    throw invalid(at('temperature'), 'must be a number from 0 to 2');
  }
  if (Object.hasOwn(config, 'top_p') && !(isNumber(config.top_p) && config.top_p >= 0 && config.top_p <= 1)) {
    throw invalid(at('top_p'), 'must be a number from 0 to 1');
  }
  if (Object.hasOwn(config, 'max_tokens') && !(Number.isInteger(config.max_tokens) && (config.max_tokens as number) >= 1 && (config.max_tokens as number) <= 1_000_000)) {
    throw invalid(at('max_tokens'), 'must be an integer from 1 to 1000000');
  }
  if (Object.hasOwn(config, 'stop')) {
    const stop = config.stop;
    if (!Array.isArray(stop) || stop.length > 8 || !stop.every((s) => typeof s === 'string')) {
      throw invalid(at('stop'), 'must be a list of at most 8 strings');
    }
  }
}

/**
 * `config` as API.md fixes it: an object (null, an array or a scalar is `400`), at most 16,384
 * bytes of compact UTF-8 JSON, nesting depth at most 5; `provider`, `model`, `temperature`,
 * `top_p`, `max_tokens` and `stop` checked when present; other keys kept as given.
 */
export function readModelConfig(value: unknown, field = 'config'): ModelConfig {
  if (!isObject(value)) throw invalid(field, 'must be a JSON object');
  const json = JSON.stringify(value);
  if (json.length > MAX_CONFIG_BYTES || utf8ByteLength(json) > MAX_CONFIG_BYTES) {
    throw invalid(field, `must be at most ${MAX_CONFIG_BYTES} bytes as compact JSON`);
  }
  if (depthOf(value, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH) throw invalid(field, `must be nested at most ${MAX_CONFIG_DEPTH} levels deep`);
  checkKnownKeys(value, field);
  // What the database gives back: a JSON round trip (no undefined, no -0 surprises).
  return JSON.parse(json) as ModelConfig;
}

/** One changed leaf of a config: the side where the key is absent is null. */
export interface ConfigChange {
  path: string;
  before: unknown;
  after: unknown;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * `config_changes` of a diff (API.md): one item per changed leaf, sorted by path. Objects are
 * walked (an absent side counts as an empty object when the other is a non-empty object);
 * anything else, arrays included, is a leaf compared whole; `path` joins keys with `.`.
 */
export function configChanges(before: ModelConfig | null | undefined, after: ModelConfig | null | undefined): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const walk = (path: string, b: unknown, a: unknown) => {
    const bObject = isObject(b);
    const aObject = isObject(a);
    const walkable = (bObject && aObject) ||
      (bObject && a === undefined && Object.keys(b).length > 0) ||
      (aObject && b === undefined && Object.keys(a).length > 0);
    if (walkable) {
      const bo = (bObject ? b : {}) as Record<string, unknown>;
      const ao = (aObject ? a : {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(bo), ...Object.keys(ao)])) {
        walk(path === '' ? key : `${path}.${key}`, bo[key], ao[key]);
      }
      return;
    }
    if (canonical(b) !== canonical(a)) changes.push({ path, before: b === undefined ? null : b, after: a === undefined ? null : a });
  };
  walk('', before ?? {}, after ?? {});
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
