import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadGatewayConfig } from '#config';
import { type ApiKeySnapshot, type LiveSnapshotInput, QUEUES, redisNames, SERVE_USAGE_JOB, serveUsageJobSchema } from '#contracts';
import { generateApiKey } from '#domain';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { createGatewayApp } from '../src/app.factory.js';

/**
 * Usage counting, on a gateway alone: the API key and the prompt exist only as the Redis snapshots
 * the registry would have written, and no consumer takes the jobs, so they can be read back.
 */
describe('serve usage counts', () => {
  const prefix = testRedisPrefix();
  const names = redisNames(prefix);
  const environmentId = randomUUID();
  const apiKeyId = randomUUID();
  const versionId = randomUUID();
  const issued = generateApiKey('test');
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
    const apiKey: ApiKeySnapshot = { v: 1, id: apiKeyId, workspace_id: randomUUID(), environment_id: environmentId, rate_limit_rpm: 600, revoked: false };
    const live: LiveSnapshotInput = {
      v: 1, prompt_id: randomUUID(), environment_id: environmentId, key: 'usage.demo', version_id: versionId, version_num: 4,
      content: 'Counted {{x}}', live_from: new Date().toISOString(),
    };
    await redis.set(names.apiKey(issued.hash), JSON.stringify(apiKey));
    await redis.set(names.liveSnapshot(environmentId, 'usage.demo'), JSON.stringify(live));
    await redis.set(names.versionSnapshot(environmentId, 'usage.demo', 4), JSON.stringify(live));
  });
  afterAll(async () => {
    redis.disconnect();
    await dropRedisPrefix(prefix);
  });

  it('sends the serves counted per API key and version as serve.usage jobs, the last of them on shutdown', async () => {
    const app = await createGatewayApp(loadGatewayConfig({
      APP_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', USAGE_FLUSH_MS: '60000',
    }));
    const url = await app.listen(0, '127.0.0.1');
    const before = Date.now();
    const statuses: number[] = [];
    for (const path of ['/v1/serve/usage.demo', '/v1/serve/usage.demo?vars=x=1', '/v1/serve/usage.demo?version=4', '/v1/serve/usage.demo?format=json', '/v1/serve/other']) {
      statuses.push((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${issued.key}` } })).status);
    }
    // Without PostgreSQL nothing proves `other` does not exist: 503, and not counted.
    expect(statuses).toEqual([200, 200, 200, 200, 503]);
    await app.close();

    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.serveUsage, { connection, prefix: names.bullPrefix });
    try {
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs).toHaveLength(1);
      const [job] = jobs;
      expect(job.name).toBe(SERVE_USAGE_JOB);
      expect(job.opts).toMatchObject({ attempts: 5, removeOnComplete: true, removeOnFail: 1000, backoff: { type: 'exponential' } });
      const payload = serveUsageJobSchema.parse(job.data);
      expect(payload.counts).toEqual([{ api_key_id: apiKeyId, version_id: versionId, count: 4, last_served_at: expect.any(String) }]);
      expect(Date.parse(payload.counts[0].last_served_at)).toBeGreaterThanOrEqual(before - 1000);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
