import type { AddressInfo } from 'node:net';
import { loadWorkerConfig } from '#config';
import { TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { createWorker, type RunningWorker } from '../src/app.factory.js';

async function start(env: Record<string, string>): Promise<{ worker: RunningWorker; url: string }> {
  const worker = await createWorker(loadWorkerConfig({
    LOG_LEVEL: 'silent',
    REDIS_PREFIX: testRedisPrefix(),
    ENCRYPTION_KEY: 'ab'.repeat(32),
    WORKER_HEALTH_PORT: '0',
    ...env,
  }));
  const { port } = worker.healthServer.address() as AddressInfo;
  return { worker, url: `http://127.0.0.1:${port}` };
}

describe('eval-worker health', () => {
  let healthy: { worker: RunningWorker; url: string };

  beforeAll(async () => {
    // A DATABASE_URL that leads nowhere: the worker never reads the database, so it is ready without one.
    healthy = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', REDIS_URL: TEST_REDIS_URL });
  });
  afterAll(async () => {
    await healthy?.worker.close();
  });

  it('answers /health while the process runs', async () => {
    const res = await fetch(`${healthy.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: 'eval-worker', instance: expect.any(String) });
  });

  it('is ready when Redis answers, and checks nothing else', async () => {
    const res = await fetch(`${healthy.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { redis: 'ok' } });
  });

  it('is not ready, and says which dependency failed, when Redis is unreachable', async () => {
    const { worker, url } = await start({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await fetch(`${url}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', checks: { redis: 'down' } });
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      await worker.close();
    }
  });

  it('answers an unknown route with 404 in the API error shape', async () => {
    const res = await fetch(`${healthy.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('closes its health port on close()', async () => {
    const { worker, url } = await start({ REDIS_URL: TEST_REDIS_URL });
    await fetch(`${url}/health`);
    await worker.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
