/** How long a key sealed into an eval job may be opened: long enough for the job's retries, no longer. */
export const EVAL_JOB_KEY_TTL_MS = 30 * 60 * 1000;

/** When a key sealed into an eval job requested at `now` stops opening. */
export function evalJobKeyExpiry(now: Date): string {
  return new Date(now.getTime() + EVAL_JOB_KEY_TTL_MS).toISOString();
}

/**
 * The model a judge eval asks for: the request's, else the environment's judge model when the
 * environment judges with the same provider, else null (the worker picks the provider's default).
 */
export function judgeModelFor(
  requested: { provider: string; model?: string | null },
  environment: { judgeProvider: string | null; judgeModel: string | null },
): string | null {
  if (requested.model) return requested.model;
  return environment.judgeProvider === requested.provider ? environment.judgeModel : null;
}
