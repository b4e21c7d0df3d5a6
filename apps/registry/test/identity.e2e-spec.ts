import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { seedDevAdmin } from '../src/seed/seed-dev-admin.js';
import {
  bootRegistry, expectNoServerErrors, signup, TEST_JWT_SECRET, TEST_PASSWORD, uniqueEmail, useRegistry,
} from './support/registry.js';

describe('identity', () => {
  const h = useRegistry();

  describe('signup', () => {
    it('creates the user (email trimmed and lower-cased) and answers 201 {user, access_token} without the hash', async () => {
      const local = uniqueEmail('Ana');
      const res = await request(h.http).post('/api/v1/auth/signup')
        .send({ email: `  ${local.toUpperCase()} `, password: TEST_PASSWORD, name: 'Ana Lima' })
        .expect(201);
      expect(res.body).toEqual({
        user: { id: expect.any(String), email: local.toLowerCase(), name: 'Ana Lima', created_at: expect.any(String) },
        access_token: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/scrypt|password/);
      const [row] = await h.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [res.body.user.id]);
      expect(row.password_hash).toMatch(/^scrypt\$/);
    });

    it('makes a personal workspace owned by the user with the three default environments', async () => {
      const ana = await signup(h.http, uniqueEmail(), TEST_PASSWORD, 'Ana');
      const me = await request(h.http).get('/api/v1/me').set(ana.auth).expect(200);
      expect(me.body.memberships).toEqual([
        { workspace: { id: ana.workspaceId, name: "Ana's workspace", is_personal: true, created_at: expect.any(String) }, role: 'owner' },
      ]);
      const envs = await request(h.http).get(`/api/v1/workspaces/${ana.workspaceId}/environments`).set(ana.auth).expect(200);
      const common = { workspace_id: ana.workspaceId, eval_required: false, eval_pass_threshold: 7, judge: null };
      expect(envs.body.items).toEqual([
        expect.objectContaining({ ...common, name: 'development', is_protected: false, require_review: false }),
        expect.objectContaining({ ...common, name: 'staging', is_protected: false, require_review: false }),
        expect.objectContaining({ ...common, name: 'production', is_protected: true, require_review: true }),
      ]);
      const audit = await h.dataSource.query(`SELECT seq, action FROM audit_log WHERE workspace_id = $1 ORDER BY seq`, [ana.workspaceId]);
      expect(audit.map((a: { action: string }) => a.action)).toEqual([
        'workspace.created', 'member.added', 'environment.created', 'environment.created', 'environment.created',
      ]);
    });

    it('answers 409 conflict for a taken email, however it is spelled', async () => {
      const email = uniqueEmail();
      await signup(h.http, email);
      const res = await request(h.http).post('/api/v1/auth/signup').send({ email: ` ${email.toUpperCase()}`, password: TEST_PASSWORD }).expect(409);
      expect(res.body.error.code).toBe('conflict');
    });

    it('answers 409 to one of two simultaneous signups with one email', async () => {
      const email = uniqueEmail('race');
      const answers = await Promise.all([1, 2, 3].map(() =>
        request(h.http).post('/api/v1/auth/signup').send({ email, password: TEST_PASSWORD })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    });

    it('answers 400 validation_failed for a password under 10 characters', async () => {
      const res = await request(h.http).post('/api/v1/auth/signup').send({ email: uniqueEmail(), password: '123456789' }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'password', messages: [expect.stringContaining('10')] }] });
    });
  });

  describe('login', () => {
    it('answers 200 {access_token, user, expires_in} and the token works on /me', async () => {
      const ana = await signup(h.http);
      const res = await request(h.http).post('/api/v1/auth/login').send({ email: ` ${ana.user.email.toUpperCase()} `, password: TEST_PASSWORD }).expect(200);
      expect(res.body).toEqual({ access_token: expect.any(String), user: ana.user, expires_in: 3600 });
      const me = await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
      expect(me.body.user).toEqual(ana.user);
    });

    it('answers 401 with the same message for an unknown email and a wrong password', async () => {
      const ana = await signup(h.http);
      const wrong = await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: 'not the password' }).expect(401);
      const unknown = await request(h.http).post('/api/v1/auth/login').send({ email: uniqueEmail('ghost'), password: 'not the password' }).expect(401);
      expect(wrong.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('after 10 failures for one email answers 429 rate_limited with retry-after, even for the right password; other emails are unaffected', async () => {
      const [ana, other] = await Promise.all([signup(h.http), signup(h.http)]);
      for (let i = 0; i < 10; i++) {
        await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: `wrong-${i}-password` }).expect(401);
      }
      const limited = await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: 'wrong-again-password' }).expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(14 * 60);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: TEST_PASSWORD }).expect(429);
      await request(h.http).post('/api/v1/auth/login').send({ email: other.user.email, password: TEST_PASSWORD }).expect(200);

      const key = `${h.redisPrefix}:login-fail:${ana.user.email}`;
      const { Redis } = await import('ioredis');
      const redis = new Redis('redis://127.0.0.1:6379');
      try {
        expect(await redis.get(key)).toBe('10');
        await redis.del(key);
      } finally {
        redis.disconnect();
      }
      await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: TEST_PASSWORD }).expect(200);
    });

    it('counts failures per email, and a successful login clears the count', async () => {
      const bob = await signup(h.http);
      const fail = () => request(h.http).post('/api/v1/auth/login').send({ email: bob.user.email, password: 'wrong password' }).expect(401);
      for (let i = 0; i < 5; i++) await fail();
      await request(h.http).post('/api/v1/auth/login').send({ email: bob.user.email, password: TEST_PASSWORD }).expect(200);
      for (let i = 0; i < 5; i++) await fail();
      // Ten failures in all, but the success in between reset the count: not locked out.
      await request(h.http).post('/api/v1/auth/login').send({ email: bob.user.email, password: TEST_PASSWORD }).expect(200);
    });
  });

  describe('tokens', () => {
    const jwt = new JwtService({ secret: TEST_JWT_SECRET });

    it('answers 401 for a malformed, forged, expired or orphaned token', async () => {
      const ana = await signup(h.http);
      const now = Math.floor(Date.now() / 1000);
      const tokens = [
        'not-a-jwt',
        new JwtService({ secret: 'y'.repeat(40) }).sign({ sub: ana.user.id }),
        jwt.sign({ sub: ana.user.id, exp: now - 60 }),
        jwt.sign({ sub: 'not-a-uuid' }, { expiresIn: 600 }),
        jwt.sign({ sub: ana.user.id }, { algorithm: 'HS512' }),
      ];
      for (const token of tokens) {
        const res = await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
      await request(h.http).get('/api/v1/me').set('Authorization', `Basic ${ana.token}`).expect(401);

      const valid = jwt.sign({ sub: ana.user.id }, { expiresIn: 600 });
      await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${valid}`).expect(200);
      await h.dataSource.query(`DELETE FROM users WHERE id = $1`, [ana.user.id]);
      await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${valid}`).expect(401);
    });

    it('has no bypass outside development: a request without a token is 401 in test mode', async () => {
      await seedDevAdmin(h.dataSource, h.config.DEV_ADMIN_EMAIL);
      await request(h.http).get('/api/v1/me').expect(401);
    });
  });
});

