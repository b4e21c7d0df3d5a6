import { classifyJudgeError, describeJudgeFailure } from './judge-call.js';

const live = () => new AbortController().signal;
const expired = () => AbortSignal.abort();
const httpError = (status: number, headers: Record<string, string> = {}, field: 'status' | 'statusCode' = 'status') =>
  Object.assign(new Error(`${status} Incorrect API key provided: sk-secret-0123456789abcdef`), { [field]: status, headers: new Headers(headers) });

describe('classifyJudgeError', () => {
  it.each([
    ['an SDK error with status', httpError(401), { kind: 'status', status: 401, retryAfterMs: null }],
    ['a Mistral error with statusCode', httpError(503, {}, 'statusCode'), { kind: 'status', status: 503, retryAfterMs: null }],
    ['a 429 with retry-after', httpError(429, { 'retry-after': '2' }), { kind: 'status', status: 429, retryAfterMs: 2000 }],
    ['a 429 with retry-after-ms', httpError(429, { 'retry-after-ms': '250' }), { kind: 'status', status: 429, retryAfterMs: 250 }],
    ['a refused connection', Object.assign(new Error('Connection error.'), { name: 'APIConnectionError' }), { kind: 'connection' }],
    ['fetch failed', new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }), { kind: 'connection' }],
    ['an SDK timeout', Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' }), { kind: 'timeout' }],
    ['a bug of ours', new RangeError('Invalid array length'), { kind: 'unexpected', name: 'RangeError' }],
  ])('reads %s', (_, err, expected) => {
    expect(classifyJudgeError(err, live())).toEqual(expected);
  });

  it('calls any failure after our timeout fired a timeout', () => {
    expect(classifyJudgeError(httpError(500), expired())).toEqual({ kind: 'timeout' });
  });
});

describe('describeJudgeFailure', () => {
  it.each([
    [{ kind: 'status', status: 401, retryAfterMs: null }, 'anthropic answered 401 (authentication failed)'],
    [{ kind: 'status', status: 404, retryAfterMs: null }, 'anthropic answered 404 (not found: check the model name)'],
    [{ kind: 'status', status: 418, retryAfterMs: null }, 'anthropic answered 418 (the request was refused)'],
    [{ kind: 'status', status: 599, retryAfterMs: null }, 'anthropic answered 599 (provider error)'],
    [{ kind: 'timeout' }, 'anthropic timed out after 60 s'],
    [{ kind: 'connection' }, 'anthropic could not be reached'],
    [{ kind: 'unexpected', name: 'Range<Error>' }, 'anthropic call failed unexpectedly (RangeError)'],
  ] as const)('says %p as %p, with no key, header or URL', (failure, expected) => {
    expect(describeJudgeFailure('anthropic', failure, 60_000)).toBe(expected);
  });
});
