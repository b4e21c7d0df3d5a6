import { hostname } from 'node:os';
import type { OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { redisNames } from '#contracts';
import type { GatewayConfig } from '#config';
import { closeRedis, createRedisClient, type AppLogger } from '#runtime';
import { ApiKeyCache } from './api-key-cache.js';
import { LiveChannel } from './live-channel.js';
import { PromptCache } from './prompt-cache.js';
import { PromptStore } from './prompt-store.js';
import { ServeRateLimiter } from './rate-limiter.js';
import type { ServeDependencies } from './serve.routes.js';
import { ServeUsageCounter } from './usage-counter.js';

/**
 * Everything the serve routes use, built once and started and stopped with the app. Timers are
 * unref'd; on shutdown (after the HTTP server has closed) the last usage counts are sent.
 */
export class ServeRuntime implements ServeDependencies, OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  readonly apiKeys: ApiKeyCache;
  readonly prompts: PromptCache;
  readonly rateLimiter: ServeRateLimiter;
  readonly usage: ServeUsageCounter;
  readonly liveChannel: LiveChannel;
  private readonly subscriber: Redis;
  private readonly closers: Array<() => Promise<unknown>> = [];

  constructor(config: GatewayConfig, pool: pg.Pool, redis: Redis, readonly logger: AppLogger) {
    const names = redisNames(config.REDIS_PREFIX);
    const ttlMs = config.CACHE_TTL_SECONDS * 1000;
    const store = new PromptStore(redis, pool, names);
    this.prompts = new PromptCache(store, ttlMs, config.PROMPT_CACHE_SIZE);
    this.apiKeys = new ApiKeyCache(store, ttlMs, config.API_KEY_CACHE_SIZE);
    this.rateLimiter = new ServeRateLimiter(redis, names, config.RATE_LIMIT_SYNC_MS, logger);
    this.subscriber = createRedisClient(config.REDIS_URL, logger, 'promptgate-gateway-live');
    this.liveChannel = new LiveChannel(this.subscriber, redis, names.liveChannel, this.prompts, this.apiKeys, logger);
    const usageConnection = new Redis(config.REDIS_URL, {
      connectionName: 'promptgate-gateway-usage',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    usageConnection.on('error', () => undefined);
    const gatewayId = config.GATEWAY_ID ?? `${hostname()}:${process.pid}`;
    this.usage = new ServeUsageCounter(usageConnection, names.bullPrefix, gatewayId, config.USAGE_FLUSH_MS, logger);
  }

  onModuleInit(): void {
    this.liveChannel.start();
    this.rateLimiter.start();
    this.usage.start();
  }

  onModuleDestroy(): void {
    this.rateLimiter.stop();
  }

  /** Runs `close` on shutdown, before the last usage flush (e.g. the serve routes' Fastify instance). */
  onClose(close: () => Promise<unknown>): void {
    this.closers.push(close);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const close of this.closers) await close();
    await this.usage.close();
    await closeRedis(this.subscriber);
  }
}
