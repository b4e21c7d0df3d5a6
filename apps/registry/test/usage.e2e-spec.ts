import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { QUEUES, redisNames, SERVE_USAGE_JOB, type ServeUsageJob } from '#contracts';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { ServeUsageLedger } from '../src/usage/serve-usage-ledger.js';
import { useRegistry } from './support/registry.js';
import { api, livePrompt, makeTeam, shipVersion, type Team } from './support/review-flow.js';

describe('serve usage from the gateways', () => {
  const h = useRegistry();
  let t: Team;
  let connection: Redis;
  let queue: Queue;
  let versionA: string;
  let versionB: string;
  let apiKeyId: string;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUES.serveUsage, { connection, prefix: redisNames(h.redisPrefix).bullPrefix });
    const { promptId, versionId } = await livePrompt(h.http, t, 'development', 'usage.greeting');
    versionA = versionId;
    versionB = (await shipVersion(h.http, t, promptId, 'Hello again.')).id;
    apiKeyId = (await request(h.http).post(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).send({ name: 'usage' }).expect(201)).body.id;
  });

  afterAll(async () => {
    await queue.close();
    connection.disconnect();
  });

  const batch = (counts: Array<{ version_id: string; count: number; last_served_at: string; api_key_id?: string }>): ServeUsageJob => ({
    v: 1, gateway_id: 'gw-test', counts: counts.map((c) => ({ api_key_id: apiKeyId, ...c })),
  });

  const send = (data: unknown, name = SERVE_USAGE_JOB) => queue.add(name, data, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });

  const settled = async (job: Job): Promise<string> => {
    for (let i = 0; i < 200; i += 1) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return state;
      await new Promise((r) => setTimeout(r, 25));
    }
    return 'still pending';
  };

  const versionView = async (id: string) => (await request(h.http).get(api(`/versions/${id}`)).set(t.viewer.auth).expect(200)).body;
  const keyView = async () => {
    const list = await request(h.http).get(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).expect(200);
    return list.body.items.find((k: { id: string }) => k.id === apiKeyId);
  };
  const counts = async () => ({
    a: (await versionView(versionA)).served_count as number,
    b: (await versionView(versionB)).served_count as number,
    key: (await keyView()).served_count as number,
  });

  it('records a batch on each version and on the API key: the version detail and the key list show the counts', async () => {
    const job = await send(batch([
      { version_id: versionA, count: 3, last_served_at: '2025-03-01T10:00:00.000Z' },
      { version_id: versionB, count: 5, last_served_at: '2025-03-01T11:30:00.000Z' },
    ]));
    expect(await settled(job)).toBe('completed');

    expect(await versionView(versionA)).toMatchObject({ served_count: 3, last_served_at: '2025-03-01T10:00:00.000Z' });
    expect(await versionView(versionB)).toMatchObject({ served_count: 5, last_served_at: '2025-03-01T11:30:00.000Z' });
    expect(await keyView()).toMatchObject({ served_count: 8, last_served_at: '2025-03-01T11:30:00.000Z' });
  });

  it('adds up the same counts sent in two batches, and never moves last_served_at back', async () => {
    const before = await counts();
    const first = await send(batch([{ version_id: versionA, count: 2, last_served_at: '2025-03-02T09:00:00.000Z' }]));
    const second = await send(batch([{ version_id: versionA, count: 2, last_served_at: '2025-03-01T08:00:00.000Z' }]));
    expect([await settled(first), await settled(second)]).toEqual(['completed', 'completed']);

    expect(await counts()).toEqual({ a: before.a + 4, b: before.b, key: before.key + 4 });
    expect((await versionView(versionA)).last_served_at).toBe('2025-03-02T09:00:00.000Z');
    expect((await keyView()).last_served_at).toBe('2025-03-02T09:00:00.000Z');
  });

  it('ignores the counts of unknown versions and keys, and applies the rest of the batch', async () => {
    const before = await counts();
    const job = await send(batch([
      { version_id: '00000000-0000-4000-8000-000000000001', count: 7, last_served_at: '2025-03-03T00:00:00.000Z' },
      { version_id: versionB, count: 1, last_served_at: '2025-03-01T00:00:00.000Z', api_key_id: '00000000-0000-4000-8000-000000000002' },
      { version_id: versionB, count: 1, last_served_at: '2025-03-01T00:00:00.000Z' },
    ]));
    expect(await settled(job)).toBe('completed');
    expect(await counts()).toEqual({ a: before.a, b: before.b + 2, key: before.key + 8 });
  });

  it.each([
    ['a payload that is not a v1 batch', { v: 2, gateway_id: 'gw', counts: [] }, SERVE_USAGE_JOB],
    ['a zero count', 'zero-count', SERVE_USAGE_JOB],
    ['an unknown job name', 'valid', 'serve.usage.v0'],
  ])('fails %s at once, without retry, and changes nothing', async (_what, data, name) => {
    const before = await counts();
    const payload = data === 'zero-count'
      ? batch([{ version_id: versionA, count: 0, last_served_at: '2025-03-04T00:00:00.000Z' }])
      : data === 'valid' ? batch([{ version_id: versionA, count: 4, last_served_at: '2025-03-04T00:00:00.000Z' }]) : data;
    const job = await send(payload, name);
    expect(await settled(job)).toBe('failed');
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/malformed usage batch|unknown job name/);
    expect(await counts()).toEqual(before);
  });

  it('retries a batch that met a database error, then counts it once', async () => {
    const before = await counts();
    await h.asOwner(`ALTER TABLE serve_usage_batches RENAME TO serve_usage_batches_away`);
    let job: Job;
    try {
      job = await queue.add(SERVE_USAGE_JOB, batch([{ version_id: versionA, count: 9, last_served_at: '2025-03-06T00:00:00.000Z' }]),
        { attempts: 5, backoff: { type: 'fixed', delay: 200 } });
      for (let i = 0; i < 200 && ((await queue.getJob(job.id!))?.attemptsMade ?? 0) < 1; i += 1) await new Promise((r) => setTimeout(r, 25));
      expect(await job.getState()).not.toBe('completed');
    } finally {
      await h.asOwner(`ALTER TABLE serve_usage_batches_away RENAME TO serve_usage_batches`);
    }
    expect(await settled(job)).toBe('completed');
    expect((await queue.getJob(job.id!))?.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(await counts()).toEqual({ a: before.a + 9, b: before.b, key: before.key + 9 });
  });

  it('counts a batch once even when it is run again (a retry after its transaction committed)', async () => {
    const before = await counts();
    const recorder = h.app.get(ServeUsageLedger);
    const again = batch([{ version_id: versionB, count: 6, last_served_at: '2025-03-05T00:00:00.000Z' }]);
    expect(await recorder.record(again, 'replayed-batch')).toBe('applied');
    expect(await recorder.record(again, 'replayed-batch')).toBe('already_applied');
    expect(await counts()).toEqual({ a: before.a, b: before.b + 6, key: before.key + 6 });
  });
});
