import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { WorkerConfig } from '#config';
import { ConnectionsLifecycle, DATABASE_POOL, LOGGER, REDIS, openDatabasePool, openRedis } from './connections.js';
import { Readiness } from './health/readiness.js';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: DATABASE_POOL, useFactory: () => openDatabasePool(config.DATABASE_URL, logger) },
        { provide: REDIS, useFactory: () => openRedis(config.REDIS_URL, logger) },
        ConnectionsLifecycle,
        Readiness,
      ],
    };
  }
}
