import { randomUUID } from 'node:crypto';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { HttpRequest as Request, HttpResponse as Response } from './http.js';
import { DomainError, RateLimitedError } from '#domain';
import { codeForStatus, domainErrorAnswer, errorBody, internalErrorBody, type AppLogger, type ErrorBody } from '#runtime';
import { isUniqueViolation } from './pg-errors.js';
import { requestIdOf } from './request-logging.js';

interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const FIXED_MESSAGES: Record<number, string> = {
  413: 'The request body is larger than 1 MiB.',
  415: 'The request body must be JSON (Content-Type: application/json).',
};

function isBodyParseFailure(exception: HttpException): boolean {
  const cause = exception.cause as { type?: string } | undefined;
  return cause instanceof SyntaxError || cause?.type === 'entity.parse.failed';
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * The one place errors become HTTP answers, shaped `{error: {code, message, details?}}`. Expected
 * outcomes arrive as DomainErrors; anything unexpected is a 500 whose body holds only an error id
 * that is also in the log line with the stack, so clients never see internals.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const answer = this.toErrorResponse(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    res.status(answer.status).json(answer.body);
  }

  private toErrorResponse(exception: unknown, req: Request): ErrorResponse {
    if (exception instanceof DomainError) {
      const headers = exception instanceof RateLimitedError
        ? { 'retry-after': String(exception.retryAfterSeconds) }
        : undefined;
      return { ...domainErrorAnswer(exception), headers };
    }
    if (isUniqueViolation(exception)) {
      // A concurrent request created the same thing between our check and our insert.
      return { status: 409, body: errorBody('conflict', 'This resource already exists.') };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      if (status === 400 && isBodyParseFailure(exception)) {
        return { status, body: errorBody('validation_failed', 'The request body is not valid JSON.') };
      }
      const message = FIXED_MESSAGES[status] ?? httpExceptionMessage(exception);
      return { status, body: errorBody(codeForStatus(status), message) };
    }
    const errorId = randomUUID();
    this.logger.pino.error(
      { err: exception, error_id: errorId, request_id: requestIdOf(req), method: req.method, path: req.path },
      'unhandled error',
    );
    return { status: 500, body: internalErrorBody(errorId) };
  }
}
