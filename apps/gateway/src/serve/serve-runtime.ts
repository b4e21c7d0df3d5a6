import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { redisNames } from '#contracts';
import type { GatewayConfig } from '#config';
import { closeRedis, createRedisClient, type AppLogger } from '#runtime';
import { ApiKeyCache } from './api-key-cache.js';
import { GatewayCache } from './gateway-cache.js';
import { LiveChannel } from './live-channel.js';
import { PromptCache } from './prompt-cache.js';
import { PromptList } from './prompt-list.js';
import { PromptStore } from './prompt-store.js';
import { ServeRateLimiter } from './rate-limiter.js';
import type { ServeDependencies } from './serve.routes.js';
import { ServeUsageCounter } from './usage-counter.js';

/**
 * Everything the serve routes use, built once by the gateway's composition root (app.factory.ts),
 * which starts it before listening and closes it after the HTTP server has closed. Timers are unref'd.
 */
export class ServeRuntime implements ServeDependencies {
  readonly apiKeys: ApiKeyCache;
  readonly prompts: PromptCache;
  readonly cache: GatewayCache;
  readonly rateLimiter: ServeRateLimiter;
  readonly usage: ServeUsageCounter;
  readonly liveChannel: LiveChannel;
  readonly promptList: PromptList;
  private readonly subscriber: Redis;

  constructor(config: GatewayConfig, pool: pg.Pool, redis: Redis, readonly logger: AppLogger) {
    const names = redisNames(config.REDIS_PREFIX);
    const ttlMs = config.CACHE_TTL_SECONDS * 1000;
    const store = new PromptStore(redis, pool, names);
    for (const old of ['PROMPT_CACHE_SIZE', 'API_KEY_CACHE_SIZE'] as const) {
      if (config[old] !== undefined) logger.pino.warn({ variable: old }, `${old} is ignored: the cache is bounded in bytes by GATEWAY_CACHE_MB`);
    }
    this.cache = new GatewayCache(config.GATEWAY_CACHE_MB * 1024 * 1024);
    this.prompts = new PromptCache(store, ttlMs, this.cache);
    this.apiKeys = new ApiKeyCache(store, ttlMs, this.cache);
    this.rateLimiter = new ServeRateLimiter(redis, names, config.RATE_LIMIT_SYNC_MS, logger);
    this.promptList = new PromptList(pool, this.apiKeys, this.rateLimiter);
    this.subscriber = createRedisClient(config.REDIS_URL, logger, 'promptgate-gateway-live');
    this.liveChannel = new LiveChannel(this.subscriber, redis, names.liveChannel, this.prompts, this.apiKeys, logger);
    const gatewayId = config.GATEWAY_ID ?? `${hostname()}:${process.pid}`;
    this.usage = new ServeUsageCounter(config.REDIS_URL, names.bullPrefix, gatewayId, config.USAGE_FLUSH_MS, logger);
  }

  start(): void {
    this.liveChannel.start();
    this.rateLimiter.start();
    this.usage.start();
  }

  /** Once no request is in flight: stops the reconcile timer, sends the last usage counts, leaves the live channel. */
  async close(): Promise<void> {
    this.rateLimiter.stop();
    await this.usage.close();
    await closeRedis(this.subscriber);
  }
}
