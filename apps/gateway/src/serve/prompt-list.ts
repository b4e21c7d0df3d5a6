import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { compileMessages, compileTemplate, promptListCursor, readPromptListQuery, retryAfterSeconds, type PromptMessage } from '#domain';
import { errorBody, withTimeout } from '#runtime';
import { sendJson } from '../raw-reply.js';
import type { ApiKeyCache } from './api-key-cache.js';
import type { ServeRateLimiter } from './rate-limiter.js';

/** GET /v1/prompts: one page of what the API key's environment serves, in key order (byte order). */
const LIST_SQL = `
  SELECT p.key, p.type, p.description, v.version_num, v.content, v.messages, v.live_from
    FROM prompts p JOIN prompt_versions v ON v.id = p.live_version_id
   WHERE p.environment_id = $1 AND p.live_version_id IS NOT NULL AND ($2::text IS NULL OR p.key COLLATE "C" > $2::text COLLATE "C")
   ORDER BY p.key COLLATE "C"
   LIMIT $3`;
const POSTGRES_TIMEOUT_MS = 1500;

interface ListRow {
  key: string;
  type: 'text' | 'chat';
  description: string | null;
  version_num: number;
  content: string | null;
  messages: PromptMessage[] | null;
  live_from: Date | null;
}

export interface PromptListItem {
  key: string;
  type: 'text' | 'chat';
  version: number;
  description: string | null;
  variables: string[];
  placeholders: string[];
  /** When the version served now went live. */
  updated_at: string | null;
}

const CACHE_CONTROL = ['cache-control', 'private, no-cache'];
const invalidKey = () => errorBody('invalid_api_key', 'A valid API key is required: Authorization: Bearer <api key>.');

/**
 * The prompt list for SDK warm-up, CLIs and tool integrations. Off the serve hot path: it reads
 * PostgreSQL (the source of truth for what is live) on every call; the API key and the rate limit
 * are checked as for serve.
 */
export class PromptList {
  constructor(
    private readonly pool: pg.Pool,
    private readonly apiKeys: ApiKeyCache,
    private readonly rateLimiter: ServeRateLimiter,
  ) {}

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return sendJson(reply, 401, invalidKey());
    const now = Date.now();
    let entry = this.apiKeys.get(authorization);
    if (entry === undefined || (entry.expiresAt <= now && entry.retryAt <= now)) {
      const loaded = await this.apiKeys.load(authorization, entry, now);
      if (loaded === null) return sendJson(reply, 401, invalidKey());
      entry = loaded;
      if (entry.record !== null && !entry.record.revoked) await this.rateLimiter.prime(entry.record.id, entry.record.rateLimitRpm);
    }
    const apiKey = entry.record;
    if (apiKey === null || apiKey.revoked) return sendJson(reply, 401, invalidKey());

    const query = readPromptListQuery(request.query as Record<string, unknown>);
    if ('problem' in query) {
      return sendJson(reply, 400, errorBody('validation_failed', query.problem, [{ field: query.field, messages: [query.problem] }]));
    }
    let limiter = entry.limiter;
    if (limiter === undefined || limiter.detached) limiter = entry.limiter = this.rateLimiter.limiterFor(apiKey.id, apiKey.rateLimitRpm);
    const wait = this.rateLimiter.admit(limiter, Date.now());
    if (wait > 0) {
      return sendJson(reply, 429, errorBody('rate_limited', 'Too many requests for this API key; retry after the time in retry-after.'), ['retry-after', String(retryAfterSeconds(wait))]);
    }

    let rows: ListRow[];
    try {
      // One more row than the page tells whether there is a next page.
      rows = (await withTimeout(this.pool.query<ListRow>({ name: 'gateway_prompt_list', text: LIST_SQL, values: [apiKey.environmentId, query.after, query.limit + 1] }), POSTGRES_TIMEOUT_MS)).rows;
    } catch {
      return sendJson(reply, 503, errorBody('service_unavailable', 'The prompt list cannot be read right now; retry shortly.'), ['retry-after', '1']);
    }
    const page = rows.slice(0, query.limit);
    const items = page.map(itemOf);
    const next = rows.length > query.limit ? promptListCursor(page.at(-1)!.key) : null;
    sendJson(reply, 200, { items, next_cursor: next }, CACHE_CONTROL);
  }
}

function itemOf(row: ListRow): PromptListItem {
  let variables: string[];
  let placeholders: string[] = [];
  if (row.type === 'chat' && row.messages !== null) {
    const compiled = compileMessages(row.messages);
    variables = [...compiled.variables];
    placeholders = [...compiled.placeholders];
  } else {
    variables = [...compileTemplate(row.content ?? '').variables];
  }
  return {
    key: row.key, type: row.type, version: row.version_num, description: row.description, variables, placeholders,
    updated_at: row.live_from === null ? null : row.live_from.toISOString(),
  };
}
