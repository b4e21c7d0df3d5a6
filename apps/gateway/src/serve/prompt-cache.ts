import type { CacheView, GatewayCache } from './gateway-cache.js';
import { SourcesUnavailableError, type PromptStore } from './prompt-store.js';
import { toServedVersion, type ServedVersion } from './served-version.js';

/** One cached answer for a prompt: the version, or null for "no such prompt / version". */
export interface CachedVersion {
  readonly version: ServedVersion | null;
  /** Epoch ms after which the answer must be fetched again (Infinity for a pinned version). */
  expiresAt: number;
  /** Epoch ms before which a failed refresh is not tried again: the answer is served as stale meanwhile. */
  retryAt: number;
}

/**
 * The cached prompts of one environment, a view on the gateway's shared cache: live versions by
 * prompt key, pinned ones by key and number. The view keeps each entry's cache key, built once when
 * the entry is stored, so a hit looks its prompt key up and touches the entry without building a
 * string; the cache tells the view when an entry leaves (forget). The casts hold because no prompt
 * key holds a newline (isPromptKey) and no Authorization header does: a prompt's cache key never
 * names an API key.
 */
export class EnvironmentPrompts implements CacheView {
  private readonly prefix: string;
  private readonly liveKeys = new Map<string, string>();
  private readonly pinnedKeys = new Map<string, Map<number, string>>();

  constructor(private readonly cache: GatewayCache, readonly environmentId: string) {
    this.prefix = `${environmentId}\n`;
    cache.addView(environmentId, this);
  }

  /** How many cache keys the index holds, live and pinned: no more than the entries cached. */
  get indexed(): number {
    let n = this.liveKeys.size;
    for (const byNum of this.pinnedKeys.values()) n += byNum.size;
    return n;
  }

  /** The live answer, marked as just used. */
  live(key: string): CachedVersion | undefined {
    const cacheKey = this.liveKeys.get(key);
    return cacheKey === undefined ? undefined : this.cache.lru.get(cacheKey) as CachedVersion | undefined;
  }

  /** The answer for version `num`, marked as just used. */
  pinned(key: string, num: number): CachedVersion | undefined {
    const cacheKey = this.pinnedKeys.get(key)?.get(num);
    return cacheKey === undefined ? undefined : this.cache.lru.get(cacheKey) as CachedVersion | undefined;
  }

  /** The answer for version `num`, without touching its recency. */
  peekPinned(key: string, num: number): CachedVersion | undefined {
    const cacheKey = this.pinnedKeys.get(key)?.get(num);
    return cacheKey === undefined ? undefined : this.cache.lru.peek(cacheKey) as CachedVersion | undefined;
  }

  /** Keeps an answer unless it alone is over the per-entry bound: the caller serves it either way. */
  setLive(key: string, cached: CachedVersion): void {
    const cacheKey = this.liveKeys.get(key) ?? this.prefix + key;
    this.cache.lru.set(cacheKey, cached);
    if (this.cache.lru.peek(cacheKey) === cached) this.liveKeys.set(key, cacheKey);
    else this.liveKeys.delete(key);
  }

  setPinned(key: string, num: number, cached: CachedVersion): void {
    let byNum = this.pinnedKeys.get(key);
    const cacheKey = byNum?.get(num) ?? `${this.prefix}${key}\n${num}`;
    this.cache.lru.set(cacheKey, cached);
    if (this.cache.lru.peek(cacheKey) !== cached) return this.forget(cacheKey);
    if (byNum === undefined) this.pinnedKeys.set(key, (byNum = new Map<number, string>()));
    byNum.set(num, cacheKey);
  }

  deleteLive(key: string): void {
    const cacheKey = this.liveKeys.get(key);
    if (cacheKey !== undefined) this.cache.lru.delete(cacheKey);
  }

  deletePinned(key: string, num: number): void {
    const cacheKey = this.pinnedKeys.get(key)?.get(num);
    if (cacheKey !== undefined) this.cache.lru.delete(cacheKey);
  }

  /** One of this environment's entries left the cache: drop it from the index. */
  forget(cacheKey: string): void {
    const rest = cacheKey.slice(this.prefix.length);
    const newline = rest.indexOf('\n');
    if (newline === -1) {
      if (this.liveKeys.get(rest) === cacheKey) this.liveKeys.delete(rest);
      return;
    }
    const key = rest.slice(0, newline);
    const byNum = this.pinnedKeys.get(key);
    if (byNum === undefined) return;
    byNum.delete(Number(rest.slice(newline + 1)));
    if (byNum.size === 0) this.pinnedKeys.delete(key);
  }
}

