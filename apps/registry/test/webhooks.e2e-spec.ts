import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { QUEUES, WEBHOOK_DELIVERY_JOB, WEBHOOK_EVENTS } from '#contracts';
import { signWebhook } from '#domain';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { useRegistry } from './support/registry.js';
import { api, approve, createPrompt, livePrompt, makeTeam, propose, submit, type Team } from './support/review-flow.js';
import { startReceiver, type ReceivedDelivery, type WebhookReceiver } from './support/webhook-receiver.js';

// The guard is lifted so the receiver can listen on 127.0.0.1; webhooks-guard.e2e-spec.ts tests it on.
const ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1,1', WEBHOOK_TIMEOUT_MS: '1000' };

const headersOf = (r: ReceivedDelivery) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

describe('webhooks', () => {
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

  const subscribe = async (path: string, events: string[] = [...WEBHOOK_EVENTS], who = t.admin) => {
    const res = await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(who.auth).send({ url: receiver.url(path), events });
    expect(res.status).toBe(201);
    return res.body as { id: string; url: string; events: string[]; secret: string };
  };
  const deliveriesOf = async (webhookId: string) =>
    (await request(h.http).get(api(`/webhooks/${webhookId}/deliveries`)).set(t.admin.auth).expect(200)).body.items as Array<Record<string, unknown>>;
  const settledDeliveries = async (webhookId: string, count: number) => {
    for (let i = 0; i < 400; i += 1) {
      const items = await deliveriesOf(webhookId);
      if (items.length >= count && items.every((d) => d.status !== 'pending')) return items;
      await new Promise((r) => setTimeout(r, 50));
    }
    return deliveriesOf(webhookId);
  };

  describe('subscriptions', () => {
    it('creates a subscription whose whsec_ secret is shown once, lists it without the secret, and keeps only a sealed secret', async () => {
      const created = await subscribe('/crud', ['version.approved', 'version.approved', 'eval.failed']);
      expect(created).toMatchObject({ url: receiver.url('/crud'), events: ['version.approved', 'eval.failed'] });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(created.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

      const list = await request(h.http).get(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).expect(200);
      const item = list.body.items.find((w: { id: string }) => w.id === created.id);
      expect(item).toMatchObject({ id: created.id, url: created.url, events: created.events, disabled_at: null });
      expect(JSON.stringify(list.body)).not.toContain(created.secret.slice(6));

      const [row] = await h.dataSource.query(`SELECT secret_encrypted FROM webhooks WHERE id = $1`, [created.id]);
      expect(row.secret_encrypted).toMatch(/^v1\./);
      expect(row.secret_encrypted).not.toContain(created.secret.slice(6));
      const audit = await h.dataSource.query(`SELECT action, extra FROM audit_log WHERE resource_id = $1`, [created.id]);
      expect(audit).toEqual([{ action: 'webhook.created', extra: { url_origin: `http://127.0.0.1:${receiver.port}`, events: created.events } }]);
    });

    it('is for admins: a reviewer is 403, a stranger 404, and a bad event or URL 400', async () => {
      const body = { url: receiver.url('/x'), events: ['version.approved'] };
      await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.reviewer.auth).send(body).expect(403);
      await request(h.http).get(api(`/workspaces/${t.ws}/webhooks`)).set(t.reviewer.auth).expect(403);
      await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ ...body, events: ['version.deleted'] }).expect(400);
      await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ ...body, events: [] }).expect(400);
      await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ ...body, secret: 'mine' }).expect(400);
      for (const url of ['ftp://127.0.0.1/x', `http://user:pw@127.0.0.1:${receiver.port}/`, 'not a url', 'file:///etc/passwd', '/relative', 'javascript:alert(1)', 'http://']) {
        const res = await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ ...body, url });
        expect([url, res.status, res.body.error.code, res.body.error.details?.[0]?.field]).toEqual([url, 400, 'validation_failed', 'url']);
      }
      const created = await subscribe('/x', ['version.approved']);
      const stranger = await makeTeam(h.http);
      await request(h.http).get(api(`/webhooks/${created.id}/deliveries`)).set(stranger.admin.auth).expect(404);
      await request(h.http).delete(api(`/webhooks/${created.id}`)).set(stranger.owner.auth).expect(404);
      await request(h.http).get(api(`/workspaces/${t.ws}/webhooks`)).set(stranger.owner.auth).expect(404);
      await request(h.http).delete(api(`/webhooks/not-a-uuid`)).set(t.admin.auth).expect(400);
    });

    it('deletes a subscription (204, audited) and delivers nothing to it afterwards', async () => {
      const created = await subscribe('/deleted');
      await request(h.http).delete(api(`/webhooks/${created.id}`)).set(t.admin.auth).expect(204);
      await request(h.http).delete(api(`/webhooks/${created.id}`)).set(t.admin.auth).expect(404);
      await request(h.http).get(api(`/webhooks/${created.id}/deliveries`)).set(t.admin.auth).expect(404);
      const audit = await h.dataSource.query(`SELECT action FROM audit_log WHERE resource_id = $1 ORDER BY seq`, [created.id]);
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['webhook.created', 'webhook.deleted']);
      await livePrompt(h.http, t, 'development', 'webhooks.after-delete');
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.at('/deleted')).toEqual([]);
    });
  });

  describe('delivery', () => {
    it('ends at once a job whose delivery was deleted long ago, and retries a fresh one that may be ahead of its commit', async () => {
      const queue = new Queue(QUEUES.webhookDeliveries, { connection: { url: TEST_REDIS_URL }, prefix: `{${h.redisPrefix}}` });
      try {
        const job = (id: string, ageMs: number) => queue.add(WEBHOOK_DELIVERY_JOB, { v: 1, delivery_id: id },
          { jobId: id, timestamp: Date.now() - ageMs, attempts: 3, backoff: { type: 'fixed', delay: 200 } });
        const old = await job(randomUUID(), 60_000);
        const fresh = await job(randomUUID(), 0);
        for (let i = 0; i < 100 && (await old.getState()) !== 'completed'; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await old.getState()).toBe('completed');
        expect((await queue.getJob(old.id as string))?.attemptsMade).toBe(1);
        for (let i = 0; i < 100 && (await fresh.getState()) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await fresh.getState()).toBe('failed');
        expect((await queue.getJob(fresh.id as string))?.attemptsMade).toBe(3);
      } finally {
        await queue.close();
      }
    });

    it('delivers each review event signed as Standard Webhooks verifies; a tampered body or a stale timestamp fails', async () => {
      const sub = await subscribe('/all');
      const approvedOnly = await subscribe('/approved-only', ['version.approved']);
      const { promptId, versionId } = await livePrompt(h.http, t, 'staging', 'webhooks.flow');
      const draft = await propose(h.http, t.editor, promptId, 'A second take.');
      await submit(h.http, t.editor, draft);
      await request(h.http).post(api(`/versions/${draft}/reject`)).set(t.reviewer.auth).send({ note: 'Not yet.' }).expect(200);
      const rolled = await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 1, note: 'back' }).expect(201);
      const promoted = await request(h.http).post(api(`/prompts/${promptId}/promote`)).set(t.editor.auth).send({ target_environment_id: t.env.production }).expect(201);

      const got = await receiver.waitFor('/all', 6);
      const wh = new Webhook(sub.secret);
      const bodies = got.map((r) => wh.verify(r.body, headersOf(r)) as { type: string; timestamp: string; data: Record<string, unknown> & { version: { id: string } } });
      expect(bodies.map((b) => `${b.type} ${b.data.version.id}`).sort()).toEqual([
        `version.submitted ${versionId}`, `version.approved ${versionId}`, `version.submitted ${draft}`,
        `version.rejected ${draft}`, `version.rollback ${rolled.body.version.id}`, `version.submitted ${promoted.body.version.id}`,
      ].sort());

      const approved = bodies.find((b) => b.type === 'version.approved')!;
      const ws = await request(h.http).get(api('/me')).set(t.owner.auth);
      const wsName = ws.body.memberships.find((m: { workspace: { id: string } }) => m.workspace.id === t.ws).workspace.name;
      expect(approved.data).toEqual({
        workspace: { id: t.ws, name: wsName },
        environment: { id: t.env.staging, name: 'staging' },
        prompt: { id: promptId, key: 'webhooks.flow' },
        version: { id: versionId, version_num: 1, status: 'approved' },
        actor: { email: t.reviewer.user.email },
        note: null,
      });
      expect(Date.parse(approved.timestamp)).not.toBeNaN();
      expect(bodies.find((b) => b.type === 'version.rejected')!.data).toMatchObject({ note: 'Not yet.', version: { status: 'rejected' } });
      expect(bodies.find((b) => b.data.version.id === promoted.body.version.id)!.data)
        .toMatchObject({ environment: { id: t.env.production, name: 'production' }, version: { status: 'pending_review' } });
      for (const r of got) expect(r.body).not.toContain(sub.secret.slice(6));

      const one = got[0];
      expect(() => wh.verify(one.body.replace('"type"', '"type" '), headersOf(one))).toThrow();
      expect(() => wh.verify(one.body, { ...headersOf(one), 'webhook-timestamp': String(Number(headersOf(one)['webhook-timestamp']) - 600) })).toThrow();
      // Correctly signed, but ten minutes old: a replay a receiver must refuse.
      const old = Math.floor(Date.now() / 1000) - 600;
      const replay = { ...headersOf(one), 'webhook-timestamp': String(old), 'webhook-signature': signWebhook(sub.secret, headersOf(one)['webhook-id'], old, one.body) };
      expect(() => wh.verify(one.body, replay)).toThrow();
      expect(() => new Webhook(approvedOnly.secret).verify(one.body, headersOf(one))).toThrow();

      const onlyApproved = await receiver.waitFor('/approved-only', 1);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.at('/approved-only').map((r) => JSON.parse(r.body).type)).toEqual(['version.approved']);
      expect(new Webhook(approvedOnly.secret).verify(onlyApproved[0].body, headersOf(onlyApproved[0]))).toMatchObject({ type: 'version.approved' });
      expect(headersOf(onlyApproved[0])['webhook-id']).toBe(headersOf(got.find((r) => JSON.parse(r.body).type === 'version.approved')!)['webhook-id']);

      const log = await settledDeliveries(sub.id, 6);
      expect(log).toHaveLength(6);
      for (const d of log) expect(d).toMatchObject({ status: 'succeeded', attempts: 1, response_status: 200, last_error: null });
      expect(Object.keys(log[0]).sort()).toEqual(
        ['attempts', 'created_at', 'event', 'id', 'last_error', 'message_id', 'next_attempt_at', 'response_status', 'status', 'updated_at']);
    });

    it('retries a 500 on the schedule with the same webhook-id, and records four attempts', async () => {
      receiver.on('/flaky', (nth) => (nth <= 3 ? { status: 500 } : { status: 200 }));
      const sub = await subscribe('/flaky', ['version.approved']);
      await livePrompt(h.http, t, 'development', 'webhooks.flaky');
      const got = await receiver.waitFor('/flaky', 4);
      expect(got).toHaveLength(4);
      expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
      const wh = new Webhook(sub.secret);
      for (const r of got) expect(wh.verify(r.body, headersOf(r))).toMatchObject({ type: 'version.approved' });
      const [delivery] = await settledDeliveries(sub.id, 1);
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 4, response_status: 200, message_id: got[0].headers['webhook-id'] });
    });

    it('times out an attempt the receiver does not answer in time, and retries it with the same webhook-id', async () => {
      receiver.on('/slow', (nth) => (nth === 1 ? { status: 200, delayMs: 3000 } : { status: 200 }));
      const sub = await subscribe('/slow', ['version.approved']);
      await livePrompt(h.http, t, 'development', 'webhooks.slow');
      const got = await receiver.waitFor('/slow', 2);
      expect(got).toHaveLength(2);
      expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
      const [delivery] = await settledDeliveries(sub.id, 1);
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, response_status: 200 });
    });

    it('marks a delivery failed once the schedule is spent', async () => {
      receiver.on('/down', () => ({ status: 503 }));
      const sub = await subscribe('/down', ['version.approved']);
      await livePrompt(h.http, t, 'development', 'webhooks.down');
      const [delivery] = await settledDeliveries(sub.id, 1);
      expect(receiver.at('/down')).toHaveLength(5);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 5, response_status: 503, next_attempt_at: null });
      expect(delivery.last_error).toContain('retries exhausted after 5 attempts');
    });

    it('retries a 429 (the wait retry-after asks for is decideDelivery\'s, unit-tested)', async () => {
      receiver.on('/busy', (nth) => (nth === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }));
      const sub = await subscribe('/busy', ['version.approved']);
      await livePrompt(h.http, t, 'development', 'webhooks.busy');
      const got = await receiver.waitFor('/busy', 2);
      expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
      expect((await settledDeliveries(sub.id, 1))[0]).toMatchObject({ status: 'succeeded', attempts: 2, response_status: 204 });
    });

    it('disables a subscription that answers 410, and later events skip it', async () => {
      receiver.on('/gone', () => ({ status: 410 }));
      const sub = await subscribe('/gone', ['version.approved']);
      await livePrompt(h.http, t, 'development', 'webhooks.gone');
      const [delivery] = await settledDeliveries(sub.id, 1);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, response_status: 410 });
      const list = await request(h.http).get(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).expect(200);
      const item = list.body.items.find((w: { id: string }) => w.id === sub.id);
      expect(item.disabled_at).not.toBeNull();
      expect(item.disabled_reason).toContain('410');

      await livePrompt(h.http, t, 'development', 'webhooks.gone-again');
      await new Promise((r) => setTimeout(r, 1500));
      expect(receiver.at('/gone')).toHaveLength(1);
      expect(await deliveriesOf(sub.id)).toHaveLength(1);
    });

    it('does not follow a redirect: the target sees nothing and the delivery fails', async () => {
      const target = await startReceiver();
      try {
        receiver.on('/moved', () => ({ status: 302, headers: { location: target.url('/here') } }));
        const sub = await subscribe('/moved', ['version.approved']);
        await livePrompt(h.http, t, 'development', 'webhooks.moved');
        const [delivery] = await settledDeliveries(sub.id, 1);
        expect(delivery).toMatchObject({ status: 'failed', attempts: 1, response_status: 302 });
        expect(delivery.last_error).toContain('redirects are not followed');
        await new Promise((r) => setTimeout(r, 500));
        expect(target.connections).toBe(0);
        expect(receiver.at('/moved')).toHaveLength(1);
      } finally {
        await target.close();
      }
    });

    it('retries a refused connection and records the network error', async () => {
      const gone = await startReceiver();
      const url = gone.url('/nobody');
      await gone.close();
      const res = await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ url, events: ['version.rejected'] }).expect(201);
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'webhooks.nobody');
      const draft = await propose(h.http, t.editor, promptId, 'Another.');
      await submit(h.http, t.editor, draft);
      await request(h.http).post(api(`/versions/${draft}/reject`)).set(t.reviewer.auth).send({ note: 'no' }).expect(200);
      const [delivery] = await settledDeliveries(res.body.id, 1);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 5, response_status: null });
      expect(delivery.last_error).toMatch(/could not connect.*ECONNREFUSED/);
    });
  });

  describe('outbox', () => {
    it('writes no event for an approval whose transaction fails (409 stale_base)', async () => {
      const sub = await subscribe('/stale', ['version.approved']);
      const { promptId } = await livePrompt(h.http, t, 'staging', 'webhooks.stale');
      await receiver.waitFor('/stale', 1);
      const first = await propose(h.http, t.editor, promptId, 'First.');
      const second = await propose(h.http, t.editor, promptId, 'Second.');
      await submit(h.http, t.editor, first);
      await submit(h.http, t.editor, second);
      expect((await approve(h.http, t.reviewer, first)).status).toBe(200);
      const refused = await approve(h.http, t.reviewer, second);
      expect([refused.status, refused.body.error.code]).toEqual([409, 'stale_base']);

      const events = await h.dataSource.query(
        `SELECT event_type FROM outbox_events WHERE event_type = 'version.approved' AND payload->'version'->>'id' = ANY($1)`, [[first, second]]);
      expect(events).toEqual([{ event_type: 'version.approved' }]);
      const got = await receiver.waitFor('/stale', 2);
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.at('/stale')).toHaveLength(2);
      expect(got.map((r) => JSON.parse(r.body).data.version.id)).not.toContain(second);
      expect(await deliveriesOf(sub.id)).toHaveLength(2);
    });
  });
});
