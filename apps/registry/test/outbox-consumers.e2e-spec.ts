import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { OUTBOX_CONSUMERS, parseApiKeySnapshot, parseLiveSnapshot, QUEUES, redisNames } from '#contracts';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { OutboxRelay } from '../src/outbox/outbox-relay.js';
import { useRegistry } from './support/registry.js';
import { api, createPrompt, livePrompt, makeTeam, submit, type Team } from './support/review-flow.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Polls `check` until it holds, at most 20 s; whether it held. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
    if (await check()) return true;
  }
  return false;
}

describe('outbox consumers', () => {
  const h = useRegistry();
  let t: Team;
  let redis: Redis;
  const names = () => redisNames(h.redisPrefix);

  beforeAll(async () => {
    t = await makeTeam(h.http);
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(() => {
    redis.disconnect();
  });

  interface Consumption { event_id: string; event_type: string; consumer: string; attempts: number; last_error: string | null; done_at: Date | null }

  /** The consumptions of the events about one version or API key (the payload names it). */
  const consumptionsOf = async (id: string): Promise<Consumption[]> => h.dataSource.query(
    `SELECT c.event_id, e.event_type, c.consumer, c.attempts, c.last_error, c.done_at
       FROM outbox_consumptions c JOIN outbox_events e ON e.id = c.event_id
      WHERE e.payload->'version'->>'id' = $1 OR e.payload->>'api_key_id' = $1
      ORDER BY e.created_at, c.consumer`, [id]);

  /** Plays a consumer that ran but whose mark did not commit, and lets the relay take the row again. */
  const redeliver = async (c: Consumption) => {
    await h.dataSource.query(`UPDATE outbox_consumptions SET done_at = NULL WHERE event_id = $1 AND consumer = $2`, [c.event_id, c.consumer]);
    await h.app.get(OutboxRelay).poke();
    const done = async () => (await h.dataSource.query(
      `SELECT done_at FROM outbox_consumptions WHERE event_id = $1 AND consumer = $2`, [c.event_id, c.consumer]))[0].done_at !== null;
    expect(await eventually(done)).toBe(true);
  };

  it('writes one consumption per consumer with the event, and each is done once the answer is sent', async () => {
    const { promptId, versionId } = await livePrompt(h.http, t, 'development', 'consumers.done');
    const rows = await consumptionsOf(versionId);
    expect(rows.map((r) => [r.event_type, r.consumer, r.attempts, r.done_at !== null])).toEqual([
      ['version.submitted', OUTBOX_CONSUMERS.evalsOnSubmit, 1, true],
      ['version.approved', OUTBOX_CONSUMERS.liveSnapshot, 1, true],
    ]);
    // Promote submits in the other environment but never requested evals: no consumer but webhooks.
    const promoted = await request(h.http).post(api(`/prompts/${promptId}/promote`)).set(t.editor.auth)
      .send({ target_environment_id: t.env.staging }).expect(201);
    expect(await consumptionsOf(promoted.body.version.id)).toEqual([]);
    expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM eval_runs WHERE version_id = $1`, [promoted.body.version.id])).toEqual([{ n: 0 }]);
  });

  it('requests the evals of one submission once, however often its consumer runs', async () => {
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'consumers.evals');
    await submit(h.http, t.editor, versionId);
    const runs = () => h.dataSource.query(`SELECT id, mode, status, requested_by FROM eval_runs WHERE version_id = $1`, [versionId]);
    const before = await runs();
    expect(before).toEqual([{ id: expect.any(String), mode: 'rules', status: 'queued', requested_by: t.editor.user.id }]);
    const [consumption] = await consumptionsOf(versionId);
    await redeliver(consumption);
    await redeliver(consumption);
    expect(await runs()).toEqual(before);
    // The run still queued got its job again under the same id: one job, not two.
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.evalRequests, { connection, prefix: names().bullPrefix });
    try {
      const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
      expect(jobs.filter((j) => j.id === before[0].id)).toHaveLength(1);
      expect(jobs.filter((j) => j.data.version_id === versionId)).toHaveLength(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('writes the same live snapshot when its consumer runs again, and a late run never undoes a later approval', async () => {
    const { versionId, version } = await livePrompt(h.http, t, 'development', 'consumers.live', 'First.');
    const live = async () => parseLiveSnapshot((await redis.get(names().liveSnapshot(t.env.development, 'consumers.live'))) ?? '');
    expect(await live()).toMatchObject({ version_id: versionId, version_num: 1, content: 'First.', live_from: version.live_from });
    const first = (await consumptionsOf(versionId)).find((c) => c.consumer === OUTBOX_CONSUMERS.liveSnapshot)!;
    await redeliver(first);
    expect(await live()).toMatchObject({ version_id: versionId, version_num: 1 });

    const promptId = (await h.dataSource.query(`SELECT prompt_id FROM prompt_versions WHERE id = $1`, [versionId]))[0].prompt_id as string;
    const draft = await request(h.http).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth).send({ content: 'Second.' }).expect(201);
    await submit(h.http, t.editor, draft.body.version.id);
    await request(h.http).post(api(`/versions/${draft.body.version.id}/approve`)).set(t.reviewer.auth).send({}).expect(200);
    expect(await live()).toMatchObject({ version_num: 2, content: 'Second.' });
    await redeliver(first);
    expect(await live()).toMatchObject({ version_num: 2, content: 'Second.' });
  });

  it('never puts a key back to unrevoked when its creation is consumed again after the revocation', async () => {
    const key = (await request(h.http).post(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).send({ name: 'again' }).expect(201)).body;
    const snapshot = async () => parseApiKeySnapshot((await redis.get(names().apiKey(sha256(key.key)))) ?? '');
    expect(await snapshot()).toMatchObject({ id: key.id, revoked: false });
    await request(h.http).delete(api(`/api-keys/${key.id}`)).set(t.admin.auth).expect(204);
    expect(await snapshot()).toMatchObject({ id: key.id, revoked: true });
    const [created, revoked] = await consumptionsOf(key.id);
    expect([created.event_type, revoked.event_type]).toEqual(['api_key.created', 'api_key.revoked']);
    await redeliver(created);
    expect(await snapshot()).toMatchObject({ id: key.id, revoked: true });
    await redeliver(revoked);
    expect(await snapshot()).toMatchObject({ id: key.id, revoked: true });
  });

  it('keeps the other consumers and the webhook relay going while one consumer fails on a row, and records the failure', async () => {
    const [poison] = await h.dataSource.query(
      `INSERT INTO outbox_events (workspace_id, event_type, payload) VALUES ($1, 'version.approved', '{}') RETURNING id`, [t.ws]);
    await h.dataSource.query(
      `INSERT INTO outbox_consumptions (event_id, consumer, input) VALUES ($1, $2, '{"v": 99}')`, [poison.id, OUTBOX_CONSUMERS.liveSnapshot]);
    const row = async () => (await h.dataSource.query(
      `SELECT c.attempts, c.last_error, c.done_at, e.relayed_at FROM outbox_consumptions c JOIN outbox_events e ON e.id = c.event_id
        WHERE c.event_id = $1`, [poison.id]))[0] as { attempts: number; last_error: string | null; done_at: Date | null; relayed_at: Date | null };
    // The webhook relay runs after the consumers in a round: wait for both.
    expect(await eventually(async () => { const r = await row(); return r.attempts >= 1 && r.relayed_at !== null; })).toBe(true);
    expect(await row()).toMatchObject({ done_at: null, last_error: expect.stringMatching(/./) });

    // Another consumer's work, and the same consumer's other rows, go on meanwhile.
    const key = (await request(h.http).post(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).send({ name: 'meanwhile' }).expect(201)).body;
    expect(parseApiKeySnapshot((await redis.get(names().apiKey(sha256(key.key)))) ?? '')).toMatchObject({ id: key.id, revoked: false });
    const { versionId } = await livePrompt(h.http, t, 'development', 'consumers.meanwhile', 'Meanwhile.');
    expect(parseLiveSnapshot((await redis.get(names().liveSnapshot(t.env.development, 'consumers.meanwhile'))) ?? '')).toMatchObject({ version_id: versionId });
    expect((await row()).done_at).toBeNull();
    await h.dataSource.query(`DELETE FROM outbox_events WHERE id = $1`, [poison.id]);
  });

  it('never delivers an internal event to a webhook, even one whose events list names it', async () => {
    const [hook] = await h.dataSource.query(
      `INSERT INTO webhooks (workspace_id, url, events, secret_encrypted) VALUES ($1, 'https://example.invalid/hook', '{api_key.created,api_key.revoked}', 'x')
       RETURNING id`, [t.ws]);
    const key = (await request(h.http).post(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).send({ name: 'internal' }).expect(201)).body;
    const relayed = async () => (await h.dataSource.query(
      `SELECT relayed_at FROM outbox_events WHERE payload->>'api_key_id' = $1`, [key.id]))[0]?.relayed_at !== null;
    expect(await eventually(relayed)).toBe(true);
    expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = $1`, [hook.id])).toEqual([{ n: 0 }]);
    await h.dataSource.query(`DELETE FROM webhooks WHERE id = $1`, [hook.id]);
  });
});
