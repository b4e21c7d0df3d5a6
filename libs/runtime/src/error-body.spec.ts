import {
  ConflictError, DomainError, ForbiddenError, NotFoundError, RateLimitedError, ServiceUnavailableError, UnauthorizedError,
  UnprocessableError, ValidationError, type ErrorKind,
} from '#domain';
import { CODE_BY_STATUS, codeForStatus, domainErrorAnswer, errorBody, INTERNAL_ERROR_MESSAGE, internalErrorBody, STATUS_BY_KIND } from './error-body.js';

describe('error bodies', () => {
  it.each<[DomainError, number]>([
    [new ValidationError('Bad.'), 400],
    [new UnauthorizedError(), 401],
    [new ForbiddenError(), 403],
    [new NotFoundError('Prompt'), 404],
    [new ConflictError('Changed meanwhile.', 'stale_base'), 409],
    [new DomainError('payload_too_large', 'payload_too_large', 'Too big.'), 413],
    [new UnprocessableError('No eval yet.', 'eval_required'), 422],
    [new RateLimitedError(42), 429],
    [new ServiceUnavailableError('Queue away.', 'queue_unavailable'), 503],
  ])('answers %p with status %i, its own code and message', (err, status) => {
    expect(domainErrorAnswer(err)).toEqual({ status, body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } } });
  });

  it('maps every kind to a 4xx or 503, and each kind to a different status', () => {
    const kinds = Object.keys(STATUS_BY_KIND) as ErrorKind[];
    expect(kinds).toHaveLength(9);
    for (const kind of kinds) expect(STATUS_BY_KIND[kind] === 503 || (STATUS_BY_KIND[kind] >= 400 && STATUS_BY_KIND[kind] < 500)).toBe(true);
    expect(new Set(Object.values(STATUS_BY_KIND)).size).toBe(kinds.length);
  });

  it.each([
    [400, 'validation_failed'], [401, 'unauthorized'], [403, 'forbidden'], [404, 'not_found'], [405, 'method_not_allowed'],
    [409, 'conflict'], [413, 'payload_too_large'], [415, 'unsupported_media_type'], [422, 'unprocessable'], [429, 'rate_limited'],
    [503, 'service_unavailable'], [418, 'bad_request'], [431, 'bad_request'],
  ])('gives status %i the general code %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });

  it('lists a general code for the status of every kind', () => {
    for (const status of Object.values(STATUS_BY_KIND)) expect(CODE_BY_STATUS[status]).toBeDefined();
  });

  it('builds {error: {code, message}} and adds details only when given', () => {
    expect(JSON.stringify(errorBody('not_found', 'No such route.'))).toBe('{"error":{"code":"not_found","message":"No such route."}}');
    expect(errorBody('validation_failed', 'Bad.', [{ field: 'key' }])).toEqual({ error: { code: 'validation_failed', message: 'Bad.', details: [{ field: 'key' }] } });
    expect(Object.keys(errorBody('x', 'y', undefined).error)).toEqual(['code', 'message']);
  });

  it('gives every 500 the one message and the error id, nothing else', () => {
    expect(internalErrorBody('1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toEqual({
      error: { code: 'internal_error', message: INTERNAL_ERROR_MESSAGE, error_id: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' },
    });
    expect(INTERNAL_ERROR_MESSAGE).toMatch(/error_id/);
  });
});
