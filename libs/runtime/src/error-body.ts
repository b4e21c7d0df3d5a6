import type { DomainError, ErrorKind } from '#domain';

/** API.md's error answer, the one shape every service sends: `{error: {code, message, details?}}`, and an id on a 500. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; error_id?: string };
}

/** The JSON Schema of ErrorBody, as both services' OpenAPI documents publish it (components.schemas.ErrorResponse). */
export const ERROR_RESPONSE_SCHEMA = {
  type: 'object',
  description: 'The one shape of every error answer.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'for programs: the operation lists the codes of each status' },
        message: { type: 'string', description: 'for people' },
        details: { description: 'where it helps: the fields at fault, retry_after, the stale base...' },
        error_id: { type: 'string', format: 'uuid', description: 'internal_error only: the id of the log line with the cause' },
      },
    },
  },
};

/** What a client reads on any 500, in every service; the cause is only in the log line holding the same error_id. */
export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Quote the error_id when reporting it.';

/** The HTTP status of each kind of domain error: services throw kinds, the HTTP layer answers statuses. */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
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

/** The general code of a 4xx status; `bad_request` for one API.md does not list. */
export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? 'bad_request';
}

/** An error body; `details` only when there are some. */
export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** The body of every 500: the fixed message and the id under which the cause was logged. */
export function internalErrorBody(errorId: string): ErrorBody {
  return { error: { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE, error_id: errorId } };
}

/** A domain error as an HTTP answer: the status of its kind, its own code, message and details. */
export function domainErrorAnswer(err: DomainError): { status: number; body: ErrorBody } {
  return { status: STATUS_BY_KIND[err.kind], body: errorBody(err.code, err.message, err.details) };
}
