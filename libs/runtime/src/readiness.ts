import type { Redis } from 'ioredis';
import { withTimeout } from './connections.js';
import type { AppLogger } from './logger.js';

export type CheckStatus = 'ok' | 'down';
export interface ReadinessReport {
  ready: boolean;
  /** The body of GET /ready. */
  body: { status: 'ready' | 'unavailable'; checks: { postgres?: CheckStatus; redis: CheckStatus } };
}

const CHECK_TIMEOUT_MS = 1000;
const LOST = new Set(['reconnecting', 'close', 'end']);

/**
 * Ready means PostgreSQL (for a service that reads it; null for one that does not) and Redis both
 * answer within a second; what /ready answers in every app.
 */
export async function checkReadiness(
  postgres: (() => Promise<unknown>) | null,
  redis: Redis,
  logger: AppLogger,
): Promise<ReadinessReport> {
  const probe = async (name: string, work: () => Promise<unknown>): Promise<CheckStatus> => {
    try {
      await withTimeout(work(), CHECK_TIMEOUT_MS);
      return 'ok';
    } catch (err) {
      logger.pino.warn({ check: name, err: { message: (err as Error).message } }, 'readiness check failed');
      return 'down';
    }
  };
  const [pg, rd] = await Promise.all([
    postgres === null ? Promise.resolve(null) : probe('postgres', postgres),
    // A client that lost its connection would only queue the PING until the timeout; say "down" at once.
    LOST.has(redis.status) ? Promise.resolve<CheckStatus>('down') : probe('redis', () => redis.ping()),
  ]);
  const ready = (pg === null || pg === 'ok') && rd === 'ok';
  const checks = pg === null ? { redis: rd } : { postgres: pg, redis: rd };
  return { ready, body: { status: ready ? 'ready' : 'unavailable', checks } };
}
