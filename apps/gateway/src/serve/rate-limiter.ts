import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisNames } from '#contracts';
import {
  admitRequest, beginReconcile, completeReconcile, failReconcile, isRested, newRateLimitState, rateLimitOf,
  type RateLimit, type RateLimitState,
} from '#domain';
import { withTimeout, type AppLogger } from '#runtime';

/** One API key's limiter in this gateway. */
export interface KeyLimiter {
  readonly apiKeyId: string;
  readonly rpm: number;
  readonly limit: RateLimit;
  readonly state: RateLimitState;
  /** A request was decided since the last reconcile: ask Redis what the others spent. */
  touched: boolean;
  /** Dropped from the reconcile set while rested: whoever still holds it must ask for a fresh one. */
  detached: boolean;
}

type ReconcileRedis = Redis & { reconcileTat(key: string, now: number, count: number, intervalUs: number): Promise<number> };
/** In a pipeline the command queues and answers with the pipeline; its result comes from exec(). */
type ReconcilePipeline = ChainableCommander & { reconcileTat(key: string, now: number, count: number, intervalUs: number): ChainableCommander };

/**
 * The reconcile script, the Redis twin of libs/domain's `advanceTat`: KEYS[1] the key's TAT; ARGV now (µs),
 * pending count, interval (µs); returns the TAT (µs). The key expires a second after the TAT
 * passes, since a TAT in the past means nothing.
 */
const RECONCILE_TAT_LUA = `
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
if count > 0 then
  if tat < now then tat = now end
  tat = tat + count * tonumber(ARGV[3])
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return tat`;

/** A reconcile that has not answered by then is given up, and the admissions stay counted locally. */
const RECONCILE_TIMEOUT_MS = 1_000;
const PRIME_TIMEOUT_MS = 300;

/**
 * Per-key rate limits shared by every gateway (GCRA in libs/domain). A request is decided here,
 * from memory; a timer sends the counts to Redis every RATE_LIMIT_SYNC_MS in one pipeline and
 * learns the shared state back. Without Redis each gateway goes on limiting on its own.
 */
export class ServeRateLimiter {
  private readonly limiters = new Map<string, KeyLimiter>();
  private readonly redis: ReconcileRedis;
  private timer: NodeJS.Timeout | undefined;
  private round = 0;
  private inFlightRound = 0;

  constructor(
    redis: Redis,
    private readonly names: RedisNames,
    private readonly syncMs: number,
    private readonly logger: AppLogger,
  ) {
    if (!('reconcileTat' in redis)) redis.defineCommand('reconcileTat', { numberOfKeys: 1, lua: RECONCILE_TAT_LUA });
    this.redis = redis as ReconcileRedis;
  }

  limiterFor(apiKeyId: string, rpm: number): KeyLimiter {
    let limiter = this.limiters.get(apiKeyId);
    if (limiter === undefined || limiter.rpm !== rpm) {
      if (limiter !== undefined) limiter.detached = true;
      limiter = { apiKeyId, rpm, limit: rateLimitOf(rpm), state: limiter?.state ?? newRateLimitState(), touched: false, detached: false };
      this.limiters.set(apiKeyId, limiter);
    }
    return limiter;
  }

  /**
   * Learns the shared TAT of a key this gateway has no limiter for, so a gateway seeing a key for
   * the first time does not grant it a fresh burst. Called on an API-key cache miss, which waits on
   * Redis anyway; without Redis the key starts with what this process knows.
   */
  async prime(apiKeyId: string, rpm: number): Promise<void> {
    const existing = this.limiters.get(apiKeyId);
    if (existing !== undefined && existing.rpm === rpm) return;
    const limiter = this.limiterFor(apiKeyId, rpm);
    if (this.redis.status !== 'ready') return;
    try {
      const raw = await withTimeout(this.redis.get(this.names.rateLimit(apiKeyId)), PRIME_TIMEOUT_MS);
      const sharedTat = raw === null ? 0 : Number(raw);
      if (Number.isFinite(sharedTat)) completeReconcile(limiter.state, limiter.limit, sharedTat, Date.now() * 1000);
    } catch {
      // Redis slow or away: the reconcile timer will catch up.
    }
  }

  /** 0 when the request is admitted, else the microseconds to wait. */
  admit(limiter: KeyLimiter, nowMs: number): number {
    limiter.touched = true;
    return admitRequest(limiter.state, limiter.limit, nowMs * 1000);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.reconcile().catch((err: unknown) => this.logger.pino.error({ err, error_id: randomUUID() }, 'rate-limit reconcile round failed'));
    }, this.syncMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: every touched or pending key in one pipeline; a round still waiting on Redis is not overlapped. */
  async reconcile(): Promise<void> {
    if (this.inFlightRound !== 0) return;
    const nowMs = Date.now();
    const nowUs = nowMs * 1000;
    const batch: Array<{ limiter: KeyLimiter; count: number }> = [];
    for (const limiter of this.limiters.values()) {
      if (!limiter.touched && limiter.state.pending === 0) {
        if (isRested(limiter.state, nowUs)) {
          limiter.detached = true;
          this.limiters.delete(limiter.apiKeyId);
        }
        continue;
      }
      limiter.touched = false;
      batch.push({ limiter, count: beginReconcile(limiter.state) });
    }
    if (batch.length === 0) return;
    if (this.redis.status !== 'ready') {
      for (const { limiter } of batch) failReconcile(limiter.state);
      return;
    }
    const round = ++this.round;
    this.inFlightRound = round;
    const pipeline = this.redis.pipeline();
    for (const { limiter, count } of batch) {
      (pipeline as ReconcilePipeline).reconcileTat(this.names.rateLimit(limiter.apiKeyId), nowUs, count, limiter.limit.intervalUs);
    }
    let timeout: NodeJS.Timeout | undefined;
    try {
      const answers = await Promise.race([
        pipeline.exec(),
        new Promise<null>((resolve) => { timeout = setTimeout(() => resolve(null), RECONCILE_TIMEOUT_MS); }),
      ]);
      const now = Date.now() * 1000;
      batch.forEach(({ limiter }, i) => {
        const [err, tat] = answers?.[i] ?? [new Error('no answer'), null];
        if (err || typeof tat !== 'number') failReconcile(limiter.state);
        else completeReconcile(limiter.state, limiter.limit, tat, now);
      });
    } catch (err) {
      this.logger.pino.debug({ err: { message: (err as Error).message } }, 'rate-limit reconcile failed; limiting per process');
      for (const { limiter } of batch) failReconcile(limiter.state);
    } finally {
      clearTimeout(timeout);
      if (this.inFlightRound === round) this.inFlightRound = 0;
    }
  }
}
