import fc from 'fast-check';
import {
  admitRequest, advanceTat, beginReconcile, completeReconcile, failReconcile, isRested, newRateLimitState, rateLimitOf,
  retryAfterSeconds, type RateLimitState,
} from './gcra.js';

const T0 = 1_700_000_000_000_000;
const MS = 1000;
const S = 1_000_000;

/** Admits requests at `now` until one is refused; returns how many were admitted and the refusal's wait. */
function drain(state: RateLimitState, rpm: number, now: number): { admitted: number; wait: number } {
  const limit = rateLimitOf(rpm);
  let admitted = 0;
  for (;;) {
    const wait = admitRequest(state, limit, now);
    if (wait > 0) return { admitted, wait };
    admitted += 1;
  }
}

describe('GCRA rate limit', () => {
  it.each([
    // rpm, burst admitted at once, wait after the burst (µs)
    [1, 1, 60 * S],
    [2, 2, 30 * S],
    [7, 7, 8_571_429],
    [60, 60, S],
    [600, 600, 100 * MS],
    [1_000_000, 1_000_000, 60],
  ])('rpm %d: a fresh key gets a burst of %d, then waits %d µs', (rpm, burst, wait) => {
    const state = newRateLimitState();
    const result = drain(state, rpm, T0);
    expect(result.admitted).toBe(burst);
    expect(result.wait).toBe(wait);
  });

  it.each([
    [1, 1], [999 * MS, 1], [S, 1], [S + 1, 2], [59 * S, 59], [60 * S, 60],
  ])('a wait of %d µs is told as retry-after %d s', (us, seconds) => {
    expect(retryAfterSeconds(us)).toBe(seconds);
  });

  it('admits one request per interval after the burst, and recovers fully after a minute', () => {
    const state = newRateLimitState();
    const limit = rateLimitOf(60);
    drain(state, 60, T0);
    expect(admitRequest(state, limit, T0 + S - 1)).toBeGreaterThan(0);
    expect(admitRequest(state, limit, T0 + S)).toBe(0);
    expect(admitRequest(state, limit, T0 + S)).toBeGreaterThan(0);
    expect(drain(state, 60, T0 + 61 * S).admitted).toBe(60);
  });

  it('keeps counting while a reconcile is in flight, and adds what it admitted meanwhile to the shared answer', () => {
    const state = newRateLimitState();
    const limit = rateLimitOf(10);
    for (let i = 0; i < 6; i++) admitRequest(state, limit, T0);
    expect(beginReconcile(state)).toBe(6);
    expect(state).toEqual({ tat: T0 + 36 * S, pending: 0, inFlight: 6 });
    expect(drain(state, 10, T0).admitted).toBe(4);
    // Another gateway spent 2 more: the shared TAT is ours (6) + theirs (2); our 4 since go on top.
    completeReconcile(state, limit, T0 + 48 * S, T0);
    expect(state).toEqual({ tat: T0 + 72 * S, pending: 4, inFlight: 0 });
  });

  it('learns what other gateways spent from the shared TAT', () => {
    const limit = rateLimitOf(60);
    const a = newRateLimitState();
    const b = newRateLimitState();
    let shared = 0;
    const reconcile = (s: RateLimitState, now: number) => {
      shared = advanceTat(shared, now, beginReconcile(s), limit.intervalUs);
      completeReconcile(s, limit, shared, now);
    };
    expect(drain(a, 60, T0).admitted).toBe(60);
    reconcile(a, T0);
    reconcile(b, T0);
    expect(admitRequest(b, limit, T0)).toBe(S);
  });

  it('without Redis keeps limiting per process, and sends nothing twice once Redis is back', () => {
    const limit = rateLimitOf(60);
    const state = newRateLimitState();
    for (let i = 0; i < 40; i++) admitRequest(state, limit, T0);
    beginReconcile(state);
    failReconcile(state);
    expect(state).toEqual({ tat: T0 + 40 * S, pending: 0, inFlight: 0 });
    expect(drain(state, 60, T0).admitted).toBe(20);
    expect(beginReconcile(state)).toBe(20);
    // Redis back with a TAT that never saw the first 40: the local view does not move back.
    completeReconcile(state, limit, T0 + 20 * S, T0);
    expect(drain(state, 60, T0).admitted).toBe(0);
  });

  it('a state whose TAT has passed with nothing pending is rested', () => {
    const state = newRateLimitState();
    expect(isRested(state, T0)).toBe(true);
    admitRequest(state, rateLimitOf(60), T0);
    expect(isRested(state, T0)).toBe(false);
    beginReconcile(state);
    completeReconcile(state, rateLimitOf(60), T0 + S, T0);
    expect(isRested(state, T0 + S - 1)).toBe(false);
    expect(isRested(state, T0 + S)).toBe(true);
  });

  const rpm = fc.integer({ min: 1, max: 600 });
  /** Arrivals as gaps between requests, each with what happens after it: nothing, a reconcile, or a failed reconcile. */
  const arrivals = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 5 * S }), fc.constantFrom('none', 'reconcile', 'fail')),
    { minLength: 1, maxLength: 400 },
  );

  it('one gateway never admits more than burst + elapsed / interval, whenever it reconciles or fails to', () => {
    fc.assert(fc.property(rpm, arrivals, (r, steps) => {
      const limit = rateLimitOf(r);
      const state = newRateLimitState();
      let shared = 0;
      let now = T0;
      const admittedAt: number[] = [];
      for (const [gap, after] of steps) {
        now += gap;
        if (admitRequest(state, limit, now) === 0) admittedAt.push(now);
        if (after === 'reconcile') {
          shared = advanceTat(shared, now, beginReconcile(state), limit.intervalUs);
          completeReconcile(state, limit, shared, now);
        } else if (after === 'fail') {
          beginReconcile(state);
          failReconcile(state);
        }
      }
      // GCRA's guarantee: within any window of length L, at most burst + L / interval requests.
      for (let i = 0; i < admittedAt.length; i++) {
        for (let j = i; j < admittedAt.length; j++) {
          expect(j - i + 1).toBeLessThanOrEqual(r + (admittedAt[j] - admittedAt[i]) / limit.intervalUs);
        }
      }
    }));
  });

  it('a refused client is admitted exactly when the time it was told has passed', () => {
    fc.assert(fc.property(rpm, fc.integer({ min: 0, max: 2 * S }), (r, start) => {
      const limit = rateLimitOf(r);
      const state = newRateLimitState();
      const { wait } = drain(state, r, T0 + start);
      expect(admitRequest(state, limit, T0 + start + wait - 1)).toBeGreaterThan(0);
      expect(admitRequest(state, limit, T0 + start + wait)).toBe(0);
    }));
  });

  it('two gateways sharing the TAT admit no more together than one would, plus what they admit between reconciles', () => {
    const steps = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 50 * MS })), { minLength: 1, maxLength: 300 });
    fc.assert(fc.property(rpm, steps, (r, arrivalsAt) => {
      const limit = rateLimitOf(r);
      const gateways = [newRateLimitState(), newRateLimitState()];
      let shared = 0;
      let now = T0;
      let admitted = 0;
      let unseen = 0;
      let worstUnseen = 0;
      for (const [which, gap] of arrivalsAt) {
        now += gap;
        if (admitRequest(gateways[which], limit, now) === 0) {
          admitted += 1;
          unseen += 1;
        }
        // Every 100 ms of simulated time both reconcile, as the gateway's timer does.
        if (Math.floor(now / (100 * MS)) !== Math.floor((now - gap) / (100 * MS))) {
          worstUnseen = Math.max(worstUnseen, unseen);
          unseen = 0;
          for (const g of gateways) {
            shared = advanceTat(shared, now, beginReconcile(g), limit.intervalUs);
            completeReconcile(g, limit, shared, now);
          }
        }
      }
      worstUnseen = Math.max(worstUnseen, unseen);
      expect(admitted).toBeLessThanOrEqual(r + (now - T0) / limit.intervalUs + worstUnseen);
    }));
  });
});
