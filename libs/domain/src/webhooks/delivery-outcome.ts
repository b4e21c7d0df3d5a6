/**
 * What follows one delivery attempt: success, a retry after some seconds, a final failure, or
 * disabling the subscription (410 Gone). Retries on timeouts, network errors, 5xx and 429
 * (honouring retry-after); any other answer, 3xx redirects included, is a final failure.
 */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterSeconds?: number | null }
  | { kind: 'timeout' }
  | { kind: 'network_error' }
  | { kind: 'refused_address' };

export type DeliveryDecision =
  | { action: 'succeeded' }
  | { action: 'retry'; delaySeconds: number }
  | { action: 'failed'; reason: string }
  | { action: 'disable'; reason: string };

/** Parses a retry-after header: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * `attempt` counts from 1; `schedule` holds the waits before attempts 2, 3, ... (API.md: 5 s,
 * 30 s, 2 min, 10 min, 1 h, 4 h). A retry-after longer than the schedule's step is honoured,
 * capped at the schedule's longest wait.
 */
export function decideDelivery(result: AttemptResult, attempt: number, schedule: readonly number[]): DeliveryDecision {
  const next = schedule[attempt - 1];
  const retry = (why: string, atLeast = 0): DeliveryDecision =>
    next === undefined
      ? { action: 'failed', reason: `${why}; retries exhausted after ${attempt} attempts` }
      : { action: 'retry', delaySeconds: Math.min(Math.max(next, atLeast), Math.max(...schedule)) };
  switch (result.kind) {
    case 'timeout':
      return retry('timed out');
    case 'network_error':
      return retry('could not connect');
    case 'refused_address':
      return { action: 'failed', reason: 'the destination address is not allowed (SSRF guard)' };
    case 'response': {
      const s = result.status;
      if (s >= 200 && s < 300) return { action: 'succeeded' };
      if (s === 410) return { action: 'disable', reason: 'the endpoint answered 410 Gone' };
      if (s === 429) return retry('answered 429', result.retryAfterSeconds ?? 0);
      if (s >= 500) return retry(`answered ${s}`, result.retryAfterSeconds ?? 0);
      if (s >= 300 && s < 400) return { action: 'failed', reason: `answered ${s}: redirects are not followed` };
      return { action: 'failed', reason: `answered ${s}` };
    }
  }
}
