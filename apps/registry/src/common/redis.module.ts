import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisNames, type RedisNames } from '#config';
import { AppLogger } from './logger.js';

/** Injection token of this deployment's Redis key names: `@Inject(REDIS_NAMES) names: RedisNames`. */
export const REDIS_NAMES = 'REDIS_NAMES';
export type { RedisNames };

/**
 * One client for the whole registry. Commands fail fast while Redis is away (one retry, no
 * unbounded queue) and errors are logged instead of thrown, so an outage degrades features
 * that use Redis but never crashes the process.
 */
export function createRedisClient(url: string, logger: AppLogger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Bounds how long a closed client keeps a timer on a socket that never connected (default 2 s).
    disconnectTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  redis.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    logger.pino.warn({ err: { message: err.message } }, 'redis unreachable; retrying');
  });
  redis.on('ready', () => {
    if (reported) logger.pino.info('redis reachable again');
    reported = false;
  });
  return redis;
}

/** Races `work` against a timeout, for checks that must answer quickly whatever Redis does. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}

/** Provides the ioredis client (inject `Redis` by class) and REDIS_NAMES to every module. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string, prefix: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: Redis, inject: [AppLogger], useFactory: (logger: AppLogger) => createRedisClient(url, logger) },
        { provide: REDIS_NAMES, useValue: redisNames(prefix) },
        RedisShutdown,
      ],
      exports: [Redis, REDIS_NAMES],
    };
  }
}
