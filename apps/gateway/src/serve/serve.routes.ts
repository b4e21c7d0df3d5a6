import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ifNoneMatchHits, isPromptKey, parseVarsItems, readFormatParam, readServeBody, readVarsParam, readVersionParam,
  renderedEtag, renderMessages, renderTemplate, retryAfterSeconds, variablesFromObject, type ContentMessage, type ServeFormat,
} from '#domain';
import { errorBody, internalErrorBody, type AppLogger } from '#runtime';
import { headerLines, JSON_TYPE, SECURITY_LINES, writeAnswer } from '../raw-reply.js';
import type { ApiKeyCache, CachedApiKey } from './api-key-cache.js';
import type { LiveChannel } from './live-channel.js';
import type { CachedVersion, PromptCache } from './prompt-cache.js';
import type { PromptList } from './prompt-list.js';
import type { ServeRateLimiter } from './rate-limiter.js';
import { answerLines, HIT_LINE, jsonBodyOf, linesWithoutCache, TEXT_TYPE, type ServedAnswer } from './served-version.js';
import type { ServeUsageCounter } from './usage-counter.js';

export interface ServeDependencies {
  apiKeys: ApiKeyCache;
  prompts: PromptCache;
  rateLimiter: ServeRateLimiter;
  usage: ServeUsageCounter;
  liveChannel: LiveChannel;
  promptList: PromptList;
  logger: AppLogger;
}

const MAX_BODY_BYTES = 1024 * 1024;
const NO_VALUES: ReadonlyMap<string, string> = new Map();
const MISS_LINE = 'x-prompt-cache: MISS\r\n';
const STALE_LINES = 'x-prompt-stale: 1\r\nwarning: 110 - "Response is Stale"\r\n';

