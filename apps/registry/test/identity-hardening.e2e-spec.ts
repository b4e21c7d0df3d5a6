import { randomBytes, scryptSync } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ConfigError, loadRegistryConfig } from '#config';
import { seedDevAdmin } from '../src/seed/seed-dev-admin.js';
import {
  bootRegistry, expectNoServerErrors, signup, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_PASSWORD, uniqueEmail, useRegistry,
} from './support/registry.js';

const login = (http: Parameters<typeof request>[0], email: string, password: string) =>
  request(http).post('/api/v1/auth/login').send({ email, password });

async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** A password hash as the registry stored it before the cost was raised: scrypt N=2^15, r=8, p=1. */
function oldFormatHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

describe('login limit', () => {
  const h = useRegistry({ PASSWORD_SCRYPT_N: String(2 ** 14) });

  it('answers at most 10 of 100 concurrent wrong-password logins for one email with 401, the rest 429; the count stops at 10; then the right password is 429', async () => {
    const ana = await signup(h.http);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => login(h.http, ana.user.email, `wrong-password-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 401).length).toBe(10);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(14 * 60);

    const key = `${h.redisPrefix}:login-fail:${ana.user.email}`;
    expect(await withRedis((r) => r.get(key))).toBe('10');
    const ttl = await withRedis((r) => r.pttl(key));
    expect(ttl).toBeGreaterThan(14 * 60 * 1000);
    expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000);

    // API.md: 429 until the window passes, even with the right password; the refusals counted nothing.
    await login(h.http, ana.user.email, TEST_PASSWORD).expect(429);
    expect(await withRedis((r) => r.get(key))).toBe('10');
    await withRedis((r) => r.del(key));
    await login(h.http, ana.user.email, TEST_PASSWORD).expect(200);
  });

  it('a success clears the per-email count, so failures either side of it do not add up', async () => {
    const bob = await signup(h.http);
    for (let i = 0; i < 9; i++) await login(h.http, bob.user.email, 'wrong password').expect(401);
    await login(h.http, bob.user.email, TEST_PASSWORD).expect(200);
    expect(await withRedis((r) => r.exists(`${h.redisPrefix}:login-fail:${bob.user.email}`))).toBe(0);
    for (let i = 0; i < 9; i++) await login(h.http, bob.user.email, 'wrong password').expect(401);
    await login(h.http, bob.user.email, TEST_PASSWORD).expect(200);
  });
});

describe('per-client login limit (LOGIN_CLIENT_FAILURE_LIMIT=5, TRUST_PROXY=loopback)', () => {
  const h = useRegistry({ PASSWORD_SCRYPT_N: String(2 ** 14), LOGIN_CLIENT_FAILURE_LIMIT: '5', TRUST_PROXY: 'loopback' });
  const from = (address: string, email: string, password: string) =>
    login(h.http, email, password).set('X-Forwarded-For', address);

  it('after 5 failures from one address across emails answers 429 to that address only; successes do not count', async () => {
    const office = '203.0.113.7';
    const users = await Promise.all([signup(h.http), signup(h.http), signup(h.http)]);
    await from(office, uniqueEmail('ghost'), 'wrong password').expect(401);
    await from(office, users[0].user.email, 'wrong password').expect(401);
    // Successes from a shared address are not failures: they neither count nor give a failure back.
    for (const u of users) await from(office, u.user.email, TEST_PASSWORD).expect(200);
    await from(office, uniqueEmail('ghost'), 'wrong password').expect(401);
    await from(office, users[1].user.email, 'wrong password').expect(401);
    await from(office, uniqueEmail('ghost'), 'wrong password').expect(401);

    const limited = await from(office, uniqueEmail('ghost'), 'wrong password').expect(429);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('address') });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(14 * 60);
    await from(office, users[2].user.email, TEST_PASSWORD).expect(429);
    expect(await withRedis((r) => r.get(`${h.redisPrefix}:login-fail:client:${office}`))).toBe('5');

    // Another client address (req.ip from the trusted proxy's X-Forwarded-For) is unaffected.
    await from('198.51.100.9', users[2].user.email, TEST_PASSWORD).expect(200);
    await from('198.51.100.9', uniqueEmail('ghost'), 'wrong password').expect(401);
  });

  it('refusing by client address does not spend the email allowance', async () => {
    const address = '203.0.113.99';
    const cara = await signup(h.http);
    for (let i = 0; i < 5; i++) await from(address, uniqueEmail('ghost'), 'wrong password').expect(401);
    for (let i = 0; i < 3; i++) await from(address, cara.user.email, 'wrong password').expect(429);
    expect(Number(await withRedis((r) => r.get(`${h.redisPrefix}:login-fail:${cara.user.email}`)))).toBe(0);
    await from('198.51.100.10', cara.user.email, TEST_PASSWORD).expect(200);
  });
});

describe('per-client login limit without TRUST_PROXY', () => {
  const h = useRegistry({ PASSWORD_SCRYPT_N: String(2 ** 14), LOGIN_CLIENT_FAILURE_LIMIT: '2' });

  it('ignores X-Forwarded-For: a client cannot pick a fresh address per attempt', async () => {
    await login(h.http, uniqueEmail('ghost'), 'wrong password').set('X-Forwarded-For', '203.0.113.1').expect(401);
    await login(h.http, uniqueEmail('ghost'), 'wrong password').set('X-Forwarded-For', '203.0.113.2').expect(401);
    await login(h.http, uniqueEmail('ghost'), 'wrong password').set('X-Forwarded-For', '203.0.113.3').expect(429);
  });
});

describe('email identities', () => {
  const h = useRegistry({ PASSWORD_SCRYPT_N: String(2 ** 14) });
  const signupAs = (email: string) => request(h.http).post('/api/v1/auth/signup').send({ email, password: TEST_PASSWORD });

  it.each([
    ['a Cyrillic а', '\u0430lice@example.com', 'ASCII'],
    ['a Greek ο in the domain', 'alice@examp\u03bfle.com', 'ASCII'],
    ['a zero-width space', 'alice\u200b@example.com', 'invisible'],
    ['a right-to-left override', 'alice\u202e@example.com', 'invisible'],
    ['a quoted local part', '"alice"@example.com', 'quoted'],
  ])('refuses signup with %s as 400 validation_failed on email', async (_name, email, reason) => {
    const res = await signupAs(email).expect(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'email', messages: [expect.stringContaining(reason)] }],
    });
  });

  it('stores NFKC, lower case: Alice@Example.com then alice@example.com is 409, and fullwidth letters name the same account', async () => {
    const first = await signupAs('Alice@Example.com').expect(201);
    expect(first.body.user.email).toBe('alice@example.com');
    expect((await signupAs('alice@example.com').expect(409)).body.error.code).toBe('conflict');
    await signupAs('\uff41lice@example.com').expect(409);
    await login(h.http, 'ALICE@\uff45xample.com', TEST_PASSWORD).expect(200);
  });

  it('answers a look-alike address at login with the usual 401, never 400', async () => {
    const res = await login(h.http, '\u0430lice@example.com', TEST_PASSWORD).expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('still lets an account stored before the rule (an address it now refuses) sign in', async () => {
    const legacy = 'old\u200buser@example.com';
    const ana = await signup(h.http);
    await h.dataSource.query(`UPDATE users SET email = $1 WHERE id = $2`, [legacy, ana.user.id]);
    await login(h.http, legacy, TEST_PASSWORD).expect(200);
    await login(h.http, 'olduser@example.com', TEST_PASSWORD).expect(401);
  });
});

describe('password hash upgrade (PASSWORD_SCRYPT_N=2^17)', () => {
  const h = useRegistry({ PASSWORD_SCRYPT_N: String(2 ** 17) });

  it('signs up at N=2^17; an old N=2^15 hash still logs in, is re-hashed at N=2^17, and the new hash logs in too', async () => {
    const ana = await signup(h.http);
    const hashOf = async () => ((await h.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [ana.user.id]))[0].password_hash as string);
    expect(await hashOf()).toMatch(/^scrypt\$131072\$8\$1\$/);

    await h.dataSource.query(`UPDATE users SET password_hash = $1 WHERE id = $2`, [oldFormatHash(TEST_PASSWORD), ana.user.id]);
    expect(await hashOf()).toMatch(/^scrypt\$32768\$8\$1\$/);
    await login(h.http, ana.user.email, 'not the password').expect(401);
    expect(await hashOf()).toMatch(/^scrypt\$32768\$/);

    await login(h.http, ana.user.email, TEST_PASSWORD).expect(200);
    const upgraded = await hashOf();
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    await login(h.http, ana.user.email, TEST_PASSWORD).expect(200);
    expect(await hashOf()).toBe(upgraded);
  });

  it('allows a cost below 2^17 only with APP_ENV=test', () => {
    const env = { JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PASSWORD_SCRYPT_N: String(2 ** 14) };
    expect(loadRegistryConfig({ ...env, APP_ENV: 'test' }).PASSWORD_SCRYPT_N).toBe(2 ** 14);
    for (const APP_ENV of ['development', 'production']) {
      expect(() => loadRegistryConfig({ ...env, APP_ENV })).toThrow(ConfigError);
      expect(() => loadRegistryConfig({ ...env, APP_ENV })).toThrow(/PASSWORD_SCRYPT_N/);
    }
    expect(loadRegistryConfig({ JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }).PASSWORD_SCRYPT_N).toBe(2 ** 17);
    expect(() => loadRegistryConfig({ ...env, APP_ENV: 'test', PASSWORD_SCRYPT_N: '100000' })).toThrow(/power of two/);
  });
});

describe('access tokens', () => {
  const h = useRegistry({ PASSWORD_SCRYPT_N: String(2 ** 14) });
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it('refuses a token without exp, and one whose alg is none, with 401; a signed token with exp works', async () => {
    const ana = await signup(h.http);
    const noExp = jwt.sign({ sub: ana.user.id });
    expect(JSON.parse(Buffer.from(noExp.split('.')[1], 'base64url').toString())).not.toHaveProperty('exp');
    const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: ana.user.id, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    for (const token of [noExp, algNone]) {
      const res = await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${jwt.sign({ sub: ana.user.id }, { expiresIn: 60 })}`).expect(200);
  });
});

