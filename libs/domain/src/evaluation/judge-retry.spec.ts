import fc from 'fast-check';
import { isRetryableJudgeFailure, judgeRetryDelayMs, judgeRetryAfterMs } from './judge-retry.js';

describe('judge retries', () => {
  it.each([
    [{ kind: 'status', status: 429, retryAfterMs: null }, true],
    [{ kind: 'status', status: 500, retryAfterMs: null }, true],
    [{ kind: 'status', status: 503, retryAfterMs: null }, true],
    [{ kind: 'status', status: 529, retryAfterMs: null }, true],
    [{ kind: 'status', status: 400, retryAfterMs: null }, false],
    [{ kind: 'status', status: 401, retryAfterMs: null }, false],
    [{ kind: 'status', status: 403, retryAfterMs: null }, false],
    [{ kind: 'status', status: 404, retryAfterMs: null }, false],
    [{ kind: 'timeout' }, true],
    [{ kind: 'connection' }, true],
  ] as const)('%p is retried: %p', (failure, expected) => {
    expect(isRetryableJudgeFailure(failure)).toBe(expected);
  });

  const policy = { baseMs: 500, maxMs: 8000 };

  it('honours retry-after, capped', () => {
    expect(judgeRetryDelayMs(1, policy, 1000, 0.5)).toBe(1000);
    expect(judgeRetryDelayMs(1, policy, 60_000, 0.5)).toBe(8000);
  });

  it('backs off exponentially with jitter inside [ceiling/2, ceiling]', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
      const delay = judgeRetryDelayMs(attempt, policy, null, random);
      return delay >= Math.floor(ceiling / 2) && delay <= ceiling;
    }));
    expect(judgeRetryDelayMs(3, policy, null, 0.999)).toBeGreaterThan(judgeRetryDelayMs(1, policy, null, 0.999));
  });

  it.each([
    ['2', null, 2000],
    ['0.5', null, 500],
    [null, '1500', 1500],
    ['Thu, 01 Jan 1970 00:00:03 GMT', null, 3000],
    ['soon', null, null],
    [null, null, null],
  ])('reads retry-after %p / retry-after-ms %p as %p ms', (ra, raMs, expected) => {
    expect(judgeRetryAfterMs(ra, raMs, 0)).toBe(expected);
  });
});
