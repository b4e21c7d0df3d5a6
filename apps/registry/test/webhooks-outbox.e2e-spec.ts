import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { EVAL_RESULT_JOB, type EvalResultJob, QUEUES, redisNames } from '#contracts';
import { createRegistryApp } from '../src/app.factory.js';
import { OutboxRelay } from '../src/outbox/outbox-relay.js';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { useRegistry } from './support/registry.js';
import { api, approve, createPrompt, makeTeam, submit, type Team } from './support/review-flow.js';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1,1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('webhook events from the outbox', () => {
  const h = useRegistry(ENV);
  let t: Team;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const subscribe = async (path: string, events: string[]) =>
    (await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ url: receiver.url(path), events }).expect(201))
      .body as { id: string; secret: string };

  it('reports eval results with the gate of their environment, sent over eval.results as the worker sends them', async () => {
    const sub = await subscribe('/evals', ['eval.completed', 'eval.failed']);
    await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth).send({ eval_required: true, eval_pass_threshold: 8 }).expect(200);
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const results = new Queue(QUEUES.evalResults, { connection, prefix: redisNames(h.redisPrefix).bullPrefix });
    try {
      const ok = await createPrompt(h.http, t.editor, t.env.staging, 'outbox.evals-ok');
      const bad = await createPrompt(h.http, t.editor, t.env.staging, 'outbox.evals-bad');
      await submit(h.http, t.editor, ok.versionId);
      await submit(h.http, t.editor, bad.versionId);
      const evalOf = async (versionId: string) =>
        ((await h.dataSource.query(`SELECT id FROM eval_runs WHERE version_id = $1 AND mode = 'rules'`, [versionId])) as Array<{ id: string }>)[0].id;
      const [okEval, badEval] = [await evalOf(ok.versionId), await evalOf(bad.versionId)];
      const at = new Date().toISOString();
      const jobs: EvalResultJob[] = [
        { v: 1, status: 'succeeded', eval_id: okEval, model: null, score: 8.5, dimensions: [], suggestions: [], started_at: at, finished_at: at },
        { v: 1, status: 'failed', eval_id: badEval, model: null, error: 'the scorer gave up', started_at: at, finished_at: at },
      ];
      for (const job of jobs) await results.add(EVAL_RESULT_JOB, job);

      const got = await receiver.waitFor('/evals', 2);
      const wh = new Webhook(sub.secret);
      const bodies = got.map((r) => wh.verify(r.body, {
        'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      }) as { type: string; data: Record<string, unknown> });
      const completed = bodies.find((b) => b.type === 'eval.completed')!;
      expect(completed.data).toMatchObject({
        environment: { id: t.env.staging, name: 'staging' },
        prompt: { id: ok.promptId, key: 'outbox.evals-ok' },
        version: { id: ok.versionId, version_num: 1, status: 'pending_review' },
        eval: { id: okEval, mode: 'rules', provider: null, model: null, status: 'succeeded', score: 8.5, error: null },
        threshold: 8,
        eval_required: true,
      });
      expect(bodies.find((b) => b.type === 'eval.failed')!.data)
        .toMatchObject({ eval: { id: badEval, status: 'failed', score: null, error: 'the scorer gave up' }, threshold: 8, eval_required: true });
    } finally {
      await results.close();
      connection.disconnect();
    }
  });

  it('requeues a pending delivery long past due whose job was lost, and only that one', async () => {
    const sub = await subscribe('/lost', ['version.rejected']);
    const [lost] = await h.dataSource.query(
      `INSERT INTO webhook_deliveries (webhook_id, event, message_id, payload, next_attempt_at)
       VALUES ($1, 'version.rejected', 'msg_lost', '{"type":"version.rejected","timestamp":"2026-01-01T00:00:00.000Z","data":{}}', now() - interval '10 minutes')
       RETURNING id`, [sub.id]);
    await h.dataSource.query(
      `INSERT INTO webhook_deliveries (webhook_id, event, message_id, payload, next_attempt_at)
       VALUES ($1, 'version.rejected', 'msg_recent', '{}', now() - interval '1 minute')`, [sub.id]);
    expect(await h.app.get(OutboxRelay).requeueStalled()).toBe(1);
    const got = await receiver.waitFor('/lost', 1);
    expect(got.map((r) => r.headers['webhook-id'])).toEqual(['msg_lost']);
    await sleep(300);
    const [row] = await h.dataSource.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, [lost.id]);
    expect(row).toEqual({ status: 'succeeded', attempts: 1 });
    expect(await h.app.get(OutboxRelay).requeueStalled()).toBe(0);
    expect(receiver.at('/lost')).toHaveLength(1);
  });

  it('delivers an event committed while no relay ran, once a fresh registry starts', async () => {
    const sub = await subscribe('/crash', ['version.approved']);
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'outbox.crash');
    await submit(h.http, t.editor, versionId);
    // Plays a process that dies between the commit and the relay.
    await h.app.get(OutboxRelay).stop();
    expect((await approve(h.http, t.reviewer, versionId)).status).toBe(200);
    await sleep(1500);
    const pending = await h.dataSource.query(
      `SELECT id FROM outbox_events WHERE relayed_at IS NULL AND event_type = 'version.approved' AND payload->'version'->>'id' = $1`, [versionId]);
    expect(pending).toHaveLength(1);
    expect(receiver.at('/crash')).toEqual([]);

    const restarted = await createRegistryApp(h.config);
    await restarted.init();
    try {
      const got = await receiver.waitFor('/crash', 1);
      expect(got).toHaveLength(1);
      expect(got[0].headers['webhook-id']).toBe(`msg_${pending[0].id}`);
      expect(JSON.parse(got[0].body).data.version.id).toBe(versionId);
      const [event] = await h.dataSource.query(`SELECT relayed_at FROM outbox_events WHERE id = $1`, [pending[0].id]);
      expect(event.relayed_at).not.toBeNull();

      // Two registries relaying side by side: every event becomes one delivery, sent once.
      const second = await createRegistryApp(h.config);
      await second.init();
      try {
        await h.dataSource.query(
          `INSERT INTO outbox_events (workspace_id, event_type, payload)
           SELECT $1, 'version.approved', jsonb_build_object('n', n) FROM generate_series(1, 60) AS n`, [t.ws]);
        const burst = await receiver.waitFor('/crash', 61);
        await sleep(1000);
        expect(receiver.at('/crash')).toHaveLength(61);
        expect(new Set(burst.map((r) => r.headers['webhook-id'])).size).toBe(61);
        const [{ count }] = await h.dataSource.query(`SELECT count(*)::int AS count FROM webhook_deliveries WHERE webhook_id = $1`, [sub.id]);
        expect(count).toBe(61);
      } finally {
        await second.close();
      }
    } finally {
      await restarted.close();
    }
  });
});
