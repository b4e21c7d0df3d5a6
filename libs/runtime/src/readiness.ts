import type { Redis } from 'ioredis';
import { withTimeout } from './connections.js';
import type { AppLogger } from './logger.js';

export type CheckStatus = 'ok' | 'down';
export interface ReadinessReport {
  ready: boolean;
  /** The body of GET /ready. */
  body: { status: 'ready' | 'unavailable'; checks: { postgres: CheckStatus; redis: CheckStatus } };
}

const CHECK_TIMEOUT_MS = 1000;
const LOST = new Set(['reconnecting', 'close', 'end']);

/** Ready means PostgreSQL and Redis both answer within a second; what /ready answers in every app. */
export async function checkReadiness(
  postgres: () => Promise<unknown>,
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
    probe('postgres', postgres),
    // A client that lost its connection would only queue the PING until the timeout; say "down" at once.
    LOST.has(redis.status) ? Promise.resolve<CheckStatus>('down') : probe('redis', () => redis.ping()),
  ]);
  const ready = pg === 'ok' && rd === 'ok';
  return { ready, body: { status: ready ? 'ready' : 'unavailable', checks: { postgres: pg, redis: rd } } };
}
