/** After this many failed logins for one email within the window, login answers `429` until the window passes. */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;
/** Failed logins from one client address, across all emails, before that address gets `429` (LOGIN_CLIENT_FAILURE_LIMIT). */
export const LOGIN_CLIENT_FAILURE_LIMIT = 200;

interface Window {
  count: number;
  endsAt: number;
}

/**
 * The login limit rule, on counters in fixed windows that start at the first counted attempt:
 * an attempt is counted BEFORE the password is checked, and refused without being counted once the
 * count has reached the limit. So concurrent attempts can never exceed the limit, and the count
 * never goes past it. A successful login gives its attempt back (`release`) or, for the per-email
 * count, clears it (`clear`).
 *
 * The registry keeps the shared counts in Redis (a Lua script doing exactly `reserve`); this
 * in-process copy of the same rule is used while Redis is unreachable, so an outage neither locks
 * everyone out nor lifts the limit entirely.
 */
export class LoginFailureCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit = LOGIN_FAILURE_LIMIT,
    private readonly windowMs = LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    private readonly maxTracked = 100_000,
  ) {}

  /** Counts one attempt for `key` and answers 0, or, at the limit, counts nothing and answers the seconds to wait. */
  reserve(key: string, now = Date.now()): number {
    const w = this.current(key, now) ?? { count: 0, endsAt: now + this.windowMs };
    if (w.count >= this.limit) return Math.max(1, Math.ceil((w.endsAt - now) / 1000));
    w.count += 1;
    this.windows.set(key, w);
    if (this.windows.size > this.maxTracked) this.prune(now);
    return 0;
  }

  /** Gives back one attempt counted by `reserve` (a success, or an attempt refused by another limit). */
  release(key: string, now = Date.now()): void {
    const w = this.current(key, now);
    if (w && w.count > 0) w.count -= 1;
  }

  count(key: string, now = Date.now()): number {
    return this.current(key, now)?.count ?? 0;
  }

  clear(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && w.endsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (w.endsAt <= now) this.windows.delete(key);
    // Still too many live windows: forget the oldest rather than grow without bound.
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.maxTracked) break;
      this.windows.delete(key);
    }
  }
}
