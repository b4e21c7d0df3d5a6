import type { ContentMessage } from '#domain';

/** A version's model settings as each SDK takes them; the keys of a version's config that no SDK call here reads are ignored. */
export interface GenerationParams {
  temperature?: number;
  topP?: number;
  maxTokens: number;
  stop?: string[];
}

/** A JSON Schema the answer must fit (the case judge's), for SDKs that take one. */
export interface AnswerSchema {
  name: string;
  schema: Record<string, unknown>;
}

/** One call for a model's answer to messages: a test case's answer, or the case judge (with a schema). The key lives only in this object. */
export interface GenerationCall {
  model: string;
  messages: readonly ContentMessage[];
  params: GenerationParams;
  schema: AnswerSchema | null;
  apiKey: string;
  /** The provider's base URL from *_BASE_URL, or undefined for the SDK's own. */
  baseUrl: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

export type GenerationClient = (call: GenerationCall) => Promise<string>;

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The settings a version's config gives for its answers: `temperature`, `top_p`, `max_tokens`
 * (`max_completion_tokens` too) and `stop` (a string or a list of strings); a value of the wrong
 * type is ignored as an unknown key is, so the provider's default applies.
 */
export function generationParams(config: Readonly<Record<string, unknown>>, defaultMaxTokens: number): GenerationParams {
  const params: GenerationParams = { maxTokens: defaultMaxTokens };
  const temperature = finite(config.temperature);
  if (temperature !== undefined) params.temperature = temperature;
  const topP = finite(config.top_p);
  if (topP !== undefined) params.topP = topP;
  const maxTokens = finite(config.max_tokens) ?? finite(config.max_completion_tokens);
  if (maxTokens !== undefined && Number.isInteger(maxTokens) && maxTokens > 0) params.maxTokens = maxTokens;
  const stop = typeof config.stop === 'string' ? [config.stop] : Array.isArray(config.stop) ? config.stop.filter((s): s is string => typeof s === 'string') : [];
  if (stop.length > 0) params.stop = stop.slice(0, 4);
  return params;
}

/** System messages joined, and the rest; for SDKs that take the system text apart (Anthropic, Google). */
export function splitSystem(messages: readonly ContentMessage[]): { system: string | undefined; turns: ContentMessage[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const turns = messages.filter((m) => m.role !== 'system');
  // Anthropic and Google refuse a request without a turn: a text prompt with no input is sent as the user's message.
  if (turns.length === 0) return { system: undefined, turns: [{ role: 'user', content: system }] };
  return { system: system === '' ? undefined : system, turns };
}

type SchemaNode = Record<string, unknown>;

/** A JSON Schema in Google's dialect: upper-case type names and no `additionalProperties`. */
export function googleSchemaOf(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties') continue;
    if (key === 'type' && typeof value === 'string') out.type = value.toUpperCase();
    else if (key === 'properties' && typeof value === 'object' && value !== null) {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, SchemaNode>).map(([k, v]) => [k, googleSchemaOf(v)]));
    } else if (key === 'items' && typeof value === 'object' && value !== null) out.items = googleSchemaOf(value as SchemaNode);
    else out[key] = value;
  }
  if (out.enum !== undefined && out.type === 'STRING') out.format = 'enum';
  return out;
}
