import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import type { GatewayConfig } from '#config';
import { ConnectionsLifecycle, DATABASE_POOL, LOGGER, REDIS, openDatabasePool, openRedis } from './connections.js';
import { HealthController } from './health/health.controller.js';
import { Readiness } from './health/readiness.js';
import { HttpErrorFilter } from './http-error.filter.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        // Cache misses read through the replica when one is configured.
        { provide: DATABASE_POOL, useFactory: () => openDatabasePool(config.DATABASE_READ_URL || config.DATABASE_URL, logger) },
        { provide: REDIS, useFactory: () => openRedis(config.REDIS_URL, logger) },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        ConnectionsLifecycle,
        Readiness,
      ],
    };
  }
}
