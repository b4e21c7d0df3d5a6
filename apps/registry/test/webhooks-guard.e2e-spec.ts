import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { generateWebhookSecret, sealSecret, webhookSecretBinding } from '#domain';
import { useRegistry } from './support/registry.js';
import { api, livePrompt, makeTeam, type Team } from './support/review-flow.js';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The SSRF guard on (the default). Every destination here is loopback, so a guard that failed
 * would only ever reach this machine's own receivers, which count every connection they accept.
 */
describe('webhook SSRF guard', () => {
  const h = useRegistry({ WEBHOOK_RETRY_SCHEDULE: '1,1,1,1' });
  let t: Team;
  let v4: WebhookReceiver;
  let v6: WebhookReceiver | null = null;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    v4 = await startReceiver('127.0.0.1');
    v6 = await startReceiver('::1').catch(() => null);
  });
  afterAll(async () => {
    await v4?.close();
    await v6?.close();
  });

  const loopbackUrls = () => [
    `http://127.0.0.1:${v4.port}/hook`,
    `http://localhost:${v4.port}/hook`,
    `http://[::ffff:127.0.0.1]:${v4.port}/hook`,
    `http://127.1:${v4.port}/hook`,
    `http://2130706433:${v4.port}/hook`,
    ...(v6 ? [`http://[::1]:${v6.port}/hook`] : [`http://[::1]:${v4.port}/hook`]),
  ];
  const connections = () => v4.connections + (v6?.connections ?? 0);

  it('refuses loopback destinations at subscription time with 400 url_not_allowed, and nothing connects', async () => {
    for (const url of loopbackUrls()) {
      const res = await request(h.http).post(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).send({ url, events: ['version.approved'] });
      expect([url, res.status, res.body.error?.code]).toEqual([url, 400, 'url_not_allowed']);
      // One message for every refusal: the answer never tells what a host resolved to.
      expect(res.body.error.message).toBe('url is not allowed: its host must resolve, and only to public addresses.');
      expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|::1\b|loopback/);
    }
    const list = await request(h.http).get(api(`/workspaces/${t.ws}/webhooks`)).set(t.admin.auth).expect(200);
    expect(list.body.items).toEqual([]);
    expect(connections()).toBe(0);
  });

  it('refuses them again at delivery, as a subscription whose name now resolves to loopback would be', async () => {
    // Stored directly: the API refuses these, as a rebinding name would have passed it earlier.
    const ids: string[] = [];
    for (const url of loopbackUrls()) {
      const id = randomUUID();
      const sealed = sealSecret(h.config.ENCRYPTION_KEY, generateWebhookSecret(), webhookSecretBinding(id));
      await h.dataSource.query(
        `INSERT INTO webhooks (id, workspace_id, url, events, secret_encrypted) VALUES ($1, $2, $3, $4, $5)`,
        [id, t.ws, url, ['version.approved'], sealed]);
      ids.push(id);
    }
    await livePrompt(h.http, t, 'development', 'guard.rebinding');

    for (const id of ids) {
      let items: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 200 && !(items.length === 1 && items[0].status !== 'pending'); i += 1) {
        items = (await request(h.http).get(api(`/webhooks/${id}/deliveries`)).set(t.admin.auth).expect(200)).body.items;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ status: 'failed', attempts: 1, response_status: null });
      // The same words whatever the address: the API never tells what a host resolved to.
      expect(items[0].last_error).toBe('the destination address is not allowed (SSRF guard)');
    }
    expect(connections()).toBe(0);
    expect(v4.received).toEqual([]);
  });
});
