import { Writable } from 'node:stream';
import { AppLogger, redactSecrets } from './logger.js';

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
    logger.log('Mapped route', 'RouterExplorer');
    logger.debug('not at info level');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info', service: 'registry', msg: 'signed in', user: { password: '[redacted]' }, headers: { authorization: '[redacted]' },
    });
    expect(JSON.parse(lines[1])).toMatchObject({ msg: 'Mapped route', context: 'RouterExplorer' });
  });
});
