import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS, LoginFailureCounter } from '#domain';
import { AppLogger } from '#runtime';
import { withTimeout } from '#runtime';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';

const REDIS_TIMEOUT_MS = 500;

/**
 * Failed logins per email. The count lives in Redis so every replica enforces one limit; while
 * Redis is unreachable each process counts on its own (fail open, but not unlimited).
 */
@Injectable()
export class LoginAttempts {
  private readonly local = new LoginFailureCounter();

  constructor(
    private readonly redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly logger: AppLogger,
  ) {}

  /** Seconds until `email` may try again; 0 when it may now. */
  async retryAfterSeconds(email: string): Promise<number> {
    const key = this.names.loginFailures(email);
    const shared = await this.shared(async () => {
      const [count, ttlMs] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      if (Number(count ?? 0) < LOGIN_FAILURE_LIMIT) return 0;
      return ttlMs > 0 ? Math.ceil(ttlMs / 1000) : LOGIN_FAILURE_WINDOW_SECONDS;
    });
    return shared ?? this.local.retryAfterSeconds(email);
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.names.loginFailures(email);
    const done = await this.shared(async () => {
      // The window starts at the first failure: SET NX gives it its expiry, INCR keeps it.
      await this.redis.multi().set(key, 0, 'EX', LOGIN_FAILURE_WINDOW_SECONDS, 'NX').incr(key).exec();
      return true;
    });
    if (done === undefined) this.local.recordFailure(email);
  }

  async clear(email: string): Promise<void> {
    this.local.clear(email);
    await this.shared(() => this.redis.del(this.names.loginFailures(email)));
  }

  /** Runs a Redis step; undefined when Redis cannot answer now. */
  private async shared<T>(step: () => Promise<T>): Promise<T | undefined> {
    if (this.redis.status !== 'ready') return undefined;
    try {
      return await withTimeout(step(), REDIS_TIMEOUT_MS);
    } catch (err) {
      this.logger.pino.warn({ err: { message: (err as Error).message } }, 'login limiter fell back to the in-process count');
      return undefined;
    }
  }
}
