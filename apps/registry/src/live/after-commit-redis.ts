import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AppLogger, withTimeout } from '#runtime';

/** How long a request waits for Redis before answering anyway, and when the background retries run. */
const FIRST_ATTEMPT_TIMEOUT_MS = 1000;
const RETRY_DELAYS_MS = [500, 2000, 8000];

/**
 * Runs a Redis write that follows a committed change. Redis being away never fails the request:
 * the change is in PostgreSQL, the gateways fall back to it or to their TTL, and the write is
 * retried a few times in the background. Every write must be safe to repeat.
 */
@Injectable()
export class AfterCommitRedis implements OnApplicationShutdown {
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly logger: AppLogger) {}

  /**
   * `what` names the write in the log ("live snapshot"); `context` must hold no secret.
   * Resolves once the first attempt succeeded, or failed and was handed to the background.
   */
  async write(what: string, context: Record<string, unknown>, attempt: () => Promise<unknown>): Promise<void> {
    try {
      await withTimeout(attempt(), FIRST_ATTEMPT_TIMEOUT_MS);
    } catch (err) {
      this.retryLater(what, context, attempt, 0, err);
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private retryLater(what: string, context: Record<string, unknown>, attempt: () => Promise<unknown>, done: number, err: unknown): void {
    const logged = { ...context, err: { message: err instanceof Error ? err.message : String(err) }, attempt: done + 1 };
    if (done >= RETRY_DELAYS_MS.length || this.closed) {
      this.logger.pino.warn(logged, `${what} not written to Redis; giving up`);
      return;
    }
    this.logger.pino.warn(logged, `${what} not written to Redis; retrying`);
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      attempt().catch((next: unknown) => this.retryLater(what, context, attempt, done + 1, next));
    }, RETRY_DELAYS_MS[done]);
    timer.unref();
    this.retries.add(timer);
  }
}
