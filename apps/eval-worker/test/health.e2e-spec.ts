import type { AddressInfo } from 'node:net';
import { loadWorkerConfig } from '#config';
import { describeProbes } from '../../../test/support/probes.js';
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
  let healthy: { worker: RunningWorker; url: string } | undefined;

  beforeAll(async () => {
    // A DATABASE_URL that leads nowhere: the worker never reads the database, so it is ready without one.
    healthy = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', REDIS_URL: TEST_REDIS_URL });
  });
  afterAll(async () => {
    await healthy?.worker.close();
  });

  describeProbes({
    service: 'eval-worker',
    healthy: () => {
      if (!healthy) throw new Error('the worker is started in beforeAll');
      return healthy;
    },
    startWithRedisDown: async () => {
      const { worker, url } = await start({ REDIS_URL: 'redis://127.0.0.1:1' });
      return { url, close: () => worker.close() };
    },
    readyChecks: { redis: 'ok' },
  });

  it('closes its health port on close()', async () => {
    const { worker, url } = await start({ REDIS_URL: TEST_REDIS_URL });
    await fetch(`${url}/health`);
    await worker.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
