/** The documented exit codes (docs/CLI.md). */
export const EXIT = {
  ok: 0,
  /** A check failed: a score under the threshold, a failing or regressed test case, a conflict, a broken audit chain. */
  checkFailed: 1,
  /** Bad usage or an invalid file. */
  usage: 2,
  /** Refused by the registry, not logged in, or the registry cannot be reached. */
  refused: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Why a command stops: `code` is the registry's error code when it refused (`stale_base`,
 * `forbidden`...) or the CLI's own (`usage`, `invalid_file`, `not_logged_in`, `unreachable`,
 * `conflict`...), written on one line of standard error and as `error.code` under --json.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exit: ExitCode,
    readonly extra: { status?: number; details?: unknown; data?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError('usage', message, EXIT.usage);
export const invalidFile = (file: string, field: string, problem: string) =>
  new CliError('invalid_file', `${file}: ${field}: ${problem}`, EXIT.usage, { details: { file, field } });

/** The one line a refusal prints on standard error: it names the error code. */
export function refusalLine(error: CliError): string {
  const status = error.extra.status === undefined ? '' : ` (HTTP ${error.extra.status})`;
  return `promptgate: ${error.code}${status}: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
}
