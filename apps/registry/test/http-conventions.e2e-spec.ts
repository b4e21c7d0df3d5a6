import request from 'supertest';
import { bootRegistry, expectNoServerErrors, signup, useRegistry, type SignedUp } from './support/registry.js';

describe('registry HTTP conventions', () => {
  const h = useRegistry();
  let ana: SignedUp;

  beforeAll(async () => {
    ana = await signup(h.http);
  });

  it('answers /health and /ready at the root, without auth', async () => {
    expect((await request(h.http).get('/health').expect(200)).body).toEqual({ status: 'ok', service: 'registry', instance: expect.any(String) });
    const ready = await request(h.http).get('/ready').expect(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'ok' });
    await request(h.http).get('/api/v1/health').expect(404);
  });

  it('answers an unknown route with 404 not_found in the error shape', async () => {
    const res = await request(h.http).get('/api/v1/no-such-thing').set(ana.auth).expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    // Elsewhere under /, a GET is the dashboard's (a deep link once built): dashboard-serving.e2e-spec.ts.
    await request(h.http).post('/nowhere').expect(404);
    await request(h.http).get('/api/nowhere').expect(404);
  });

  it('requires a token on every other route: 401 unauthorized', async () => {
    const res = await request(h.http).get('/api/v1/me').expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('refuses unknown body fields with 400 validation_failed naming the field', async () => {
    const res = await request(h.http).post('/api/v1/workspaces').set(ana.auth).send({ name: 'ok', is_admin: true }).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([{ field: 'is_admin', messages: [expect.stringContaining('should not exist')] }]);
  });

  it('lists every invalid field in details', async () => {
    const res = await request(h.http).post('/api/v1/auth/signup').send({ email: 'nope', password: 'short' }).expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password']);
  });

  it('refuses a body that is not a JSON object, and a missing body names the required fields', async () => {
    const array = await request(h.http).post('/api/v1/workspaces').set(ana.auth).send([{ name: 'x' }]).expect(400);
    expect(array.body.error.code).toBe('validation_failed');
    const empty = await request(h.http).post('/api/v1/workspaces').set(ana.auth).expect(400);
    expect(empty.body.error.details[0].field).toBe('name');
  });

  it('answers a body over 1 MiB with 413 payload_too_large', async () => {
    const body = JSON.stringify({ name: 'a'.repeat(1024 * 1024) });
    const res = await request(h.http).post('/api/v1/workspaces').set(ana.auth).set('Content-Type', 'application/json').send(body).expect(413);
    expect(res.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
  });

  it('accepts a body just under 1 MiB as far as the parser goes', async () => {
    const res = await request(h.http).post('/api/v1/workspaces').set(ana.auth).send({ name: 'a'.repeat(1000 * 1000) }).expect(400);
    expect(res.body.error.details[0].field).toBe('name');
  });

  it('answers invalid JSON with 400 validation_failed saying the body is not valid JSON', async () => {
    const res = await request(h.http).post('/api/v1/workspaces').set(ana.auth).set('Content-Type', 'application/json').send('{"name": ').expect(400);
    expect(res.body).toEqual({ error: { code: 'validation_failed', message: 'The request body is not valid JSON.' } });
  });

  it('answers a non-JSON content type with 415 unsupported_media_type', async () => {
    const text = await request(h.http).post('/api/v1/workspaces').set(ana.auth).set('Content-Type', 'text/plain').send('name=x').expect(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
    const form = await request(h.http).post('/api/v1/auth/login').type('form').send({ email: 'a@b.c', password: 'x' }).expect(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
  });

  it('answers a malformed UUID in a path with 400 and an unknown one with 404', async () => {
    const bad = await request(h.http).get('/api/v1/workspaces/not-a-uuid/members').set(ana.auth).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.message).toContain('ws');
    const unknown = await request(h.http).get('/api/v1/workspaces/00000000-0000-4000-8000-000000000000/members').set(ana.auth).expect(404);
    expect(unknown.body.error.code).toBe('not_found');
    await request(h.http).patch('/api/v1/environments/123').set(ana.auth).send({}).expect(400);
  });

  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    const given = await request(h.http).get('/health').set('x-request-id', 'trace-123');
    expect(given.headers['x-request-id']).toBe('trace-123');
    const made = await request(h.http).get('/health').set('x-request-id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document with the paths and bearer auth, and the Swagger UI', async () => {
    const res = await request(h.http).get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining([
      '/api/v1/auth/signup', '/api/v1/auth/login', '/api/v1/me', '/api/v1/workspaces',
      '/api/v1/workspaces/{ws}/members', '/api/v1/workspaces/{ws}/members/{userId}',
      '/api/v1/workspaces/{ws}/environments', '/api/v1/environments/{env}',
    ]));
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await request(h.http).get('/api/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
  });

  describe('list parameters', () => {
    const list = (query: string) => request(h.http).get(`/api/v1/workspaces/${ana.workspaceId}/environments${query}`).set(ana.auth);

    it.each(['0', '-1', 'abc', '1.5', ''])('refuses limit=%j with 400', async (limit) => {
      const res = await list(`?limit=${limit}`).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('reads a limit above 200 as 200 and defaults to 50', async () => {
      const big = await list('?limit=500').expect(200);
      expect(big.body).toEqual({ items: expect.any(Array), next_cursor: null });
      expect(big.body.items).toHaveLength(3);
      await list('').expect(200);
    });

    it.each(['%%%', 'not-base64-json', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')])(
      'refuses malformed cursor %j with 400', async (cursor) => {
        const res = await list(`?cursor=${cursor}`).expect(400);
        expect(res.body.error.code).toBe('validation_failed');
      });
  });
});

describe('registry with Redis unreachable', () => {
  it('reports not ready (503 naming redis) but keeps serving and still limits logins per process', async () => {
    const h = await bootRegistry({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      await request(h.http).get('/health').expect(200);
      const ready = await request(h.http).get('/ready').expect(503);
      expect(ready.body.checks).toEqual({ postgres: 'ok', redis: 'down' });

      const ana = await signup(h.http);
      await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: 'correct-horse-battery' }).expect(200);
      for (let i = 0; i < 10; i++) {
        await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: 'wrong password!' }).expect(401);
      }
      const limited = await request(h.http).post('/api/v1/auth/login').send({ email: ana.user.email, password: 'wrong password!' }).expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expectNoServerErrors(h);
    } finally {
      await h.close();
    }
  });
});
