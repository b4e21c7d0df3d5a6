import { LruMap } from './lru-map.js';
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

/** The cached prompts of one environment: live versions by prompt key, pinned ones by key and number. */
export class EnvironmentPrompts {
  readonly live: LruMap<string, CachedVersion>;
  readonly pinned: LruMap<string, CachedVersion>;

  constructor(capacity: number) {
    this.live = new LruMap(capacity);
    this.pinned = new LruMap(capacity);
  }
}

export const pinnedName = (key: string, num: number) => `${key}\n${num}`;

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
  private readonly environments = new Map<string, EnvironmentPrompts>();
  private readonly loading = new Map<string, Promise<CachedVersion>>();
  /** Bumped by every eviction: a read that started before one must not be kept as current. */
  private evictions = 0;

  constructor(
    private readonly store: PromptStore,
    private readonly ttlMs: number,
    private readonly capacity: number,
  ) {}

  environment(environmentId: string): EnvironmentPrompts {
    let prompts = this.environments.get(environmentId);
    if (prompts === undefined) {
      prompts = new EnvironmentPrompts(this.capacity);
      this.environments.set(environmentId, prompts);
    }
    return prompts;
  }

  /** A prompt's live version changed to `versionNum`: forget the live answer, and any "not found" for that number. */
  evictLive(environmentId: string, key: string, versionNum: number): void {
    this.evictions += 1;
    const prompts = this.environments.get(environmentId);
    if (prompts === undefined) return;
    prompts.live.delete(key);
    const pinned = prompts.pinned.peek(pinnedName(key, versionNum));
    if (pinned !== undefined && pinned.version === null) prompts.pinned.delete(pinnedName(key, versionNum));
  }

  /** Empties every environment in place: API-key entries hold their environment's prompts and must keep seeing evictions. */
  clear(): void {
    this.evictions += 1;
    for (const prompts of this.environments.values()) {
      prompts.live.clear();
      prompts.pinned.clear();
    }
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
    const version = record === null ? null : toServedVersion(key, record);
    let expiresAt = version === null ? now + Math.min(NOT_FOUND_TTL_MS, this.ttlMs) : num === undefined ? now + this.ttlMs : Infinity;
    // An eviction during the read may concern this very prompt: answer the waiters, but do not trust it for later.
    if (this.evictions !== evictionsBefore && num === undefined) expiresAt = now;
    const cached: CachedVersion = { version, expiresAt, retryAt: 0 };
    if (num === undefined) prompts.live.set(key, cached);
    else prompts.pinned.set(pinnedName(key, num), cached);
    return cached;
  }
}
