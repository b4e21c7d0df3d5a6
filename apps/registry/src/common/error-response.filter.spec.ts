import { Writable } from 'node:stream';
import { BadRequestException, HttpException, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { pino } from 'pino';
import { ConflictError, RateLimitedError } from '#domain';
import { ErrorResponseFilter } from './error-response.filter.js';
import { AppLogger, INTERNAL_ERROR_MESSAGE } from '#runtime';

function harness() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const filter = new ErrorResponseFilter(new AppLogger(pino({ level: 'info' }, sink)));
  const answer = (exception: unknown) => {
    const res = {
      headersSent: false, statusCode: 0, body: undefined as unknown, headers: {} as Record<string, string>,
      setHeader(name: string, value: string) { this.headers[name] = value; },
      status(code: number) { this.statusCode = code; return this; },
      json(body: unknown) { this.body = body; return this; },
      end() { return this; },
    };
    const req = { method: 'POST', path: '/api/v1/things', originalUrl: '/api/v1/things?x=1', headers: {} };
    const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
    filter.catch(exception, host);
    return res;
  };
  return { answer, lines };
}

describe('ErrorResponseFilter', () => {
  it('answers an unexpected error with 500 internal_error and an error_id that is in the log with the stack', async () => {
    const { answer, lines } = harness();
    const res = answer(new TypeError('cannot read properties of undefined (secret internals)'));
    expect(res.statusCode).toBe(500);
    const body = res.body as { error: { code: string; message: string; error_id: string } };
    expect(body.error.code).toBe('internal_error');
    expect(body.error.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(body.error.error_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.toMatch(/internals|TypeError|at /);
    await new Promise((r) => setImmediate(r));
    const logged = lines.find((l) => l.error_id === body.error.error_id) as { err: { stack: string }; level: number } | undefined;
    expect(logged?.err.stack).toContain('secret internals');
  });

  it('maps domain errors by kind, with code, details and retry-after', () => {
    const { answer } = harness();
    const conflict = answer(new ConflictError('A workspace must keep at least one owner.', 'last_owner'));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body).toEqual({ error: { code: 'last_owner', message: 'A workspace must keep at least one owner.' } });
    const limited = answer(new RateLimitedError(42));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('42');
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited', details: { retry_after: 42 } } });
  });

  it('maps Nest HTTP exceptions to the general codes and a unique violation to 409', () => {
    const { answer } = harness();
    expect(answer(new NotFoundException('Cannot GET /x')).body).toEqual({ error: { code: 'not_found', message: 'Cannot GET /x' } });
    expect(answer(new HttpException('too big', 413)).body).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(answer(new BadRequestException('bad', { cause: new SyntaxError('Unexpected token } in JSON') })).body)
      .toEqual({ error: { code: 'validation_failed', message: 'The request body is not valid JSON.' } });
    const race = answer(Object.assign(new Error('duplicate key'), { driverError: { code: '23505', constraint: 'users_email_key' } }));
    expect(race.statusCode).toBe(409);
    expect(race.body).toMatchObject({ error: { code: 'conflict' } });
    expect(answer(new HttpException('upstream', 502)).statusCode).toBe(500);
  });
});