describe('ALLOW_SIGNUP=false', () => {
  const h = useRegistry({ ALLOW_SIGNUP: 'false' });

  it('answers signup with 403 forbidden, even for an invalid body', async () => {
    const res = await request(h.http).post('/api/v1/auth/signup').send({ email: uniqueEmail(), password: TEST_PASSWORD }).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    await request(h.http).post('/api/v1/auth/signup').send({ password: 'x' }).expect(403);
  });

  it('says so in GET /auth/options, without a token, so a sign-in page can leave signup out', async () => {
    const res = await request(h.http).get('/api/v1/auth/options').expect(200);
    expect(res.body).toEqual({ signup_allowed: false, dev_auth_bypass: false });
  });
});

describe('dev auth bypass', () => {
  const devAdmin = 'dev-admin@promptgate.test';

  it('acts as the seeded admin for requests without Authorization, only with APP_ENV=development and DEV_AUTH_BYPASS=true', async () => {
    const h = await bootRegistry({ APP_ENV: 'development', DEV_AUTH_BYPASS: 'true', DEV_ADMIN_EMAIL: devAdmin });
    try {
      const before = await request(h.http).get('/api/v1/me').expect(401);
      expect(before.body.error.code).toBe('unauthorized');
      // A client learns that it needs no login screen without a request that fails.
      const options = await request(h.http).get('/api/v1/auth/options').expect(200);
      expect(options.body).toEqual({ signup_allowed: true, dev_auth_bypass: true });

      const seeded = await seedDevAdmin(h.dataSource, devAdmin);
      expect(seeded).toEqual({ created: true, email: devAdmin, password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
      expect(await seedDevAdmin(h.dataSource, devAdmin)).toEqual({ created: false, email: devAdmin });

      const me = await request(h.http).get('/api/v1/me').expect(200);
      expect(me.body.user.email).toBe(devAdmin);
      expect(me.body.memberships).toEqual([expect.objectContaining({ role: 'owner' })]);
      const [{ count }] = await h.dataSource.query(
        `SELECT count(*)::int AS count FROM audit_log WHERE workspace_id = $1`, [me.body.memberships[0].workspace.id]);
      expect(count).toBe(5);

      await request(h.http).post('/api/v1/auth/login').send({ email: devAdmin, password: seeded.password }).expect(200);
      // A request that does send a header is judged on it: a bad token is never upgraded to the admin.
      await request(h.http).get('/api/v1/me').set('Authorization', 'Bearer nope').expect(401);
      const ana = await signup(h.http);
      const asAna = await request(h.http).get('/api/v1/me').set(ana.auth).expect(200);
      expect(asAna.body.user.email).toBe(ana.user.email);
      expectNoServerErrors(h);
    } finally {
      await h.close();
    }
  });

  it.each([
    ['development without DEV_AUTH_BYPASS', { APP_ENV: 'development', DEV_AUTH_BYPASS: 'false' }],
    ['production with DEV_AUTH_BYPASS=true', { APP_ENV: 'production', DEV_AUTH_BYPASS: 'true' }],
    ['test with DEV_AUTH_BYPASS=true', { APP_ENV: 'test', DEV_AUTH_BYPASS: 'true' }],
  ])('is off in %s', async (_name, env) => {
    const h = await bootRegistry({ ...env, DEV_ADMIN_EMAIL: devAdmin });
    try {
      await seedDevAdmin(h.dataSource, devAdmin);
      await request(h.http).get('/api/v1/me').expect(401);
      const options = await request(h.http).get('/api/v1/auth/options').expect(200);
      expect(options.body).toEqual({ signup_allowed: h.config.ALLOW_SIGNUP, dev_auth_bypass: false });
      expectNoServerErrors(h);
    } finally {
      await h.close();
    }
  });
});
