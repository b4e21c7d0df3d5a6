import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisNames } from '#contracts';
import { advanceTat, rateLimitOf } from '#domain';
import { AppLogger } from '#runtime';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { ServeRateLimiter } from '../src/serve/rate-limiter.js';

const RPM = 600;
const INTERVAL_US = rateLimitOf(RPM).intervalUs;
const HOUR_US = 3_600_000_000;

/**
 * The reconcile script on a real Redis: what it leaves as a key's shared TAT is libs/domain's
 * advanceTat of what was there, with every gateway's admissions summed, never replaced.
 */
describe('the rate limiter reconciling with Redis', () => {
  const prefix = testRedisPrefix();
  const names = redisNames(prefix);
  let redis: Redis;
  let probe: Redis;
  let limiter: ServeRateLimiter;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
    probe = new Redis(TEST_REDIS_URL);
    await redis.ping();
    limiter = new ServeRateLimiter(redis, names, 60_000, AppLogger.create('silent', 'gateway'));
  });
  afterAll(async () => {
    redis?.disconnect();
    probe?.disconnect();
    await dropRedisPrefix(prefix);
  });

  /** Admits `count` requests of a fresh key here, reconciles once; the shared TAT before and after, and the clock around the round. */
  async function reconcileAfter(sharedTat: number | null, count: number) {
    const apiKeyId = randomUUID();
    if (sharedTat !== null) await probe.set(names.rateLimit(apiKeyId), String(sharedTat));
    const keyLimiter = limiter.limiterFor(apiKeyId, RPM);
    for (let i = 0; i < count; i++) expect(limiter.admit(keyLimiter, Date.now())).toBe(0);
    keyLimiter.touched = true;
    const before = Date.now() * 1000;
    await limiter.reconcile();
    const after = Date.now() * 1000;
    const raw = await probe.get(names.rateLimit(apiKeyId));
    const ttlMs = await probe.pttl(names.rateLimit(apiKeyId));
    return { stored: raw === null ? null : Number(raw), ttlMs, before, after, state: keyLimiter.state };
  }

  it('adds this gateway\'s admissions to a TAT other gateways pushed ahead, exactly', async () => {
    const ahead = Date.now() * 1000 + HOUR_US;
    const { stored, ttlMs, before, state } = await reconcileAfter(ahead, 7);
    expect(stored).toBe(advanceTat(ahead, before, 7, INTERVAL_US));
    expect(stored).toBe(ahead + 7 * INTERVAL_US);
    // The key outlives its TAT by a second, no more.
    expect(ttlMs).toBeGreaterThan(3_600_000);
    expect(ttlMs).toBeLessThanOrEqual(Math.ceil((stored! - before) / 1000) + 1000);
    expect([state.pending, state.inFlight, state.tat]).toEqual([0, 0, stored]);
  });

  it('starts a key without a shared TAT, or with one in the past, from now', async () => {
    for (const shared of [null, Date.now() * 1000 - HOUR_US]) {
      const { stored, before, after } = await reconcileAfter(shared, 3);
      expect(stored).toBeGreaterThanOrEqual(advanceTat(shared ?? 0, before, 3, INTERVAL_US));
      expect(stored).toBeLessThanOrEqual(advanceTat(shared ?? 0, after, 3, INTERVAL_US));
    }
  });

  it('writes nothing for a key that admitted nothing since the last round', async () => {
    const absent = await reconcileAfter(null, 0);
    expect(absent.stored).toBeNull();
    const ahead = Date.now() * 1000 + HOUR_US;
    const kept = await reconcileAfter(ahead, 0);
    expect([kept.stored, kept.ttlMs]).toEqual([ahead, -1]);
  });
});
