/** After this many failed logins for one email within the window, login answers `429` until the window passes. */
export const LOGIN_FAILURE_LIMIT = 10;
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;

interface Window {
  count: number;
  endsAt: number;
}

/**
 * Failed-login counts per email in fixed windows that start at the first failure. The registry
 * keeps the shared count in Redis; this in-process copy of the same rule is used while Redis is
 * unreachable, so an outage neither locks everyone out nor lifts the limit entirely.
 */
export class LoginFailureCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit = LOGIN_FAILURE_LIMIT,
    private readonly windowMs = LOGIN_FAILURE_WINDOW_SECONDS * 1000,
    private readonly maxTracked = 100_000,
  ) {}

  /** Seconds until `email` may try again, or 0 when it is not locked out. */
  retryAfterSeconds(email: string, now = Date.now()): number {
    const w = this.current(email, now);
    return w && w.count >= this.limit ? Math.max(1, Math.ceil((w.endsAt - now) / 1000)) : 0;
  }

  recordFailure(email: string, now = Date.now()): number {
    const w = this.current(email, now) ?? { count: 0, endsAt: now + this.windowMs };
    w.count += 1;
    this.windows.set(email, w);
    if (this.windows.size > this.maxTracked) this.prune(now);
    return w.count;
  }

  clear(email: string): void {
    this.windows.delete(email);
  }

  private current(email: string, now: number): Window | undefined {
    const w = this.windows.get(email);
    if (w && w.endsAt <= now) {
      this.windows.delete(email);
      return undefined;
    }
    return w;
  }

  private prune(now: number): void {
    for (const [email, w] of this.windows) if (w.endsAt <= now) this.windows.delete(email);
    // Still too many live windows: forget the oldest rather than grow without bound.
    for (const email of this.windows.keys()) {
      if (this.windows.size <= this.maxTracked) break;
      this.windows.delete(email);
    }
  }
}
