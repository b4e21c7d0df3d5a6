/**
 * When to call a judge provider again. Rate limits (429), server errors (5xx), timeouts and
 * connection failures are worth another attempt; any other 4xx is the request's fault and a
 * retry would only repeat it.
 */
export type JudgeCallFailure =
  | { kind: 'status'; status: number; retryAfterMs: number | null }
  | { kind: 'timeout' }
  | { kind: 'connection' };

export function isRetryableJudgeFailure(failure: JudgeCallFailure): boolean {
  if (failure.kind !== 'status') return true;
  return failure.status === 429 || failure.status === 408 || failure.status >= 500;
}

export interface JudgeRetryPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): the provider's retry-after when
 * it gave one, else exponential backoff with full jitter; never above `maxMs`. `random` is in [0, 1).
 */
export function judgeRetryDelayMs(attempt: number, policy: JudgeRetryPolicy, retryAfterMs: number | null, random: number): number {
  if (retryAfterMs !== null && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.maxMs);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
}

/** A Retry-After header (seconds or an HTTP date), or retry-after-ms, in milliseconds; null when absent or unreadable. */
export function judgeRetryAfterMs(retryAfter: string | null | undefined, retryAfterMs: string | null | undefined, now: number): number | null {
  if (retryAfterMs != null && /^\d+(\.\d+)?$/.test(retryAfterMs.trim())) return Math.round(Number(retryAfterMs));
  if (retryAfter == null || retryAfter.trim() === '') return null;
  const value = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
