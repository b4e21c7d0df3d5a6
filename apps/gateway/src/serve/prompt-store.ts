import type { Redis } from 'ioredis';
import type pg from 'pg';
import { parseApiKeySnapshot, parseLiveSnapshot, type LiveSnapshot, type RedisNames } from '#contracts';
import type { ModelConfig, PromptMessage, PromptType } from '#domain';
import { withTimeout } from '#runtime';

/** What the gateway needs of a version to serve it. */
export interface VersionRecord {
  versionId: string;
  versionNum: number;
  type: PromptType;
  /** A text prompt's content; null for a chat prompt. */
  content: string | null;
  /** A chat prompt's messages; null for a text prompt. */
  messages: PromptMessage[] | null;
  config: ModelConfig;
}

/** What the gateway needs of an API key to admit a request. */
export interface ApiKeyRecord {
  id: string;
  environmentId: string;
  rateLimitRpm: number;
  revoked: boolean;
}

/** Neither Redis nor PostgreSQL could answer: the caller serves what it has cached, or a 503. */
export class SourcesUnavailableError extends Error {
  constructor(what: string) {
    super(`Neither Redis nor PostgreSQL answered for ${what}.`);
    this.name = 'SourcesUnavailableError';
  }
}

/** A cache miss must not hang on a server that is away: bounded waits, then the next source. */
const REDIS_TIMEOUT_MS = 300;
const POSTGRES_TIMEOUT_MS = 1500;
const LOST = new Set(['reconnecting', 'close', 'end']);

const LIVE_VERSION_SQL = `
  SELECT v.id AS version_id, v.version_num, p.type, v.content, v.messages, v.config
    FROM prompts p JOIN prompt_versions v ON v.id = p.live_version_id
   WHERE p.environment_id = $1 AND p.key = $2`;

const PINNED_VERSION_SQL = `
  SELECT v.id AS version_id, v.version_num, p.type, v.content, v.messages, v.config
    FROM prompts p JOIN prompt_versions v ON v.prompt_id = p.id
   WHERE p.environment_id = $1 AND p.key = $2 AND v.version_num = $3 AND v.status IN ('approved', 'archived')`;

const API_KEY_SQL = `
  SELECT id, environment_id, rate_limit_rpm, revoked_at IS NOT NULL AS revoked
    FROM api_keys WHERE key_hash = $1`;

interface VersionRow {
  version_id: string;
  version_num: number;
  type: PromptType;
  content: string | null;
  messages: PromptMessage[] | null;
  config: ModelConfig;
}
interface ApiKeyRow {
  id: string;
  environment_id: string;
  rate_limit_rpm: number;
  revoked: boolean;
}

/**
 * The gateway's reads on a cache miss: the Redis snapshot the registry writes on every change,
 * then PostgreSQL (read-only, plain parameterised SQL) when Redis has no snapshot or is away.
 * PostgreSQL alone can say that something does not exist; a missing snapshot proves nothing.
 */
export class PromptStore {
  constructor(
    private readonly redis: Redis,
    private readonly pool: pg.Pool,
    private readonly names: RedisNames,
  ) {}

  /** The live version of a prompt, or null when the prompt has none in that environment. */
  async liveVersion(environmentId: string, key: string): Promise<VersionRecord | null> {
    const raw = await this.redisGet(this.names.liveSnapshot(environmentId, key));
    const snapshot = raw === undefined || raw === null ? null : parseLiveSnapshot(raw);
    if (snapshot && snapshot.environment_id === environmentId && snapshot.key === key) return fromSnapshot(snapshot);
    const rows = await this.query<VersionRow>(`live version of ${key}`, 'gateway_live_version', LIVE_VERSION_SQL, [environmentId, key]);
    return rows.length ? versionOf(rows[0]) : null;
  }

  /** Version `num` of a prompt if it was ever live (approved or archived), else null. */
  async pinnedVersion(environmentId: string, key: string, num: number): Promise<VersionRecord | null> {
    // The registry writes a version's snapshot only when the version goes live, so one found here was live.
    const raw = await this.redisGet(this.names.versionSnapshot(environmentId, key, num));
    const snapshot = raw === undefined || raw === null ? null : parseLiveSnapshot(raw);
    if (snapshot && snapshot.environment_id === environmentId && snapshot.key === key && snapshot.version_num === num) return fromSnapshot(snapshot);
    const rows = await this.query<VersionRow>(`version ${num} of ${key}`, 'gateway_pinned_version', PINNED_VERSION_SQL, [environmentId, key, num]);
    return rows.length ? versionOf(rows[0]) : null;
  }

  /** The API key with this SHA-256, or null when there is none. */
  async apiKey(keyHash: string): Promise<ApiKeyRecord | null> {
    const raw = await this.redisGet(this.names.apiKey(keyHash));
    const snapshot = raw === undefined || raw === null ? null : parseApiKeySnapshot(raw);
    if (snapshot) {
      return { id: snapshot.id, environmentId: snapshot.environment_id, rateLimitRpm: snapshot.rate_limit_rpm, revoked: snapshot.revoked };
    }
    const rows = await this.query<ApiKeyRow>('an API key', 'gateway_api_key', API_KEY_SQL, [keyHash]);
    if (!rows.length) return null;
    const row = rows[0];
    return { id: row.id, environmentId: row.environment_id, rateLimitRpm: row.rate_limit_rpm, revoked: row.revoked };
  }

  /** The value, null when absent, undefined when Redis could not answer. */
  private async redisGet(name: string): Promise<string | null | undefined> {
    // A client that lost its connection would queue the command until it gives up: ask PostgreSQL at once instead.
    if (LOST.has(this.redis.status)) return undefined;
    try {
      return await withTimeout(this.redis.get(name), REDIS_TIMEOUT_MS);
    } catch {
      return undefined;
    }
  }

  /** Reached only when Redis had no snapshot or was away, so PostgreSQL failing too leaves no answer. */
  private async query<R extends pg.QueryResultRow>(what: string, name: string, text: string, values: unknown[]): Promise<R[]> {
    try {
      const result = await withTimeout(this.pool.query<R>({ name, text, values }), POSTGRES_TIMEOUT_MS);
      return result.rows;
    } catch {
      throw new SourcesUnavailableError(what);
    }
  }
}

function versionOf(row: VersionRow): VersionRecord {
  return { versionId: row.version_id, versionNum: row.version_num, type: row.type, content: row.content, messages: row.messages, config: row.config };
}

function fromSnapshot(s: LiveSnapshot): VersionRecord {
  return { versionId: s.version_id, versionNum: s.version_num, type: s.type, content: s.content, messages: s.messages, config: s.config };
}
