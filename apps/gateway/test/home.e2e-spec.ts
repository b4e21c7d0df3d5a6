import { loadGatewayConfig } from '#config';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { createGatewayApp } from '../src/app.factory.js';
import type { GatewayApp } from '../src/gateway-app.js';

describe('the gateway at /', () => {
  let db: TestDatabase;
  let app: GatewayApp;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createGatewayApp(loadGatewayConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: testRedisPrefix(), DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL }));
    url = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers JSON pointing to the serve routes and to the OpenAPI document, with the security headers', async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await res.json()) as { service: string; routes: Record<string, string>; docs: Record<string, string>; probes: string[] };
    expect(body.service).toBe('gateway');
    expect(body.routes.serve).toMatch(/^GET \/v1\/serve\/\{key\}/);
    expect(body.routes.serve_long).toMatch(/^POST \/v1\/serve\/\{key\}/);
    expect(body.docs.registry_openapi).toContain('/api/docs-json');
    expect(body.docs.serve).toContain('docs/API.md');
    expect(body.docs.openapi).toContain('/openapi.json');
    expect(body.probes).toEqual(['/health', '/ready']);
  });

  it('names only routes the gateway answers', async () => {
    for (const path of ['/health', '/ready']) expect((await fetch(`${url}${path}`)).status).toBe(200);
    // Without an API key: 401 from the serve routes themselves, not a 404 for an unknown path.
    for (const path of ['/v1/serve/any.prompt']) expect([path, (await fetch(`${url}${path}`)).status]).toEqual([path, 401]);
  });

  it('answers HEAD, and 405 with allow for other methods', async () => {
    expect((await fetch(`${url}/`, { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(`${url}/`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});
