import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { LiveMessage, LiveSnapshot } from '#contracts';
import { AppLogger, withTimeout } from '#runtime';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';

/**
 * Writes the live snapshot and the version's immutable copy, then publishes the change, in one
 * atomic step like a MULTI. Unlike a MULTI it refuses to put an older version over a newer one of
 * the same prompt: a retried or late write can never undo a later approval, because a prompt's
 * live version number only ever grows.
 */
const WRITE_LIVE_SNAPSHOT = `
local current = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and stored.prompt_id == ARGV[3]
     and tonumber(stored.version_num) and tonumber(stored.version_num) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

/** How long a request waits for Redis before answering anyway, and when the background retries run. */
const FIRST_ATTEMPT_TIMEOUT_MS = 1000;
const RETRY_DELAYS_MS = [500, 2000, 8000];

/**
 * Tells the gateways that a prompt's live version changed, after the change committed. Redis being
 * away never fails the request: the change is in PostgreSQL, the gateways' TTL bounds how stale
 * they get, and the write is retried a few times in the background.
 */
@Injectable()
export class LivePublisher implements OnApplicationShutdown {
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly logger: AppLogger,
  ) {}

  /** Call only once the transaction that made `snapshot` live has committed. */
  async publishLive(snapshot: LiveSnapshot): Promise<void> {
    try {
      await withTimeout(this.write(snapshot), FIRST_ATTEMPT_TIMEOUT_MS);
    } catch (err) {
      this.retryLater(snapshot, 0, err);
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private async write(snapshot: LiveSnapshot): Promise<void> {
    const message: LiveMessage = {
      v: 1, type: 'prompt.live', environment_id: snapshot.environment_id, key: snapshot.key, version_num: snapshot.version_num,
    };
    await this.redis.eval(
      WRITE_LIVE_SNAPSHOT, 2,
      this.names.liveSnapshot(snapshot.environment_id, snapshot.key),
      this.names.versionSnapshot(snapshot.environment_id, snapshot.key, snapshot.version_num),
      JSON.stringify(snapshot), snapshot.version_num, snapshot.prompt_id, this.names.liveChannel, JSON.stringify(message),
    );
  }

  private retryLater(snapshot: LiveSnapshot, attempt: number, err: unknown): void {
    const context = {
      err: { message: err instanceof Error ? err.message : String(err) },
      environment_id: snapshot.environment_id, key: snapshot.key, version_num: snapshot.version_num, attempt: attempt + 1,
    };
    if (attempt >= RETRY_DELAYS_MS.length || this.closed) {
      this.logger.pino.warn(context, 'live snapshot not written to Redis; giving up until the prompt next changes');
      return;
    }
    this.logger.pino.warn(context, 'live snapshot not written to Redis; retrying');
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.write(snapshot).catch((next: unknown) => this.retryLater(snapshot, attempt + 1, next));
    }, RETRY_DELAYS_MS[attempt]);
    timer.unref();
    this.retries.add(timer);
  }
}
