import { randomUUID } from 'node:crypto';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CODE_BY_STATUS, DomainError, STATUS_BY_KIND } from '#domain';
import { AppLogger } from '#runtime';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown; error_id?: string };
}

/** The one place errors become API.md's `{error: {code, message}}`; a 500 shows only an id that is in the log. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.describe(exception);
    if (!reply.sent) reply.status(status).send(body);
  }

  private describe(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof DomainError) {
      const status = STATUS_BY_KIND[exception.kind];
      return { status, body: { error: { code: exception.code, message: exception.message, details: exception.details } } };
    }
    const status = statusOf(exception);
    if (status < 500) {
      const message = exception instanceof Error ? exception.message : 'Request failed.';
      return { status, body: { error: { code: CODE_BY_STATUS[status] ?? 'bad_request', message } } };
    }
    const errorId = randomUUID();
    this.logger.pino.error({ err: exception, error_id: errorId }, 'unhandled error');
    return { status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on our side.', error_id: errorId } } };
  }
}

/** Nest's HttpException, or Fastify's own errors (body too large, bad JSON) that carry `statusCode`. */
function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : 500;
}
