import { Writable } from 'node:stream';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { AppLogger, errorMessage, redactSecrets, serializeError } from './logger.js';

const SCRYPT_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

/** A QueryFailedError as TypeORM throws it for a unique violation on users(email) while saving a password hash. */
function uniqueViolation(): QueryFailedError {
  const driverError = new pg.DatabaseError('duplicate key value violates unique constraint "users_email_key"', 120, 'error');
  driverError.code = '23505';
  driverError.detail = `Key (email)=(ana@example.com) already exists; password_hash=${SCRYPT_HASH}`;
  driverError.constraint = 'users_email_key';
  driverError.table = 'users';
  return new QueryFailedError('INSERT INTO "users"("email", "password_hash") VALUES ($1, $2)', ['ana@example.com', SCRYPT_HASH], driverError);
}

function capture(): { logger: AppLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: AppLogger.create('info', 'registry', new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } })), lines };
}

describe('redactSecrets', () => {
  it('hides every field named like a secret, at any depth, whatever its case', () => {
    const out = redactSecrets({
      headers: { Authorization: 'Bearer abc', cookie: 'sid=1', accept: 'json' },
      body: { email: 'a@b.c', password: 'hunter22', nested: [{ api_key: 'sk-1', Token: 't', access_token: 'x' }] },
      secret: 's', key: 'k', note: 'keep',
    });
    expect(out).toEqual({
      headers: { Authorization: '[redacted]', cookie: '[redacted]', accept: 'json' },
      body: { email: 'a@b.c', password: '[redacted]', nested: [{ api_key: '[redacted]', Token: '[redacted]', access_token: '[redacted]' }] },
      secret: '[redacted]', key: '[redacted]', note: 'keep',
    });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redactSecrets(a)).toEqual({ name: 'a', self: '[omitted]' });
  });
});

describe('AppLogger', () => {
  it('writes JSON lines with level names and redaction, and Nest-style calls carry their context', async () => {
    const lines: string[] = [];
    const logger = AppLogger.create('info', 'registry', new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } }));
    logger.pino.info({ user: { password: 'p' }, headers: { authorization: 'Bearer t' } }, 'signed in');
    logger.log('relay started', 'Outbox');
    logger.debug('not at info level');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info', service: 'registry', msg: 'signed in', user: { password: '[redacted]' }, headers: { authorization: '[redacted]' },
    });
    expect(JSON.parse(lines[1])).toMatchObject({ msg: 'relay started', context: 'Outbox' });
  });
});

describe('error serialisation', () => {
  it('keeps type, message, SQLSTATE and stack of a QueryFailedError, never its query, parameters or detail', () => {
    const err = uniqueViolation();
    expect((err as unknown as { parameters: unknown[] }).parameters).toContain(SCRYPT_HASH);
    const out = serializeError(err);
    expect(out).toEqual({ type: 'QueryFailedError', message: err.message, code: '23505', stack: err.stack });
    expect(JSON.stringify(out)).not.toContain(SCRYPT_HASH);
    expect(JSON.stringify(out)).not.toContain('ana@example.com');
  });

  it.each([
    ['as err', (logger: AppLogger, err: Error) => logger.pino.error({ err, error_id: 'e-1' }, 'unhandled error')],
    ['as the first argument', (logger: AppLogger, err: Error) => logger.pino.error(err)],
    ['under another field', (logger: AppLogger, err: Error) => logger.pino.error({ failure: { error: err }, error_id: 'e-1' }, 'failed')],
    ['through Nest', (logger: AppLogger, err: Error) => logger.error(err)],
    ['as a cause', (logger: AppLogger, err: Error) => logger.pino.error({ err: new Error('save failed', { cause: err }) }, 'failed')],
  ])('writes no query parameter to the log line, the error logged %s', async (_how, log) => {
    const { logger, lines } = capture();
    log(logger, uniqueViolation());
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SCRYPT_HASH);
    expect(lines[0]).not.toContain('ana@example.com');
    expect(lines[0]).not.toContain('INSERT INTO');
    expect(lines[0]).toContain('23505');
    expect(lines[0]).toContain('users_email_key');
  });

  it('logs a plain object carrying parameters without them', async () => {
    const { logger, lines } = capture();
    logger.pino.error({ err: { message: 'query failed', parameters: [SCRYPT_HASH] } }, 'failed');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).not.toContain(SCRYPT_HASH);
  });
});

describe('errorMessage', () => {
  it.each([
    [new Error('boom'), 'boom'],
    ['a string', 'a string'],
    [undefined, 'undefined'],
    [null, 'null'],
    [42, '42'],
    [Object.create(null), 'unprintable error'],
    [{ toString: () => { throw new Error('no'); } }, 'unprintable error'],
  ])('reads %p as %j without throwing', (err, expected) => {
    expect(errorMessage(err)).toBe(expected);
  });
});
