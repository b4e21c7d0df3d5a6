import type { Provider } from '#contracts';
import type { WorkerConfig } from '#config';
import { judgeRetryAfterMs, type JudgeCallFailure } from '#domain';

/** One call to a provider: the rubric in, the answer text out. The key lives only in this object. */
export interface JudgeCall {
  model: string;
  system: string;
  user: string;
  apiKey: string;
  /** The provider's base URL from *_BASE_URL, or undefined for the SDK's own. */
  baseUrl: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

export type JudgeProviderClient = (call: JudgeCall) => Promise<string>;

export type JudgeFailure = JudgeCallFailure | { kind: 'unexpected'; name: string };

interface HeadersLike {
  get(name: string): string | null;
}
const hasGet = (h: unknown): h is HeadersLike => typeof h === 'object' && h !== null && typeof (h as HeadersLike).get === 'function';

function headerOf(headers: unknown, name: string): string | null {
  if (hasGet(headers)) return headers.get(name);
  if (typeof headers === 'object' && headers !== null) {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : null;
  }
  return null;
}

function looksLikeNetworkFailure(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  if (/connection|timeout|abort|fetch failed|ECONN|ENOTFOUND|EAI_AGAIN|socket/i.test(`${err.name} ${err.message}`)) return true;
  return looksLikeNetworkFailure(err.cause, depth + 1);
}

/**
 * What went wrong with one call, read from whichever SDK threw: an HTTP status (all five SDKs put
 * it on `status` or `statusCode`), our timeout, or a failure to reach the provider. The SDK's own
 * message is never kept: it can carry the request URL or the provider's echo of the key.
 */
export function classifyJudgeError(err: unknown, timeout: AbortSignal): JudgeFailure {
  if (timeout.aborted) return { kind: 'timeout' };
  const e = (err ?? {}) as { status?: unknown; statusCode?: unknown; headers?: unknown; name?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  if (status !== null && status >= 400 && status <= 599) {
    const retryAfterMs = judgeRetryAfterMs(headerOf(e.headers, 'retry-after'), headerOf(e.headers, 'retry-after-ms'), Date.now());
    return { kind: 'status', status, retryAfterMs };
  }
  if (looksLikeNetworkFailure(err)) return /timeout|timed out/i.test(String((err as Error).name) + String((err as Error).message)) ? { kind: 'timeout' } : { kind: 'connection' };
  return { kind: 'unexpected', name: typeof e.name === 'string' ? e.name : 'Error' };
}

const STATUS_MEANINGS: Record<number, string> = {
  400: 'the request was refused',
  401: 'authentication failed',
  402: 'payment required',
  403: 'permission denied',
  404: 'not found: check the model name',
  408: 'request timeout',
  413: 'the prompt is too large',
  422: 'the request was refused',
  429: 'rate limited',
  500: 'provider error',
  502: 'bad gateway',
  503: 'unavailable',
  504: 'gateway timeout',
  529: 'overloaded',
};

/** A message for people about one failure: provider, status or kind, never the key, headers or URL. */
export function describeJudgeFailure(provider: Provider, failure: JudgeFailure, timeoutMs: number): string {
  switch (failure.kind) {
    case 'status': {
      const meaning = STATUS_MEANINGS[failure.status] ?? (failure.status >= 500 ? 'provider error' : 'the request was refused');
      return `${provider} answered ${failure.status} (${meaning})`;
    }
    case 'timeout':
      return `${provider} timed out after ${Math.round(timeoutMs / 100) / 10} s`;
    case 'connection':
      return `${provider} could not be reached`;
    case 'unexpected':
      return `${provider} call failed unexpectedly (${failure.name.replace(/[^A-Za-z0-9_]/g, '').slice(0, 60) || 'Error'})`;
  }
}

/** Where each provider's SDK sends its requests: the configured base URL, or the SDK's own default (undefined). */
export function providerBaseUrls(config: WorkerConfig): Record<Provider, string | undefined> {
  return {
    anthropic: config.ANTHROPIC_BASE_URL,
    openai: config.OPENAI_BASE_URL,
    google: config.GOOGLE_BASE_URL,
    groq: config.GROQ_BASE_URL,
    mistral: config.MISTRAL_BASE_URL,
  };
}
