import {
  PromptgateAuthError,
  PromptgateConfigError,
  PromptgateError,
  PromptgateNotFoundError,
  PromptgateRateLimitError,
  PromptgateTimeoutError,
  PromptgateTypeError,
  PromptgateUnavailableError,
  PromptgateValidationError,
} from './errors.js';
import {
  compileMessages, MESSAGE_ROLES, renderMessages, type CompiledMessages, type ContentMessage, type PromptMessage, type PromptType,
} from './portable/messages.js';
import { compileTemplate, renderTemplate, type CompiledTemplate } from './portable/template.js';
import { PromptCache, type CachedPrompt } from './prompt-cache.js';

/** The subset of `fetch` the SDK calls; the global `fetch` fits, and so does a wrapper around it. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export type VariableValue = string | number | boolean;

export interface PromptgateOptions {
  /** An API key of the environment to serve from (`pg_live_...` or `pg_test_...`). */
  apiKey: string;
  /** The gateway's URL. Default `http://localhost:8080`. */
  baseUrl?: string;
  /** How long an answer is served from memory without asking the gateway. Default 30 000. */
  cacheTtlMs?: number;
  /** How long one gateway request may take before it counts as a failure. Default 2 000. */
  timeoutMs?: number;
  /** Prompts kept in memory; the least recently used goes first. Default 1 000. */
  maxCacheEntries?: number;
  /** Replaces the global `fetch` (tests, proxies, custom agents). */
  fetch?: FetchFunction;
  /** Called once for every gateway request that failed, whatever the callers then got. */
  onError?: (error: PromptgateError, context: { key: string }) => void;
}

export interface ServeOptions {
  /** Values for the prompt's `{{name}}` placeholders; numbers and booleans are sent as text. */
  variables?: Readonly<Record<string, VariableValue>>;
  /** Serve this version number instead of the live one (reproducible runs). */
  version?: number;
  /** Served when the gateway fails and nothing was ever fetched for this call. */
  fallback?: string;
  /** Stops waiting for the gateway; the shared request still completes and fills the cache. */
  signal?: AbortSignal;
}

/**
 * Where a served prompt came from:
 * - `network`: the gateway answered this call (200, or 304 confirming the cached copy);
 * - `cache`: from memory, within `cacheTtlMs` (or a pinned version, which never expires);
 * - `stale`: from memory past `cacheTtlMs`, while a background request revalidates it, or
 *   because the gateway is failing: the last good answer;
 * - `fallback`: the caller's `fallback`, because the gateway failed and nothing was cached.
 */
export type ServeSource = 'network' | 'cache' | 'stale' | 'fallback';

export interface GetPromptOptions {
  /** Get this version number instead of the live one (reproducible runs); cached without a TTL. */
  version?: number;
  /**
   * Used when the gateway fails and nothing was ever fetched for this key: a string for a text
   * prompt, a list of messages for a chat prompt. It compiles as a fetched prompt does.
   */
  fallback?: string | readonly PromptMessage[];
  /** Stops waiting for the gateway; the shared request still completes and fills the cache. */
  signal?: AbortSignal;
}

/** Messages that fill a chat prompt's placeholders, by placeholder name (e.g. the conversation so far). */
export type PlaceholderValues = Readonly<Record<string, readonly ContentMessage[]>>;

interface PromptCommon {
  key: string;
  /** The version number; `null` for a fallback. */
  version: number | null;
  /** The model configuration the version was reviewed with (`model`, `temperature`, ...); `{}` when none. */
  config: Record<string, unknown>;
  /** The `{{variables}}` the prompt uses, in order of first appearance. */
  variables: readonly string[];
  /** True when this may not be the live version: `stale` and `fallback` answers, or the gateway said so. */
  stale: boolean;
  source: ServeSource;
}

/** A text prompt: `compile` substitutes variables exactly as the gateway does. */
export interface TextPrompt extends PromptCommon {
  type: 'text';
  content: string;
  messages: null;
  placeholders: readonly string[];
  compile(variables?: Readonly<Record<string, VariableValue>>): string;
}

