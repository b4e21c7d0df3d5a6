/**
 * Per-API-key rate limiting with GCRA (the generic cell rate algorithm): a key allowed `rpm`
 * requests a minute may spend them in a burst of `rpm`, then one every `60 / rpm` seconds.
 * Its whole state is one number, the theoretical arrival time (TAT): the instant at which the key
 * would again be as rested as a key never used. A request is admitted while the TAT is no more
 * than the burst tolerance ahead of now, and each admission pushes the TAT one interval further.
 *
 * The TAT is shared by every gateway through Redis, but a gateway never waits on Redis to decide:
 * it decides on its own view of the TAT, which is the shared TAT it last learned advanced by the
 * requests it admitted since (`pending`), and reconciles in batches: it sends its pending count,
 * Redis advances the shared TAT by that many intervals and returns it. When Redis cannot be reached
 * the gateway simply keeps its own view, which makes the limit a per-process one until Redis
 * answers again.
 */
export interface RateLimit {
  /** Microseconds between two requests at the sustained rate: 60 s / rpm, rounded. */
  readonly intervalUs: number;
  /** How far ahead of now the TAT may be for a request to be admitted: (burst - 1) intervals. */
  readonly toleranceUs: number;
}

/**
 * Rate = rpm / 60 per second, burst = rpm. Times are whole microseconds since the epoch, so every
 * sum is exact (below 2^53) and a burst's last request is never lost to rounding.
 */
export function rateLimitOf(rpm: number): RateLimit {
  const intervalUs = Math.max(1, Math.round(60_000_000 / rpm));
  return { intervalUs, toleranceUs: (rpm - 1) * intervalUs };
}

/** One API key's limiter in one gateway. Mutable: it is updated in place on the hot path. */
export interface RateLimitState {
  /** This gateway's view of the shared TAT (epoch µs): the last one Redis returned, advanced by every admission since. */
  tat: number;
  /** Requests admitted here and not yet sent to Redis. */
  pending: number;
  /** Requests sent to Redis in a reconcile whose answer has not come back yet. */
  inFlight: number;
}

export function newRateLimitState(): RateLimitState {
  return { tat: 0, pending: 0, inFlight: 0 };
}

/**
 * Decides one request at `now` (epoch µs): 0 when admitted (and counted as pending), else how many
 * microseconds until a request would be admitted. Returns a number so the hot path allocates nothing.
 */
export function admitRequest(state: RateLimitState, limit: RateLimit, now: number): number {
  const from = state.tat > now ? state.tat : now;
  const wait = from - now - limit.toleranceUs;
  if (wait > 0) return wait;
  state.tat = from + limit.intervalUs;
  state.pending += 1;
  return 0;
}

/** The whole seconds a refused client is told to wait (`retry-after`): never 0, which would invite an immediate retry. */
export function retryAfterSeconds(waitUs: number): number {
  return Math.max(1, Math.ceil(waitUs / 1_000_000));
}

/** Starts a reconcile: the pending count to send to Redis, which is then held as in flight. */
export function beginReconcile(state: RateLimitState): number {
  const sending = state.pending;
  state.inFlight = sending;
  state.pending = 0;
  return sending;
}

/**
 * Redis answered `sharedTat`, which includes what was in flight and what other gateways spent.
 * Requests admitted here meanwhile are added on top; the view never moves back, so admissions
 * counted only locally while Redis was away still count.
 */
export function completeReconcile(state: RateLimitState, limit: RateLimit, sharedTat: number, now: number): void {
  const shared = advanceTat(sharedTat, now, state.pending, limit.intervalUs);
  if (shared > state.tat) state.tat = shared;
  state.inFlight = 0;
}

/** Redis did not answer: the admissions in flight are already in the local view, which alone now limits the key. */
export function failReconcile(state: RateLimitState): void {
  state.inFlight = 0;
}

/** A state that carries nothing a fresh one would not: it can be dropped. */
export function isRested(state: RateLimitState, now: number): boolean {
  return state.pending === 0 && state.inFlight === 0 && state.tat <= now;
}

/** What a reconcile does to the shared TAT (the gateway runs it as a script in Redis): `count` requests at `now` push it `count` intervals on. */
export function advanceTat(tat: number, now: number, count: number, intervalUs: number): number {
  if (count === 0) return tat;
  return Math.max(tat, now) + count * intervalUs;
}