describe('dev auth bypass and cross-site forms', () => {
  const devAdmin = 'csrf-admin@promptgate.test';

  it('refuses a token-less POST that a cross-site form could send (no content type, or a form type) with 403; JSON or a custom header acts as the admin', async () => {
    const h = await bootRegistry({
      APP_ENV: 'development', DEV_AUTH_BYPASS: 'true', DEV_ADMIN_EMAIL: devAdmin, PASSWORD_SCRYPT_N: String(2 ** 17),
    });
    try {
      await seedDevAdmin(h.dataSource, devAdmin);
      const workspaces = async () => (await h.dataSource.query(`SELECT count(*)::int AS n FROM workspaces`))[0].n as number;
      const before = await workspaces();

      const bare = await request(h.http).post('/api/v1/workspaces').expect(403);
      expect(bare.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('X-Promptgate-Client') });
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const res = await request(h.http).post('/api/v1/workspaces').set('Content-Type', type).expect(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      const uuid = '00000000-0000-4000-8000-000000000000';
      await request(h.http).delete(`/api/v1/workspaces/${uuid}/members/${uuid}`).expect(403);
      expect(await workspaces()).toBe(before);

      // GET stays open; JSON, X-Promptgate-Client or X-Requested-With show the request is not a plain form.
      await request(h.http).get('/api/v1/me').expect(200);
      await request(h.http).post('/api/v1/workspaces').send({ name: 'By JSON' }).expect(201);
      const noBody = await request(h.http).post('/api/v1/workspaces').set('X-Promptgate-Client', 'cli').expect(400);
      expect(noBody.body.error.code).toBe('validation_failed');
      await request(h.http).post('/api/v1/workspaces').set('X-Requested-With', 'XMLHttpRequest').expect(400);
      expect(await workspaces()).toBe(before + 1);
      // A bearer token is judged on its own, whatever the content type.
      const ana = await signup(h.http);
      await request(h.http).post('/api/v1/workspaces').set(ana.auth).set('Content-Type', 'text/plain').expect(400);
      expectNoServerErrors(h);
    } finally {
      await h.close();
    }
  });
});
