import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';

export const LOGGER = Symbol('LOGGER');
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const REDIS = Symbol('REDIS');

export function openDatabasePool(url: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 1000, application_name: 'promptgate-gateway' });
  // An idle client failing (PostgreSQL restarting) must not crash the process.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'postgres connection error'));
  return pool;
}

export function openRedis(url: string, logger: Logger): Redis {
  // A short disconnectTimeout: closing while Redis is unreachable otherwise leaves a 2 s timer holding the process.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, disconnectTimeout: 200, connectionName: 'promptgate-gateway' });
  // Without a listener an unreachable Redis would be an unhandled 'error' event; ioredis reconnects by itself.
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  return redis;
}

@Injectable()
export class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: pg.Pool,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown() {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
    await this.pool.end();
  }
}
