import { checkApiKeyFormat, hashApiKey } from '#domain';
import type { GatewayCache } from './gateway-cache.js';
import { SourcesUnavailableError, type ApiKeyRecord, type PromptStore } from './prompt-store.js';
import { REFRESH_RETRY_MS, type EnvironmentPrompts } from './prompt-cache.js';
import type { KeyLimiter } from './rate-limiter.js';

/** One presented credential, as last looked up. */
export interface CachedApiKey {
  readonly keyHash: string;
  /** null: no such key. */
  record: ApiKeyRecord | null;
  expiresAt: number;
  retryAt: number;
  /** Resolved on first use, so a hit finds its limiter and its environment's prompts without a lookup. */
  limiter?: KeyLimiter;
  prompts?: EnvironmentPrompts;
}

/** How long "no such key" is believed: a key is known to Redis before anyone holds it, so this only spares lookups of wrong keys. */
const UNKNOWN_KEY_TTL_MS = 5_000;
const BEARER = 'Bearer ';

/**
 * The in-process cache of API keys, by the whole `Authorization` header value, so a hit costs
 * one map read and no hashing. Revocations pushed by the registry mark entries at once.
 */
export class ApiKeyCache {
  private readonly loading = new Map<string, Promise<CachedApiKey>>();
  private revocations = 0;

  constructor(
    private readonly store: PromptStore,
    private readonly ttlMs: number,
    private readonly cache: GatewayCache,
  ) {}

  /** The entry, marked as just used; the cast holds as a header never names a prompt's entry (those hold a newline). */
  get(authorization: string): CachedApiKey | undefined {
    return this.cache.lru.get(authorization) as CachedApiKey | undefined;
  }

  /** The key with this hash was revoked: refuse it from now on, wherever it is cached (found by the cache's index, not a scan). */
  revoke(keyHash: string): void {
    this.revocations += 1;
    for (const authorization of this.cache.headersOfKeyHash(keyHash)) {
      const entry = this.cache.lru.peek(authorization) as CachedApiKey | undefined;
      if (entry !== undefined && entry.keyHash === keyHash && entry.record !== null) entry.record = { ...entry.record, revoked: true };
    }
  }

  clear(): void {
    this.revocations += 1;
    this.cache.deleteWhere((_key, entry) => 'keyHash' in entry);
  }

  /**
   * Looks a credential up after a miss or an expiry; null for a header that holds no well-formed
   * key (refused without any lookup). When both sources fail, an expired entry is used as is.
   */
  async load(authorization: string, previous: CachedApiKey | undefined, now: number): Promise<CachedApiKey | null> {
    if (!authorization.startsWith(BEARER)) return null;
    const key = authorization.slice(BEARER.length);
    if (checkApiKeyFormat(key) === null) return null;
    try {
      let pending = this.loading.get(authorization);
      if (pending === undefined) {
        pending = this.fetch(authorization, hashApiKey(key)).finally(() => this.loading.delete(authorization));
        this.loading.set(authorization, pending);
      }
      return await pending;
    } catch (err) {
      if (!(err instanceof SourcesUnavailableError) || previous === undefined) throw err;
      previous.retryAt = now + REFRESH_RETRY_MS;
      return previous;
    }
  }

  private async fetch(authorization: string, keyHash: string): Promise<CachedApiKey> {
    const revocationsBefore = this.revocations;
    const record = await this.store.apiKey(keyHash);
    const now = Date.now();
    let expiresAt = now + (record === null ? Math.min(UNKNOWN_KEY_TTL_MS, this.ttlMs) : this.ttlMs);
    // A revocation pushed during the read may be of this key: use the answer once, then read again.
    if (this.revocations !== revocationsBefore) expiresAt = now;
    const entry: CachedApiKey = { keyHash, record, expiresAt, retryAt: 0 };
    this.cache.setApiKey(authorization, entry);
    return entry;
  }
}