const errorJson = (code: string, message: string) => JSON.stringify(errorBody(code, message));
const INVALID_API_KEY = errorJson('invalid_api_key', 'A valid API key is required: Authorization: Bearer <api key>.');
const PROMPT_NOT_FOUND = errorJson('prompt_not_found', 'No prompt with this key has a live version in the API key\'s environment.');
const VERSION_NOT_FOUND = errorJson('version_not_found', 'This version of the prompt does not exist or was never live.');
const RATE_LIMITED = errorJson('rate_limited', 'Too many requests for this API key; retry after the time in retry-after.');
const BAD_VERSION = errorJson('validation_failed', 'version must be a positive integer.');
const BAD_FORMAT = errorJson('validation_failed', 'format must be text or json.');
const UNAVAILABLE = errorJson('service_unavailable', 'The prompt is not cached here and its sources cannot be reached; retry shortly.');
const NOT_JSON = errorJson('unsupported_media_type', 'The body must be application/json.');
const RENDERED_TOO_LARGE = errorJson('rendered_too_large', 'The prompt with these variables would be over 1 MiB.');
const NOT_FOUND = errorJson('not_found', 'No such route.');
const BAD_VALUE = (name: string) => errorJson('validation_failed', `The value of ${name} must be text without NUL characters or unpaired surrogates.`);
const SERVE_ALLOW = 'GET, HEAD, POST';
/** Every URL under it belongs to the serve routes, whether a route takes it or not. */
export const SERVE_PREFIX = '/v1/serve/';
const SERVE_PATH = /^\/v1\/serve\/[^/?#]+(?:\?|$)/;
/** A query the hit path reads as it is: `format` and `version` at most once each, with values that need no decoding. */
const HIT_QUERY_ITEM = /^(?:format=(?:text|json)|version=[0-9]{1,10})$/;

/** What the gateway answers under SERVE_PREFIX where no serve route does: no route there, or a failure before one ran. */
export interface ServeFallbacks {
  notFound(request: FastifyRequest, reply: FastifyReply): void;
  failed(reply: FastifyReply, err: unknown): void;
  /** The hit path, run by the HTTP server before Fastify (app.factory.ts): true when it answered. */
  hit: ServeHitPath;
}

/**
 * Answers a GET or HEAD that both caches hit straight from Node's request, before Fastify builds
 * its request and reply; anything else (a miss, variables, a body, an odd URL, an error) returns
 * false with nothing done, and Fastify's route answers it as before.
 */
export interface ServeHitPath {
  (request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * The serve endpoints. A request that hits both caches completes synchronously, with no I/O and
 * no promise; only a miss goes asynchronous.
 */
export function registerServeRoutes(fastify: FastifyInstance, deps: ServeDependencies): ServeFallbacks {
  const handler = new ServeHandler(deps);
  const errorHandler = (err: FastifyError, _request: FastifyRequest, reply: FastifyReply) => handler.failed(reply, err);
  fastify.get('/v1/serve/:key', { errorHandler }, (request, reply) => handler.guarded(request, reply, false));
  fastify.post('/v1/serve/:key', { errorHandler, bodyLimit: MAX_BODY_BYTES }, (request, reply) => handler.guarded(request, reply, true));
  fastify.get('/v1/prompts', { errorHandler }, (request, reply) => {
    deps.promptList.handle(request, reply).catch((err: unknown) => handler.failed(reply, err));
  });
  return { notFound: serveNotFound, failed: (reply, err) => handler.failed(reply, err), hit: (request, response) => handler.hit(request, response) };
}

/** A known path with a method it does not take is 405; anything else under SERVE_PREFIX is no route. */
function serveNotFound(request: FastifyRequest, reply: FastifyReply): void {
  if (SERVE_PATH.test(request.url)) return sendError(reply, 405, errorJson('method_not_allowed', `${request.method} is not allowed here; use ${SERVE_ALLOW}.`), undefined, SERVE_ALLOW);
  sendError(reply, 404, NOT_FOUND);
}

/**
 * Fastify's errors before any route runs (a URL that is not valid percent-encoded UTF-8): the
 * JSON error shape, and for a serve path the prompt key no prompt can have.
 */
export function serveFrameworkError(_err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  if (request.url.startsWith(SERVE_PREFIX)) return sendError(reply, 404, PROMPT_NOT_FOUND);
  sendError(reply, 400, errorJson('validation_failed', 'The URL is not valid.'));
}

type ServeRequest = FastifyRequest;
interface ServeQuery {
  version?: unknown;
  format?: unknown;
  vars?: unknown;
}

class ServeHandler {
  constructor(private readonly deps: ServeDependencies) {}

  hit(request: IncomingMessage, response: ServerResponse): boolean {
    const method = request.method;
    const url = request.url;
    if ((method !== 'GET' && method !== 'HEAD') || url === undefined || !url.startsWith(SERVE_PREFIX)) return false;
    const headers = request.headers;
    const authorization = headers.authorization;
    if (authorization === undefined) return false;
    const query = url.indexOf('?', SERVE_PREFIX.length);
    // The key as find-my-way would decode it: a prompt key's characters are never percent-encoded.
    const key = query === -1 ? url.slice(SERVE_PREFIX.length) : url.slice(SERVE_PREFIX.length, query);
    if (!isPromptKey(key)) return false;
    let num: number | undefined;
    let format: ServeFormat = 'text';
    if (query !== -1 && query + 1 < url.length) {
      let seenFormat = false;
      for (const item of url.slice(query + 1).split('&')) {
        if (!HIT_QUERY_ITEM.test(item)) return false;
        if (item.charCodeAt(0) === 0x66 /* f */) {
          if (seenFormat) return false;
          seenFormat = true;
          format = item === 'format=json' ? 'json' : 'text';
        } else {
          if (num !== undefined) return false;
          const read = readVersionParam(item.slice('version='.length));
          if (read === undefined || read === null || read === Infinity) return false;
          num = read;
        }
      }
    }
    try {
      const now = Date.now();
      const entry = this.deps.apiKeys.get(authorization);
      if (entry === undefined || entry.expiresAt <= now) return false;
      const apiKey = entry.record;
      if (apiKey === null || apiKey.revoked) return false;
      const prompts = entry.prompts ?? (entry.prompts = this.deps.prompts.environment(apiKey.environmentId));
      const cached = num === undefined ? prompts.live(key) : prompts.pinned(key, num);
      if (cached === undefined || cached.expiresAt <= now || cached.version === null) return false;
      // Decided: from here on the hit path answers, as the route would have.
      let limiter = entry.limiter;
      if (limiter === undefined || limiter.detached) limiter = entry.limiter = this.deps.rateLimiter.limiterFor(apiKey.id, apiKey.rateLimitRpm);
      const wait = this.deps.rateLimiter.admit(limiter, now);
      if (wait > 0) {
        sendRawError(response, 429, RATE_LIMITED, String(retryAfterSeconds(wait)));
        return true;
      }
      const stale = num === undefined && !this.deps.liveChannel.connected;
      this.answer(headers, response, entry, cached, num, format, undefined, 'HIT', stale, now);
    } catch (err) {
      if (!response.headersSent) this.failedRaw(response, err);
    }
    return true;
  }

  /** Every error on the serve path ends as an answer (a 500 with an id in the log at worst), never as a throw. */
  guarded(request: ServeRequest, reply: FastifyReply, post: boolean): void {
    try {
      this.serve(request, reply, post);
    } catch (err) {
      this.failed(reply, err);
    }
  }

  serve(request: ServeRequest, reply: FastifyReply, post: boolean): void {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return sendError(reply, 401, INVALID_API_KEY);
    const now = Date.now();
    const entry = this.deps.apiKeys.get(authorization);
    if (entry !== undefined && entry.expiresAt > now) return this.authenticated(request, reply, post, entry, false, now);
    if (entry !== undefined && entry.retryAt > now) return this.authenticated(request, reply, post, entry, true, now);
    this.deps.apiKeys.load(authorization, entry, now).then(
      async (loaded) => {
        if (loaded === null) return sendError(reply, 401, INVALID_API_KEY);
        const apiKey = loaded.record;
        if (apiKey !== null && !apiKey.revoked) await this.deps.rateLimiter.prime(apiKey.id, apiKey.rateLimitRpm);
        const at = Date.now();
        this.authenticated(request, reply, post, loaded, loaded.expiresAt <= at, at);
      },
      (err: unknown) => this.failed(reply, err),
    ).catch((err: unknown) => this.failed(reply, err));
  }

  private authenticated(request: ServeRequest, reply: FastifyReply, post: boolean, entry: CachedApiKey, keyStale: boolean, now: number): void {
    const apiKey = entry.record;
    if (apiKey === null || apiKey.revoked) return sendError(reply, 401, INVALID_API_KEY);
    const query = request.query as ServeQuery;
    const num = readVersionParam(query.version);
    if (num === null) return sendError(reply, 400, BAD_VERSION);
    let format: ServeFormat | null = 'json';
    let values: ReadonlyMap<string, string> | undefined;
    let fills: ReadonlyMap<string, readonly ContentMessage[]> | undefined;
    if (post) {
      const contentType = request.headers['content-type'];
      if (request.body !== undefined && (contentType === undefined || !contentType.includes('json'))) return sendError(reply, 415, NOT_JSON);
      const body = readServeBody(request.body);
      if ('problem' in body) return sendError(reply, 400, errorJson('validation_failed', body.problem));
      values = variablesFromObject(body.variables);
      fills = body.placeholders;
    } else {
      format = readFormatParam(query.format);
      if (format === null) return sendError(reply, 400, BAD_FORMAT);
      if (query.vars !== undefined) values = parseVarsItems(readVarsParam(query.vars));
    }
    if (values !== undefined && values.size > 0) {
      const bad = badVariable(values);
      if (bad !== undefined) return sendError(reply, 400, BAD_VALUE(post ? `variables.${bad}` : `vars item ${bad}`));
    }
    // No prompt key holds NUL or an unpaired surrogate (isPromptKey), and no stored version is above int4: neither is looked up.
    const key = (request.params as { key: string }).key;
    if (!isPromptKey(key)) return sendError(reply, 404, num === undefined ? PROMPT_NOT_FOUND : VERSION_NOT_FOUND);
    if (num === Infinity) return sendError(reply, 404, VERSION_NOT_FOUND);

    let limiter = entry.limiter;
    if (limiter === undefined || limiter.detached) limiter = entry.limiter = this.deps.rateLimiter.limiterFor(apiKey.id, apiKey.rateLimitRpm);
    const wait = this.deps.rateLimiter.admit(limiter, now);
    if (wait > 0) return sendError(reply, 429, RATE_LIMITED, String(retryAfterSeconds(wait)));

    const prompts = entry.prompts ?? (entry.prompts = this.deps.prompts.environment(apiKey.environmentId));
    const cached = num === undefined ? prompts.live(key) : prompts.pinned(key, num);
    if (cached !== undefined && (cached.expiresAt > now || cached.retryAt > now)) {
      // Without the live channel a push may have been missed: the answer is only as fresh as the last one received.
      const stale = keyStale || cached.expiresAt <= now || (num === undefined && !this.deps.liveChannel.connected);
      return this.answer(request.headers, raw(reply), entry, cached, num, format, values, 'HIT', stale, now, fills);
    }
    this.deps.prompts.load(apiKey.environmentId, prompts, key, num, cached, now)
      .then((loaded) => this.answer(request.headers, raw(reply), entry, loaded.cached, num, format, values, loaded.stale ? 'HIT' : 'MISS', keyStale || loaded.stale, Date.now(), fills))
      .catch((err: unknown) => this.failed(reply, err));
  }

  private answer(
    headers: IncomingHttpHeaders, response: ServerResponse, entry: CachedApiKey, cached: CachedVersion, num: number | undefined,
    format: ServeFormat, values: ReadonlyMap<string, string> | undefined, cache: 'HIT' | 'MISS', stale: boolean, now: number,
    fills?: ReadonlyMap<string, readonly ContentMessage[]>,
  ): void {
    const version = cached.version;
    if (version === null) return sendRawError(response, 404, num === undefined ? PROMPT_NOT_FOUND : VERSION_NOT_FOUND);

    let answer: ServedAnswer;
    const chat = version.chat;
    if (chat !== null) {
      // A chat prompt always answers JSON: variables in every message, placeholders filled as given.
      const hasValues = values !== undefined && values.size > 0 && chat.variables.length > 0;
      const hasFills = fills !== undefined && fills.size > 0 && chat.placeholders.length > 0;
      if (!hasValues && !hasFills) {
        answer = version.json;
      } else {
        const rendered = renderMessages(chat, values ?? NO_VALUES, fills);
        if (rendered === null) return sendRawError(response, 422, RENDERED_TOO_LARGE);
        const body = jsonBodyOf(version, null, rendered.messages, rendered.unfilledVariables, rendered.unfilledPlaceholders);
        const etag = renderedEtag(version.versionId, 'j', body);
        answer = { body, etag, hitLines: answerLines(JSON_TYPE, body, etag, version.versionHeader, version.cacheControl, 'chat') + HIT_LINE };
      }
    } else if (values === undefined || values.size === 0 || version.compiled.names.length === 0) {
      answer = format === 'json' ? version.json : version.text;
    } else {
      const rendered = renderTemplate(version.compiled, values);
      if (rendered === null) return sendRawError(response, 422, RENDERED_TOO_LARGE);
      const body = format === 'json' ? jsonBodyOf(version, rendered.content, null, rendered.unfilled, []) : rendered.content;
      const etag = renderedEtag(version.versionId, format === 'json' ? 'j' : 't', body);
      answer = { body, etag, hitLines: answerLines(format === 'json' ? JSON_TYPE : TEXT_TYPE, body, etag, version.versionHeader, version.cacheControl, 'text') + HIT_LINE };
    }

    this.deps.usage.record(entry.record!.id, version.versionId, now);
    const ifNoneMatch = headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, answer.etag)) {
      // A 304 carries the validators and cache headers of the 200, but no body, so neither its type nor its length.
      let lines = `etag: ${answer.etag}\r\nx-prompt-version: ${version.versionHeader}\r\nx-prompt-type: ${version.type}\r\n${cache === 'HIT' ? HIT_LINE : MISS_LINE}` +
        `cache-control: ${version.cacheControl}\r\n${SECURITY_LINES}`;
      if (stale) lines += STALE_LINES;
      return writeAnswer(response, 304, lines, undefined, now);
    }
    let lines = cache === 'HIT' ? answer.hitLines : linesWithoutCache(answer) + MISS_LINE;
    if (stale) lines += STALE_LINES;
    writeAnswer(response, 200, lines, answer.body, now);
  }

  /** Errors outside the expected answers: a body Fastify refused (400/413/415), or a failure (503 or 500). */
  failed(reply: FastifyReply, err: unknown): void {
    if (reply.raw.headersSent || reply.raw.writableEnded) return;
    this.failedRaw(raw(reply), err);
  }

  failedRaw(response: ServerResponse, err: unknown): void {
    if (response.headersSent || response.writableEnded) return;
    const status = (err as { statusCode?: unknown } | null)?.statusCode;
    if (status === 413) return sendRawError(response, 413, errorJson('payload_too_large', 'The body is over 1 MiB.'));
    if (status === 415) return sendRawError(response, 415, NOT_JSON);
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendRawError(response, 400, errorJson('validation_failed', 'The body is not valid JSON.'));
    }
    if ((err as Error | null)?.name === 'SourcesUnavailableError') return sendRawError(response, 503, UNAVAILABLE, '1');
    const errorId = randomUUID();
    this.deps.logger.pino.error({ err, error_id: errorId }, 'serve failed');
    sendRawError(response, 500, JSON.stringify(internalErrorBody(errorId)));
  }
}

