/**
 * Domain errors: plain classes that services throw for expected outcomes. Each carries a kind,
 * which the HTTP layer (libs/runtime's error-body.ts) maps to a status; services never import
 * HTTP exceptions. `code` is the API's error.code.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown, code = 'validation_failed') {
    super('validation', code, message, details);
  }
}
export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required.', code = 'unauthorized') {
    super('unauthorized', code, message);
  }
}
export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to do this.', code = 'forbidden', details?: unknown) {
    super('forbidden', code, message, details);
  }
}
export class NotFoundError extends DomainError {
  constructor(what = 'Resource', code = 'not_found') {
    super('not_found', code, `${what} not found.`);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string, code = 'conflict', details?: unknown) {
    super('conflict', code, message, details);
  }
}
export class UnprocessableError extends DomainError {
  constructor(message: string, code: string, details?: unknown) {
    super('unprocessable', code, message, details);
  }
}
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'Too many requests.') {
    super('rate_limited', 'rate_limited', message, { retry_after: retryAfterSeconds });
  }
}

/** A dependency the request needs (the job queue) is away; the caller may retry later. */
export class ServiceUnavailableError extends DomainError {
  constructor(message: string, code: string) {
    super('unavailable', code, message);
  }
}
