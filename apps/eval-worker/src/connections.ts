import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis, REDIS } from '#runtime';

/** The worker's one shared connection (its /ready probe); the queues close their own. */
@Injectable()
export class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown() {
    await closeRedis(this.redis);
  }
}
