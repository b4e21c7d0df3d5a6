import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { DATABASE_POOL, LOGGER, REDIS } from '../connections.js';

export type CheckStatus = 'ok' | 'unavailable';
export interface ReadinessReport {
  ready: boolean;
  checks: { postgres: CheckStatus; redis: CheckStatus };
}

const CHECK_TIMEOUT_MS = 1000;

/** Ready means PostgreSQL and Redis both answer within a second. */
@Injectable()
export class Readiness {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: pg.Pool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [postgres, redis] = await Promise.all([
      this.probe('postgres', () => this.pool.query('SELECT 1')),
      this.probe('redis', () => this.redis.ping()),
    ]);
    return { ready: postgres === 'ok' && redis === 'ok', checks: { postgres, redis } };
  }

  private async probe(name: string, work: () => Promise<unknown>): Promise<CheckStatus> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    try {
      await Promise.race([work(), deadline]);
      return 'ok';
    } catch (err) {
      this.logger.warn({ check: name, err: (err as Error).message }, 'readiness check failed');
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }
}
