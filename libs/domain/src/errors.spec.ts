import {
  ConflictError, DomainError, ForbiddenError, NotFoundError, RateLimitedError, ServiceUnavailableError, UnauthorizedError,
  UnprocessableError, ValidationError, type ErrorKind,
} from './errors.js';

describe('domain errors', () => {
  it.each<[DomainError, ErrorKind, string, string, unknown]>([
    // error, kind, code, message, details
    [new ValidationError('Bad key.', [{ field: 'key' }]), 'validation', 'validation_failed', 'Bad key.', [{ field: 'key' }]],
    [new ValidationError('Bad cursor.', undefined, 'invalid_cursor'), 'validation', 'invalid_cursor', 'Bad cursor.', undefined],
    [new UnauthorizedError(), 'unauthorized', 'unauthorized', 'Authentication required.', undefined],
    [new ForbiddenError(undefined, 'self_approval'), 'forbidden', 'self_approval', 'You do not have permission to do this.', undefined],
    [new NotFoundError('Prompt'), 'not_found', 'not_found', 'Prompt not found.', undefined],
    [new ConflictError('Changed meanwhile.', 'stale_base', { head: 3 }), 'conflict', 'stale_base', 'Changed meanwhile.', { head: 3 }],
    [new UnprocessableError('No eval yet.', 'eval_required'), 'unprocessable', 'eval_required', 'No eval yet.', undefined],
    [new RateLimitedError(42), 'rate_limited', 'rate_limited', 'Too many requests.', { retry_after: 42 }],
    [new ServiceUnavailableError('Queue away.', 'queue_unavailable'), 'unavailable', 'queue_unavailable', 'Queue away.', undefined],
  ])('%p carries its kind, code, message and details', (err, kind, code, message, details) => {
    expect(err).toBeInstanceOf(DomainError);
    expect([err.kind, err.code, err.message, err.details]).toEqual([kind, code, message, details]);
    expect(err.name).toBe(err.constructor.name);
  });
});