/** Fastify stands aside from here (`hijack`): the answer is written on Node's response, as the hit path writes it. */
function raw(reply: FastifyReply): ServerResponse {
  if (!reply.sent) reply.hijack();
  return reply.raw;
}

function sendError(reply: FastifyReply, status: number, body: string, retryAfter?: string, allow?: string): void {
  sendRawError(raw(reply), status, body, retryAfter, allow);
}

function sendRawError(response: ServerResponse, status: number, body: string, retryAfter?: string, allow?: string): void {
  let lines = `content-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${SECURITY_LINES}`;
  if (retryAfter !== undefined) lines += headerLines(['retry-after', retryAfter]);
  if (allow !== undefined) lines += headerLines(['allow', allow]);
  writeAnswer(response, status, lines, body);
}

/** Node 20 has String.prototype.isWellFormed (ES2024); the project's TypeScript lib is older. */
type WellFormedString = string & { isWellFormed(): boolean };

/** The first variable whose value PostgreSQL could never hold as text (NUL) or UTF-8 cannot carry (an unpaired surrogate). */
function badVariable(values: ReadonlyMap<string, string>): string | undefined {
  for (const [name, value] of values) {
    if (value.includes('\u0000') || !(value as WellFormedString).isWellFormed()) return name;
  }
  return undefined;
}
