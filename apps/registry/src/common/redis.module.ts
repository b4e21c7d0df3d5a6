import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisNames, type RedisNames } from '#contracts';
import { AppLogger, closeRedis, createRedisClient, QUEUE_CONNECTION, type QueueConnection } from '#runtime';

/** Injection token of this deployment's Redis key names: `@Inject(REDIS_NAMES) names: RedisNames`. */
export const REDIS_NAMES = Symbol('REDIS_NAMES');
export type { RedisNames };

@Injectable()
class RedisShutdown implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}

/** Provides the ioredis client (inject `Redis` by class), REDIS_NAMES and the queues' QUEUE_CONNECTION to every module. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string, prefix: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: Redis, inject: [AppLogger], useFactory: (logger: AppLogger) => createRedisClient(url, logger, 'promptgate-registry') },
        { provide: REDIS_NAMES, useValue: redisNames(prefix) },
        { provide: QUEUE_CONNECTION, useValue: { redisUrl: url, bullPrefix: redisNames(prefix).bullPrefix, client: 'promptgate-registry' } satisfies QueueConnection },
        RedisShutdown,
      ],
      exports: [Redis, REDIS_NAMES, QUEUE_CONNECTION],
    };
  }
}
