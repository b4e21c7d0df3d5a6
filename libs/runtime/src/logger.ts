import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

/** Fields whose values never reach a log line, at any depth, whatever the caller logs. */
const SECRET_FIELDS = new Set([
  'authorization', 'cookie', 'set-cookie', 'password', 'api_key', 'key', 'secret', 'token', 'access_token',
  // A query's bound values (TypeORM's QueryFailedError, pg's query config) can be password hashes or keys.
  'parameters',
]);
const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/** How many `cause` links an error's log entry follows. */
const MAX_CAUSES = 3;

/**
 * What an error's log entry keeps: its type, message, code (a PostgreSQL SQLSTATE, a Node errno
 * code) and stack, and its cause's. Nothing else: TypeORM's QueryFailedError carries the query, its
 * parameters and the driver's `detail`, which hold the very values (password hashes, keys) a log must not.
 */
export function serializeError(err: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: typeof err.message === 'string' ? err.message : String(err.message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof err.stack === 'string') out.stack = err.stack;
  if (err.cause instanceof Error && depth < MAX_CAUSES) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

/** The message of whatever was thrown or emitted, always a string: an event handler reading `err.message` must not throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return typeof err.message === 'string' ? err.message : String(err.message);
  if (typeof err === 'string') return err;
  try {
    return String(err);
  } catch {
    return 'unprintable error';
  }
}

export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value instanceof Error) return serializeError(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
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

/** Nest's start-up narration (modules loaded, each route mapped): debug, so that a start shows what matters. */
export const FRAMEWORK_BOOT_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice',
]);

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
      // The log formatter has already made errors plain (serializeError); pino's own serializer would copy every field.
      serializers: { err: (err: unknown) => (err instanceof Error ? serializeError(err) : err) },
    };
    return new AppLogger(destination ? pino(options, destination) : pino(options));
  }

  /** A logger whose every line carries `bindings` (e.g. `{ context: 'Webhooks' }`). */
  child(bindings: Record<string, unknown>): AppLogger {
    return new AppLogger(this.pino.child(bindings));
  }

  // LoggerService, called by Nest as (message, ...params, context?); error() as (message, stack?, context?).
  log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    this.nest(typeof context === 'string' && FRAMEWORK_BOOT_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
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
