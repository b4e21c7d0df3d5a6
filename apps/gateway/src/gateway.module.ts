import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { GatewayConfig } from '#config';
import { AppLogger, createDatabasePool, createRedisClient, DATABASE_POOL, REDIS } from '#runtime';
import { ConnectionsLifecycle } from './connections.js';
import { HealthController } from './health/health.controller.js';
import { HomeController } from './home/home.controller.js';
import { HttpErrorFilter } from './http-error.filter.js';
import { ServeRuntime } from './serve/serve-runtime.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: AppLogger): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController, HomeController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: AppLogger, useValue: logger },
        // Cache misses read through the replica when one is configured.
        { provide: DATABASE_POOL, useFactory: () => createDatabasePool(config.DATABASE_READ_URL || config.DATABASE_URL, logger, 'promptgate-gateway') },
        { provide: REDIS, useFactory: () => createRedisClient(config.REDIS_URL, logger, 'promptgate-gateway') },
        {
          provide: ServeRuntime,
          useFactory: (pool: pg.Pool, redis: Redis) => new ServeRuntime(config, pool, redis, logger),
          inject: [DATABASE_POOL, REDIS],
        },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ConnectionsLifecycle,
      ],
    };
  }
}
