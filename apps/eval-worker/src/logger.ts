import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/** JSON logs on stdout; credentials never reach them. */
export function createLogger(level: string, service: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
  });
}

/** Routes Nest's own messages (bootstrap, errors) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]) {
    this.logger.info(contextOf(params), String(message));
  }
  error(message: unknown, ...params: unknown[]) {
    const stack = typeof params[0] === 'string' && params.length > 1 ? params[0] : undefined;
    this.logger.error({ ...contextOf(params), stack }, String(message));
  }
  warn(message: unknown, ...params: unknown[]) {
    this.logger.warn(contextOf(params), String(message));
  }
  debug(message: unknown, ...params: unknown[]) {
    this.logger.debug(contextOf(params), String(message));
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.logger.trace(contextOf(params), String(message));
  }
}

function contextOf(params: unknown[]): { context?: string } {
  const last = params.at(-1);
  return typeof last === 'string' ? { context: last } : {};
}
