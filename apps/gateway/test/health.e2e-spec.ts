import { loadGatewayConfig } from '#config';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { createGatewayApp } from '../src/app.factory.js';
import type { GatewayApp } from '../src/gateway-app.js';

async function start(env: Record<string, string>): Promise<{ app: GatewayApp; url: string }> {
  const app = await createGatewayApp(loadGatewayConfig({ LOG_LEVEL: 'silent', REDIS_PREFIX: testRedisPrefix(), ...env }));
  return { app, url: await app.listen(0, '127.0.0.1') };
}

describe('gateway health', () => {
  let db: TestDatabase;
  let healthy: { app: GatewayApp; url: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    healthy = await start({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL });
  });
  afterAll(async () => {
    await healthy?.app.close();
    await db?.drop();
  });

  it('answers /health while the process runs', async () => {
    const res = await fetch(`${healthy.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: 'gateway', instance: expect.any(String) });
  });

  it('is ready when PostgreSQL and Redis answer', async () => {
    const res = await fetch(`${healthy.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('reads through DATABASE_READ_URL when one is set', async () => {
    const { app, url } = await start({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
      DATABASE_READ_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
    });
    try {
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('is not ready, and says which dependency failed, when Redis is unreachable', async () => {
    const { app, url } = await start({ DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await fetch(`${url}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'ok', redis: 'down' } });
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers an unknown route with 404 in the API error shape', async () => {
    const res = await fetch(`${healthy.url}/no/such/route`);
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
