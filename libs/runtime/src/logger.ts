import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

/** Fields whose values never reach a log line, at any depth, whatever the caller logs. */
const SECRET_FIELDS = new Set([
  'authorization', 'cookie', 'set-cookie', 'password', 'api_key', 'key', 'secret', 'token', 'access_token',
]);
const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Error || value instanceof Date) return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[omitted]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.has(k.toLowerCase()) ? REDACTED : redactSecrets(v, depth + 1, seen);
  }
  return out;
}

export type LogLevelName = Level | 'silent';

/**
 * Structured JSON logging over pino, usable as Nest's logger (`LoggerService`) and injectable
 * (`constructor(private readonly logger: AppLogger)`). Feature code logs structured lines through
 * the pino instance: `logger.pino.info({ prompt_id }, 'prompt created')`.
 */
export class AppLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  /** Logs to stdout unless a `destination` is given (tests capture lines that way). */
  static create(level: LogLevelName, service = 'registry', destination?: DestinationStream): AppLogger {
    const options = {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label: string) => ({ level: label }),
        log: (obj: Record<string, unknown>) => redactSecrets(obj) as Record<string, unknown>,
      },
    };
    return new AppLogger(destination ? pino(options, destination) : pino(options));
  }

  /** A logger whose every line carries `bindings` (e.g. `{ context: 'Webhooks' }`). */
  child(bindings: Record<string, unknown>): AppLogger {
    return new AppLogger(this.pino.child(bindings));
  }

  // LoggerService, called by Nest as (message, ...params, context?); error() as (message, stack?, context?).
  log(message: unknown, ...params: unknown[]): void {
    this.nest('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.nest('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.nest('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.nest('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.nest('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.nest('fatal', message, params);
  }

  private nest(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest.at(-1) === 'string') fields.context = rest.pop();
    if (level === 'error' && typeof rest[0] === 'string' && rest[0].includes('\n    at ')) fields.stack = rest.shift();
    if (rest.length > 0) fields.params = rest;
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}