/**
 * A chat prompt: `compile` substitutes variables in every message and replaces each placeholder
 * given in `placeholders` by its messages (inserted as is), exactly as the gateway does; a
 * placeholder not given stays in place as `{role: "placeholder", name}`.
 */
export interface ChatPrompt extends PromptCommon {
  type: 'chat';
  content: null;
  messages: PromptMessage[];
  /** The placeholder names, in order. */
  placeholders: readonly string[];
  compile(variables?: Readonly<Record<string, VariableValue>>, placeholders?: PlaceholderValues): PromptMessage[];
}

export type Prompt = TextPrompt | ChatPrompt;

export interface ServedPrompt {
  key: string;
  /** The version number served; `null` for a fallback. */
  version: number | null;
  content: string;
  /** Placeholders left as `{{name}}` because no value was given. */
  unfilledVariables: string[];
  /** True when this may not be the live version: `stale` and `fallback` answers, or the gateway said so (`x-prompt-stale`). */
  stale: boolean;
  source: ServeSource;
}

const DEFAULT_BASE_URL = 'http://localhost:8080';
// Past this length a GET with ?vars= risks proxy and server URL limits, so the variables go in a POST body.
const MAX_GET_URL_LENGTH = 2048;
const MAX_RETRY_PAUSE_MS = 1000;
const VARIABLE_NAME = /^[A-Za-z0-9_]+$/;

/** One serve call, normalised: variables sorted by name so that their order never splits the cache. */
interface ServeRequest {
  key: string;
  version: number | undefined;
  variables: Array<[string, string]>;
  fallback: string | undefined;
  cacheKey: string;
}

type GatewayAnswer =
  | {
      kind: 'prompt'; version: number; type: PromptType; content: string | null; messages: PromptMessage[] | null;
      config: Record<string, unknown>; unfilledVariables: string[]; etag: string | null; staleAtGateway: boolean;
    }
  | { kind: 'not_modified'; staleAtGateway: boolean };

/**
 * The Promptgate client: serves prompts by key from the gateway, keeps them in memory for
 * `cacheTtlMs`, revalidates expired ones in the background, and keeps serving the last good
 * answer while the gateway is unreachable.
 */
export class Promptgate {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly cacheTtlMs: number;
  private readonly timeoutMs: number;
  private readonly fetch: FetchFunction;
  private readonly onError: PromptgateOptions['onError'];
  private readonly cache: PromptCache;
  private readonly inFlight = new Map<string, Promise<CachedPrompt>>();

