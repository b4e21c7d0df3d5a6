import type { Redis } from 'ioredis';

/**
 * Takes a slot of a run when fewer than `max` leases are live, or renews the caller's own: returns 1
 * when the case holds a slot. Leases that ran out (a killed worker's) are dropped first, so a
 * crash frees its slot once the lease lapses.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

/**
 * The bound on one run's cases in hand at a time, across workers: a sorted set per run of case ids
 * scored by their lease's end. A Redis counter would leak the slot of a worker killed mid-case;
 * a lease lapses instead, and is renewed while the case runs.
 */
export class RunSlots {
  constructor(
    private readonly redis: Redis,
    private readonly keyOf: (runId: string) => string,
    private readonly max: number,
    private readonly leaseMs: number,
  ) {}

  async acquire(runId: string, caseId: string): Promise<boolean> {
    const now = Date.now();
    const taken = await this.redis.eval(ACQUIRE, 1, this.keyOf(runId), String(now), String(now + this.leaseMs), caseId, String(this.max), String(this.leaseMs * 4));
    return taken === 1;
  }

  async release(runId: string, caseId: string): Promise<void> {
    await this.redis.zrem(this.keyOf(runId), caseId);
  }

  /** Renews the lease every third of it until `stop` is called. */
  keepAlive(runId: string, caseId: string): () => void {
    const timer = setInterval(() => {
      this.redis.zadd(this.keyOf(runId), 'XX', String(Date.now() + this.leaseMs), caseId).catch(() => undefined);
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }
}