/** How long "not found" is believed, so a typo hammering the gateway does not reach PostgreSQL each time. */
const NOT_FOUND_TTL_MS = 5_000;
/** After Redis and PostgreSQL both failed, how long a stale answer is served before trying them again. */
export const REFRESH_RETRY_MS = 1_000;

export interface Loaded {
  cached: CachedVersion;
  /** True when the answer is an expired one served because its refresh failed. */
  stale: boolean;
}

/**
 * The in-process cache of servable versions: per environment and key, live versions for
 * CACHE_TTL_SECONDS, pinned ones for good (a version never changes). Evicted by the registry's
 * pushes; a miss is read once however many requests wait for it.
 */
export class PromptCache {
  /** Views only (an id each): the entries live in the shared, byte-bounded cache. */
  private readonly environments = new Map<string, EnvironmentPrompts>();
  private readonly loading = new Map<string, Promise<CachedVersion>>();
  /** Bumped by every eviction: a read that started before one must not be kept as current. */
  private evictions = 0;

  constructor(
    private readonly store: PromptStore,
    private readonly ttlMs: number,
    private readonly cache: GatewayCache,
  ) {}

  environment(environmentId: string): EnvironmentPrompts {
    let prompts = this.environments.get(environmentId);
    if (prompts === undefined) {
      prompts = new EnvironmentPrompts(this.cache, environmentId);
      this.environments.set(environmentId, prompts);
    }
    return prompts;
  }

  /** A prompt's live version changed to `versionNum`: forget the live answer, and any "not found" for that number. */
  evictLive(environmentId: string, key: string, versionNum: number): void {
    this.evictions += 1;
    const prompts = this.environments.get(environmentId);
    if (prompts === undefined) return;
    prompts.deleteLive(key);
    const pinned = prompts.peekPinned(key, versionNum);
    if (pinned !== undefined && pinned.version === null) prompts.deletePinned(key, versionNum);
  }

  /** Drops every cached prompt of every environment; the views stay, as API-key entries hold them. */
  clear(): void {
    this.evictions += 1;
    this.cache.deleteWhere((_key, entry) => !('keyHash' in entry));
  }

  /**
   * Fetches the live version (or version `num`) after a miss or an expiry. When Redis and
   * PostgreSQL both fail, an expired answer is served as stale; with nothing cached it rethrows.
   */
  async load(environmentId: string, prompts: EnvironmentPrompts, key: string, num: number | undefined, previous: CachedVersion | undefined, now: number): Promise<Loaded> {
    try {
      return { cached: await this.fetchOnce(environmentId, prompts, key, num), stale: false };
    } catch (err) {
      if (!(err instanceof SourcesUnavailableError) || previous === undefined) throw err;
      previous.retryAt = now + REFRESH_RETRY_MS;
      return { cached: previous, stale: true };
    }
  }

  private fetchOnce(environmentId: string, prompts: EnvironmentPrompts, key: string, num: number | undefined): Promise<CachedVersion> {
    const flight = num === undefined ? `${environmentId}\n${key}` : `${environmentId}\n${key}\n${num}`;
    let pending = this.loading.get(flight);
    if (pending === undefined) {
      pending = this.fetch(environmentId, prompts, key, num).finally(() => this.loading.delete(flight));
      this.loading.set(flight, pending);
    }
    return pending;
  }

  private async fetch(environmentId: string, prompts: EnvironmentPrompts, key: string, num: number | undefined): Promise<CachedVersion> {
    const evictionsBefore = this.evictions;
    const record = num === undefined
      ? await this.store.liveVersion(environmentId, key)
      : await this.store.pinnedVersion(environmentId, key, num);
    const now = Date.now();
    const version = record === null ? null : toServedVersion(key, record, num !== undefined);
    let expiresAt = version === null ? now + Math.min(NOT_FOUND_TTL_MS, this.ttlMs) : num === undefined ? now + this.ttlMs : Infinity;
    // An eviction during the read may concern this very prompt: answer the waiters, but do not trust it for later.
    if (this.evictions !== evictionsBefore && num === undefined) expiresAt = now;
    const cached: CachedVersion = { version, expiresAt, retryAt: 0 };
    if (num === undefined) prompts.setLive(key, cached);
    else prompts.setPinned(key, num, cached);
    return cached;
  }
}