  constructor(options: PromptgateOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new PromptgateConfigError('new Promptgate(options): options must be an object with at least apiKey');
    }
    const { apiKey, baseUrl = DEFAULT_BASE_URL, cacheTtlMs = 30_000, timeoutMs = 2_000, maxCacheEntries = 1_000 } = options;
    if (typeof apiKey !== 'string' || apiKey.trim() === '') {
      throw new PromptgateConfigError('apiKey is required: an API key of the environment to serve from (pg_live_... or pg_test_...)');
    }
    if (typeof cacheTtlMs !== 'number' || !(cacheTtlMs >= 0)) {
      throw new PromptgateConfigError(`cacheTtlMs must be a number of milliseconds >= 0, got ${String(cacheTtlMs)}`);
    }
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new PromptgateConfigError(`timeoutMs must be a finite number of milliseconds > 0, got ${String(timeoutMs)}`);
    }
    if (!Number.isInteger(maxCacheEntries) || maxCacheEntries < 1) {
      throw new PromptgateConfigError(`maxCacheEntries must be an integer >= 1, got ${String(maxCacheEntries)}`);
    }
    if (options.fetch !== undefined && typeof options.fetch !== 'function') {
      throw new PromptgateConfigError('fetch must be a function');
    }
    if (options.fetch === undefined && typeof globalThis.fetch !== 'function') {
      throw new PromptgateConfigError('this runtime has no global fetch (Node 18+ and browsers do): pass options.fetch');
    }
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new PromptgateConfigError('onError must be a function');
    }
    this.apiKey = apiKey;
    this.baseUrl = parseBaseUrl(baseUrl);
    this.cacheTtlMs = cacheTtlMs;
    this.timeoutMs = timeoutMs;
    // Called through globalThis so that browsers do not reject fetch invoked as a method of another object.
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.onError = options.onError;
    this.cache = new PromptCache(maxCacheEntries);
  }

  /** The prompt's content, variables substituted. */
  async serve(key: string, options: ServeOptions = {}): Promise<string> {
    return (await this.serveJson(key, options)).content;
  }

  /**
   * The prompt with its version, unfilled variables and where the answer came from. A chat prompt
   * is a list of messages, not a string: `serve` of one throws PromptgateTypeError (use getPrompt).
   */
  async serveJson(key: string, options: ServeOptions = {}): Promise<ServedPrompt> {
    const request = describeRequest(key, options);
    const found = await this.lookUp(request, options.signal);
    if (found === null) return servedFallback(request, options.fallback!);
    return servedFrom(found.entry, found.source);
  }

  /**
   * The prompt itself, text or chat, with its model configuration and a `compile` that substitutes
   * variables (and fills placeholders) locally, exactly as the gateway does. One cached copy per
   * key serves every set of variables; it follows the same TTL, revalidation, stale-if-error and
   * fallback rules as `serve`.
   */
  async getPrompt(key: string, options: GetPromptOptions = {}): Promise<Prompt> {
    if (typeof options !== 'object' || options === null) throw new PromptgateConfigError(`getPrompt('${String(key)}'): options must be an object`);
    const request = describeRequest(key, { version: options.version });
    const fallback = options.fallback === undefined ? undefined : readFallback(key, options.fallback);
    const found = await this.lookUp(request, options.signal, fallback !== undefined);
    if (found === null) {
      return fallback!.type === 'text'
        ? textPrompt(key, null, fallback!.content, {}, true, 'fallback')
        : chatPrompt(key, null, fallback!.messages, {}, true, 'fallback');
    }
    const { entry, source } = found;
    const stale = source === 'stale' || entry.staleAtGateway;
    return entry.type === 'chat'
      ? chatPrompt(key, entry.version, entry.messages!, entry.config, stale, source, entry)
      : textPrompt(key, entry.version, entry.content!, entry.config, stale, source, entry);
  }

  /**
   * The cached entry (fresh, or stale while revalidating), else the gateway's answer; null when the
   * gateway failed, nothing is cached and the caller has a fallback.
   */
  private async lookUp(
    request: ServeRequest, signal: AbortSignal | undefined, hasFallback = false,
  ): Promise<{ entry: CachedPrompt; source: 'network' | 'cache' | 'stale' } | null> {
    signal?.throwIfAborted();
    const cached = this.cache.get(request.cacheKey);
    if (cached) {
      const now = clock();
      if (now < cached.freshUntil) return { entry: cached, source: 'cache' };
      if (now >= cached.revalidateAfter) this.fetchShared(request).catch(() => undefined);
      return { entry: cached, source: 'stale' };
    }
    try {
      return { entry: await untilAborted(this.fetchShared(request), signal), source: 'network' };
    } catch (error) {
      if (!(error instanceof PromptgateError) || error instanceof PromptgateConfigError) throw error;
      if (request.fallback !== undefined || hasFallback) return null;
      throw error;
    }
  }

  /** One gateway request per cache key at a time: concurrent callers and revalidations share it. */
  private fetchShared(request: ServeRequest): Promise<CachedPrompt> {
    let flight = this.inFlight.get(request.cacheKey);
    if (!flight) {
      flight = this.fetchPrompt(request).finally(() => this.inFlight.delete(request.cacheKey));
      // A caller may stop waiting (signal) or never wait (revalidation); the rejection is still handled.
      flight.catch(() => undefined);
      this.inFlight.set(request.cacheKey, flight);
    }
    return flight;
  }

  private async fetchPrompt(request: ServeRequest): Promise<CachedPrompt> {
    const previous = this.cache.get(request.cacheKey);
    let answer: GatewayAnswer;
    try {
      answer = await this.callGateway(request, previous);
    } catch (error) {
      const failure = error as PromptgateError;
      this.forgetOrPause(request, previous, failure);
      this.report(failure, request.key);
      throw failure;
    }
    const freshUntil = request.version === undefined ? clock() + this.cacheTtlMs : Infinity;
    const entry: CachedPrompt =
      answer.kind === 'not_modified'
        ? { ...previous!, staleAtGateway: answer.staleAtGateway, freshUntil, revalidateAfter: 0 }
        : {
            key: request.key,
            version: answer.version,
            type: answer.type,
            content: answer.content,
            messages: answer.messages,
            config: answer.config,
            unfilledVariables: answer.unfilledVariables,
            etag: answer.etag,
            staleAtGateway: answer.staleAtGateway,
            freshUntil,
            revalidateAfter: 0,
          };
    this.cache.set(request.cacheKey, entry);
    return entry;
  }

  /**
   * A revoked key (401) must not keep serving anything, and a removed prompt (404) or a refused
   * request (other 4xx) must not keep serving this entry; an outage or rate limit keeps the last
   * good answer and pauses revalidation so that every call does not become a new attempt.
   */
  private forgetOrPause(request: ServeRequest, previous: CachedPrompt | undefined, failure: PromptgateError): void {
    if (failure instanceof PromptgateAuthError) {
      this.cache.clear();
    } else if (failure instanceof PromptgateRateLimitError) {
      const pauseMs = failure.retryAfterSeconds === null ? Math.min(this.cacheTtlMs, MAX_RETRY_PAUSE_MS) : failure.retryAfterSeconds * 1000;
      if (previous) previous.revalidateAfter = clock() + pauseMs;
    } else if (failure instanceof PromptgateUnavailableError) {
      if (previous) previous.revalidateAfter = clock() + Math.min(this.cacheTtlMs, MAX_RETRY_PAUSE_MS);
    } else {
      this.cache.delete(request.cacheKey);
    }
  }

  private report(error: PromptgateError, key: string): void {
    try {
      this.onError?.(error, { key });
    } catch {
      // A failing error callback must not turn a served prompt into an error.
    }
  }

  private async callGateway(request: ServeRequest, previous: CachedPrompt | undefined): Promise<GatewayAnswer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: 'application/json' };
    if (previous?.etag) headers['if-none-match'] = previous.etag;
    let url = this.serveUrl(request, true);
    let init: RequestInit = { method: 'GET', headers };
    if (url.length > MAX_GET_URL_LENGTH) {
      url = this.serveUrl(request, false);
      headers['content-type'] = 'application/json';
      init = { method: 'POST', headers, body: JSON.stringify({ variables: Object.fromEntries(request.variables) }) };
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await this.fetch(url, { ...init, signal: controller.signal });
      return await readAnswer(request, response, Boolean(previous?.etag));
    } catch (error) {
      if (error instanceof PromptgateError) throw error;
      if (controller.signal.aborted) {
        throw new PromptgateTimeoutError(`serve('${request.key}'): no answer from the gateway at ${this.baseUrl} within ${this.timeoutMs} ms`, {
          status: null,
          code: 'timeout',
        });
      }
      throw new PromptgateUnavailableError(`serve('${request.key}'): could not reach the gateway at ${this.baseUrl}: ${describeCause(error)}`, {
        status: null,
        code: 'network_error',
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private serveUrl(request: ServeRequest, withVariables: boolean): string {
    const query: string[] = [];
    if (withVariables) query.push('format=json');
    if (request.version !== undefined) query.push(`version=${request.version}`);
    if (withVariables) for (const [name, value] of request.variables) query.push(`vars=${encodeURIComponent(`${name}=${value}`)}`);
    const path = `${this.baseUrl}/v1/serve/${encodeURIComponent(request.key)}`;
    return query.length ? `${path}?${query.join('&')}` : path;
  }
}

function describeRequest(key: string, options: ServeOptions): ServeRequest {
  if (typeof key !== 'string' || key === '') throw new PromptgateConfigError('serve: the prompt key must be a non-empty string');
  if (typeof options !== 'object' || options === null) throw new PromptgateConfigError(`serve('${key}'): options must be an object`);
  const { version, variables = {}, fallback } = options;
  if (version !== undefined && !(Number.isInteger(version) && version > 0)) {
    throw new PromptgateConfigError(`serve('${key}'): version must be a positive integer, got ${String(version)}`);
  }
  if (fallback !== undefined && typeof fallback !== 'string') {
    throw new PromptgateConfigError(`serve('${key}'): fallback must be a string`);
  }
  const pairs = variablePairs(`serve('${key}')`, variables);
  return { key, version, variables: pairs, fallback, cacheKey: JSON.stringify([key, version ?? null, pairs]) };
}

/** Variables as sorted name/text pairs; a name the gateway would ignore is refused, so a variable never silently stays unfilled. */
function variablePairs(call: string, variables: unknown): Array<[string, string]> {
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    throw new PromptgateConfigError(`${call}: variables must be an object of name -> value`);
  }
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) throw new PromptgateConfigError(`${call}: variable name "${name}" is not made of [A-Za-z0-9_]`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new PromptgateConfigError(`${call}: variable "${name}" must be a string, number or boolean`);
    }
    pairs.push([name, String(value)]);
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A message as API.md fixes it: `{role, content}` of a known role, or `{role: "placeholder", name}`. */
function isPromptMessage(value: unknown, allowPlaceholder: boolean): value is PromptMessage {
  if (!isRecord(value)) return false;
  const fields = Object.keys(value);
  if (value.role === 'placeholder') {
    return allowPlaceholder && fields.length === 2 && typeof value.name === 'string' && VARIABLE_NAME.test(value.name);
  }
  return fields.length === 2 && typeof value.content === 'string' && (MESSAGE_ROLES as readonly unknown[]).includes(value.role);
}

function readFallback(key: string, fallback: unknown): { type: 'text'; content: string } | { type: 'chat'; messages: PromptMessage[] } {
  if (typeof fallback === 'string') return { type: 'text', content: fallback };
  if (Array.isArray(fallback) && fallback.length > 0 && fallback.every((m) => isPromptMessage(m, true))) {
    return { type: 'chat', messages: fallback.map((m: PromptMessage) => ({ ...m })) };
  }
  throw new PromptgateConfigError(`getPrompt('${key}'): fallback must be a string (text prompt) or a non-empty list of messages {role, content} (chat prompt)`);
}

/** Compiled once per cached version, on first use; every `compile` call then only joins. */
const compiledTexts = new WeakMap<object, CompiledTemplate>();
const compiledChats = new WeakMap<object, CompiledMessages>();

function textPrompt(
  key: string, version: number | null, content: string, config: Record<string, unknown>, stale: boolean, source: ServeSource, owner: object = {},
): TextPrompt {
  let compiled = compiledTexts.get(owner);
  if (compiled === undefined) compiledTexts.set(owner, (compiled = compileTemplate(content)));
  const template = compiled;
  return {
    key, type: 'text', version, content, messages: null, config: structuredClone(config), variables: template.variables, placeholders: [], stale, source,
    compile(variables = {}) {
      const rendered = renderTemplate(template, new Map(variablePairs(`compile('${key}')`, variables)));
      if (rendered === null) throw new PromptgateError(`compile('${key}'): the prompt with these variables would be over 1 MiB`, { status: null, code: 'rendered_too_large' });
      return rendered.content;
    },
  };
}

function chatPrompt(
  key: string, version: number | null, messages: PromptMessage[], config: Record<string, unknown>, stale: boolean, source: ServeSource, owner: object = {},
): ChatPrompt {
  let compiled = compiledChats.get(owner);
  if (compiled === undefined) compiledChats.set(owner, (compiled = compileMessages(messages)));
  const chat = compiled;
  return {
    key, type: 'chat', version, content: null, messages: structuredClone(messages), config: structuredClone(config),
    variables: chat.variables, placeholders: chat.placeholders, stale, source,
    compile(variables = {}, placeholders = {}) {
      const call = `compile('${key}')`;
      const fills = new Map<string, ContentMessage[]>();
      if (!isRecord(placeholders)) throw new PromptgateConfigError(`${call}: placeholders must be an object of name -> list of messages`);
      for (const [name, list] of Object.entries(placeholders)) {
        if (!Array.isArray(list) || !list.every((m) => isPromptMessage(m, false))) {
          throw new PromptgateConfigError(`${call}: placeholder "${name}" must be a list of messages {role: system|user|assistant, content}`);
        }
        fills.set(name, list as ContentMessage[]);
      }
      const rendered = renderMessages(chat, new Map(variablePairs(call, variables)), fills);
      if (rendered === null) throw new PromptgateError(`${call}: the messages with these values would be over 1 MiB`, { status: null, code: 'rendered_too_large' });
      return rendered.messages;
    },
  };
}

async function readAnswer(request: ServeRequest, response: Response, askedToRevalidate: boolean): Promise<GatewayAnswer> {
  const staleAtGateway = response.headers.get('x-prompt-stale') === '1';
  if (response.status === 304 && askedToRevalidate) return { kind: 'not_modified', staleAtGateway };
  const text = await response.text();
  if (response.status === 200) {
    const body = parseJson(text) as { version?: unknown; type?: unknown; content?: unknown; messages?: unknown; config?: unknown; unfilled_variables?: unknown } | undefined;
    // A gateway from before chat prompts sends neither type nor config: a text prompt with config {}.
    const type = body?.type ?? 'text';
    const config = body?.config ?? {};
    const bodyOk = type === 'chat'
      ? Array.isArray(body?.messages) && body.messages.length > 0 && body.messages.every((m) => isPromptMessage(m, true)) && (body.content ?? null) === null
      : type === 'text' && typeof body?.content === 'string';
    if (
      body &&
      bodyOk &&
      isRecord(config) &&
      Number.isInteger(body.version) &&
      Array.isArray(body.unfilled_variables) &&
      body.unfilled_variables.every((name) => typeof name === 'string')
    ) {
      return {
        kind: 'prompt',
        version: body.version as number,
        type: type as PromptType,
        content: type === 'text' ? (body.content as string) : null,
        messages: type === 'chat' ? (body.messages as PromptMessage[]) : null,
        config,
        unfilledVariables: body.unfilled_variables as string[],
        etag: response.headers.get('etag'),
        staleAtGateway,
      };
    }
  }
  throw errorFromAnswer(request, response, parseJson(text));
}

function errorFromAnswer(request: ServeRequest, response: Response, body: unknown): PromptgateError {
  const status = response.status;
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : status >= 500 ? 'gateway_error' : 'malformed_answer';
  const detail = typeof error?.message === 'string' ? error.message : `unexpected answer from the gateway`;
  const message = `serve('${request.key}'): ${status} ${code}: ${detail}`;
  if (status === 401) return new PromptgateAuthError(message, { status, code });
  if (status === 404) return new PromptgateNotFoundError(message, { status, code });
  if (status === 400) return new PromptgateValidationError(message, { status, code });
  if (status === 429) return new PromptgateRateLimitError(message, { status, code, retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) });
  if (status >= 400 && status < 500) return new PromptgateError(message, { status, code });
  // 5xx, or a 200 that is not a prompt (a proxy's error page): an outage, not a refusal.
  return new PromptgateUnavailableError(message, { status, code: status === 200 ? 'malformed_answer' : code });
}

function servedFrom(entry: CachedPrompt, source: 'network' | 'cache' | 'stale'): ServedPrompt {
  if (entry.type !== 'text' || entry.content === null) {
    throw new PromptgateTypeError(`serve('${entry.key}'): this is a chat prompt, served as a list of messages: use getPrompt('${entry.key}') and its compile()`);
  }
  return {
    key: entry.key,
    version: entry.version,
    content: entry.content,
    unfilledVariables: [...entry.unfilledVariables],
    stale: source === 'stale' || entry.staleAtGateway,
    source,
  };
}

/** The fallback gets the gateway's substitution rules, so a hard-coded template moved into it reads the same. */
function servedFallback(request: ServeRequest, fallback: string): ServedPrompt {
  const rendered = renderTemplate(compileTemplate(fallback), new Map(request.variables), Infinity)!;
  return { key: request.key, version: null, content: rendered.content, unfilledVariables: rendered.unfilled, stale: true, source: 'fallback' };
}

function parseBaseUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new PromptgateConfigError(`baseUrl must be an http(s) URL without query or fragment, such as ${DEFAULT_BASE_URL}; got ${String(value)}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (header.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function clock(): number {
  return performance.now();
}
