import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LOGIN_FAILURE_LIMIT, LoginFailureCounter } from '#domain';
import { AppLogger, withTimeout } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';

const REDIS_TIMEOUT_MS = 500;

// LoginFailureCounter.reserve, atomically in Redis: KEYS[1] the counter, ARGV[1] the limit, ARGV[2]
// the window in ms. Answers 0 when counted, else the ms left in the window (nothing counted).
const RESERVE_LUA = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return math.max(ttl, 1)
end
redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

// LoginFailureCounter.release: one attempt given back, never below zero.
const RELEASE_LUA = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

type LimiterRedis = Redis & {
  loginReserve(key: string, limit: number, windowMs: number): Promise<number>;
  loginRelease(key: string): Promise<number>;
};

export type LoginAdmission =
  | { admitted: true }
  | { admitted: false; scope: 'email' | 'client'; retryAfterSeconds: number };

/**
 * Login attempts per email (10 per window, API.md) and failed logins per client address (across
 * emails, LOGIN_CLIENT_FAILURE_LIMIT). An attempt is counted before its password is checked, by
 * one atomic Redis script per counter, and refused without counting once a count is at its limit:
 * concurrent attempts cannot slip past it and a count never exceeds its limit. The counts live in
 * Redis so every replica enforces one limit; while Redis is unreachable each process counts on its
 * own with the same rule (fail open, but not unlimited).
 */
@Injectable()
export class LoginAttempts {
  private readonly windowMs: number;
  private readonly clientLimit: number;
  private readonly localEmail: LoginFailureCounter;
  private readonly localClient: LoginFailureCounter;
  private readonly redis: LimiterRedis;

  constructor(
    redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly logger: AppLogger,
  ) {
    this.windowMs = config.LOGIN_FAILURE_WINDOW_SECONDS * 1000;
    this.clientLimit = config.LOGIN_CLIENT_FAILURE_LIMIT;
    this.localEmail = new LoginFailureCounter(LOGIN_FAILURE_LIMIT, this.windowMs);
    this.localClient = new LoginFailureCounter(this.clientLimit, this.windowMs);
    if (!('loginReserve' in redis)) {
      redis.defineCommand('loginReserve', { numberOfKeys: 1, lua: RESERVE_LUA });
      redis.defineCommand('loginRelease', { numberOfKeys: 1, lua: RELEASE_LUA });
    }
    this.redis = redis as LimiterRedis;
  }

  /**
   * Counts one attempt for `email` and one for `client`, or refuses (counting neither) when either
   * is at its limit. The email is counted first, so an address locked for one email spends nothing
   * of its per-client allowance.
   */
  async admit(email: string, client: string): Promise<LoginAdmission> {
    const emailWait = await this.reserve(this.emailKey(email), LOGIN_FAILURE_LIMIT, this.localEmail);
    if (emailWait > 0) return { admitted: false, scope: 'email', retryAfterSeconds: emailWait };
    const clientWait = await this.reserve(this.clientKey(client), this.clientLimit, this.localClient);
    if (clientWait > 0) {
      await this.release(this.emailKey(email), this.localEmail);
      return { admitted: false, scope: 'client', retryAfterSeconds: clientWait };
    }
    return { admitted: true };
  }

  /** A successful login: the email's count is cleared and the client's attempt given back (only failures count per client). */
  async succeeded(email: string, client: string): Promise<void> {
    const key = this.emailKey(email);
    this.localEmail.clear(key);
    await this.shared(() => this.redis.del(key));
    await this.release(this.clientKey(client), this.localClient);
  }

  private emailKey(email: string): string {
    return this.names.loginFailures(email);
  }

  // Emails always contain "@" and client addresses never do, so the two kinds of key cannot meet.
  private clientKey(client: string): string {
    return this.names.loginFailures(`client:${client}`);
  }

  private async reserve(key: string, limit: number, local: LoginFailureCounter): Promise<number> {
    const waitMs = await this.shared(() => this.redis.loginReserve(key, limit, this.windowMs));
    if (waitMs === undefined) return local.reserve(key);
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  private async release(key: string, local: LoginFailureCounter): Promise<void> {
    local.release(key);
    await this.shared(() => this.redis.loginRelease(key));
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
