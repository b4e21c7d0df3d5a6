/**
 * Domain errors: plain classes that services throw for expected outcomes. One HTTP filter maps
 * each kind to a status; services never import HTTP exceptions. `code` is the API's error.code.
 */
export type ErrorKind =
  | 'validation' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'payload_too_large' // 413
  | 'unprocessable' // 422
  | 'rate_limited' // 429
  | 'unavailable'; // 503

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

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** The general error code of each status (API.md), where nothing more specific applies. */
export const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'service_unavailable',
};
