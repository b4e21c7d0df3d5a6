import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { type LiveMessage, parseApiKeySnapshot, parseLiveMessage, redisNames } from '#contracts';
import { checkApiKeyFormat } from '#domain';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { signup, useRegistry } from './support/registry.js';
import { api, makeTeam, type Team } from './support/review-flow.js';

const KEY_FORMAT = /^pg_(live|test)_[0-9A-Za-z]{38}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('API keys', () => {
  const h = useRegistry();
  let t: Team;
  let redis: Redis;
  let subscriber: Redis;
  const messages: LiveMessage[] = [];
  const names = () => redisNames(h.redisPrefix);

  beforeAll(async () => {
    t = await makeTeam(h.http);
    redis = new Redis(TEST_REDIS_URL);
    subscriber = new Redis(TEST_REDIS_URL);
    await subscriber.subscribe(names().liveChannel);
    subscriber.on('message', (_channel: string, raw: string) => {
      const message = parseLiveMessage(raw);
      if (message) messages.push(message);
    });
  });

  afterAll(() => {
    redis.disconnect();
    subscriber.disconnect();
  });

  const createKey = (environmentId: string, body: Record<string, unknown> = { name: 'checkout' }, who = t.admin) =>
    request(h.http).post(api(`/environments/${environmentId}/api-keys`)).set(who.auth).send(body);

  /** Every key and value under the test's Redis prefix, as one text. */
  const redisDump = async () => {
    const keys = [...await redis.keys(`${h.redisPrefix}:*`), ...await redis.keys(`{${h.redisPrefix}}:*`)];
    const values = await Promise.all(keys.map(async (k) => (await redis.type(k)) === 'string' ? redis.get(k) : ''));
    return keys.join('\n') + values.join('\n');
  };

  const revocationFor = async (apiKeyId: string) => {
    for (let i = 0; i < 50; i += 1) {
      const found = messages.find((m) => m.type === 'api_key.revoked' && m.api_key_id === apiKeyId);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  };

  describe('create', () => {
    it('shows a live key once for a protected environment, stores only its hash, and caches its snapshot in Redis', async () => {
      const res = await createKey(t.env.production, { name: 'checkout', rate_limit_rpm: 1200 }).expect(201);
      const { key } = res.body as { key: string };
      expect(key).toMatch(KEY_FORMAT);
      expect(key.startsWith('pg_live_')).toBe(true);
      expect(checkApiKeyFormat(key)).toBe('live');
      expect(res.body).toEqual({
        id: expect.any(String), name: 'checkout', prefix: key.slice(0, 12), key, rate_limit_rpm: 1200,
        environment_id: t.env.production, created_at: expect.any(String),
      });

      const [row] = await h.dataSource.query(`SELECT * FROM api_keys WHERE id = $1`, [res.body.id]);
      expect(row.key_hash).toBe(sha256(key));
      expect(row).toMatchObject({ workspace_id: t.ws, environment_id: t.env.production, rate_limit_rpm: 1200, created_by: t.admin.user.id });
      expect(JSON.stringify(row)).not.toContain(key);

      const snapshot = parseApiKeySnapshot((await redis.get(names().apiKey(sha256(key)))) ?? '');
      expect(snapshot).toEqual({
        v: 1, id: res.body.id, workspace_id: t.ws, environment_id: t.env.production, rate_limit_rpm: 1200, revoked: false,
      });
      const ttl = await redis.ttl(names().apiKey(sha256(key)));
      expect(ttl).toBeGreaterThan(0);

      const audit = await h.dataSource.query(`SELECT action, extra FROM audit_log WHERE resource_id = $1`, [res.body.id]);
      expect(audit).toEqual([{ action: 'api_key.created', extra: expect.objectContaining({ name: 'checkout', prefix: key.slice(0, 12), environment_id: t.env.production }) }]);
      const everyAuditRow = await h.dataSource.query(`SELECT * FROM audit_log`);
      expect(JSON.stringify(everyAuditRow)).not.toContain(key);
      expect(await redisDump()).not.toContain(key);
    });

    it('gives a test key for an unprotected environment, with the default rate limit', async () => {
      const res = await createKey(t.env.development, { name: 'local' }).expect(201);
      expect(res.body.key).toMatch(/^pg_test_/);
      expect(checkApiKeyFormat(res.body.key)).toBe('test');
      expect(res.body.rate_limit_rpm).toBe(600);
    });

    it('makes a different key every time', async () => {
      const a = await createKey(t.env.development).expect(201);
      const b = await createKey(t.env.development).expect(201);
      expect(a.body.key).not.toBe(b.body.key);
    });

    it.each([
      [{ name: 'x', rate_limit_rpm: 0 }],
      [{ name: 'x', rate_limit_rpm: 1_000_001 }],
      [{ name: 'x', rate_limit_rpm: 1.5 }],
      [{ name: 'x', rate_limit_rpm: '600' }],
      [{ name: 'x', rate_limit_rpm: null }],
      [{ name: '' }],
      [{ name: '   ' }],
      [{ name: 'x'.repeat(201) }],
      [{}],
      [{ name: 'x', key: 'pg_test_chosen' }],
    ])('refuses %j with 400', async (body) => {
      const res = await createKey(t.env.development, body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('accepts the bounds of the rate limit', async () => {
      await createKey(t.env.development, { name: 'min', rate_limit_rpm: 1 }).expect(201);
      await createKey(t.env.development, { name: 'max', rate_limit_rpm: 1_000_000 }).expect(201);
    });

    it('needs the admin role: an editor is 403, an outsider 404, a malformed id 400, an unknown one 404', async () => {
      const outsider = await signup(h.http);
      expect((await createKey(t.env.development, { name: 'x' }, t.editor).expect(403)).body.error.code).toBe('forbidden');
      await createKey(t.env.development, { name: 'x' }, t.owner).expect(201);
      await createKey(t.env.development, { name: 'x' }, outsider).expect(404);
      await createKey('not-a-uuid').expect(400);
      await createKey('00000000-0000-4000-8000-000000000000').expect(404);
    });
  });

  describe('list', () => {
    it('shows the keys of the environment newest first, with the prefix and never the key, paged', async () => {
      const env = (await request(h.http).post(api(`/workspaces/${t.ws}/environments`)).set(t.owner.auth).send({ name: 'listing' }).expect(201)).body.environment.id as string;
      const created: Array<{ id: string; key: string; prefix: string }> = [];
      for (const name of ['one', 'two', 'three']) created.push((await createKey(env, { name }).expect(201)).body);

      const first = await request(h.http).get(api(`/environments/${env}/api-keys?limit=2`)).set(t.admin.auth).expect(200);
      expect(first.body.items.map((k: { name: string }) => k.name)).toEqual(['three', 'two']);
      expect(first.body.items[0]).toEqual({
        id: created[2].id, name: 'three', prefix: created[2].prefix, environment_id: env, rate_limit_rpm: 600,
        created_at: expect.any(String), revoked_at: null, served_count: 0, last_served_at: null,
      });
      const second = await request(h.http).get(api(`/environments/${env}/api-keys?limit=2&cursor=${first.body.next_cursor}`)).set(t.admin.auth).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'one' })], next_cursor: null });
      const text = JSON.stringify([first.body, second.body]);
      for (const { key } of created) expect(text).not.toContain(key);
    });

    it('needs the admin role and a good cursor', async () => {
      const outsider = await signup(h.http);
      await request(h.http).get(api(`/environments/${t.env.development}/api-keys`)).set(t.editor.auth).expect(403);
      await request(h.http).get(api(`/environments/${t.env.development}/api-keys`)).set(outsider.auth).expect(404);
      await request(h.http).get(api(`/environments/not-a-uuid/api-keys`)).set(t.admin.auth).expect(400);
      await request(h.http).get(api(`/environments/${t.env.development}/api-keys?cursor=bogus`)).set(t.admin.auth).expect(400);
    });
  });

  describe('revoke', () => {
    it('marks the key revoked, keeps it listed, marks the Redis snapshot revoked and publishes the revocation', async () => {
      const created = (await createKey(t.env.staging, { name: 'to-revoke', rate_limit_rpm: 30 }).expect(201)).body as { id: string; key: string };
      const hash = sha256(created.key);
      await request(h.http).delete(api(`/api-keys/${created.id}`)).set(t.admin.auth).expect(204);

      expect(await revocationFor(created.id)).toEqual({ v: 1, type: 'api_key.revoked', api_key_id: created.id, key_hash: hash });
      expect(parseApiKeySnapshot((await redis.get(names().apiKey(hash))) ?? '')).toEqual({
        v: 1, id: created.id, workspace_id: t.ws, environment_id: t.env.staging, rate_limit_rpm: 30, revoked: true,
      });

      const list = await request(h.http).get(api(`/environments/${t.env.staging}/api-keys`)).set(t.admin.auth).expect(200);
      const listed = list.body.items.find((k: { id: string }) => k.id === created.id);
      expect(listed.revoked_at).toEqual(expect.any(String));
      const [row] = await h.dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [created.id]);
      expect(new Date(listed.revoked_at).getTime()).toBe(row.revoked_at.getTime());

      const audit = await h.dataSource.query(`SELECT action FROM audit_log WHERE resource_id = $1 ORDER BY seq`, [created.id]);
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['api_key.created', 'api_key.revoked']);
      expect(await redisDump()).not.toContain(created.key);
    });

    it('is idempotent: a second revocation is 204, keeps the first time and records nothing more', async () => {
      const created = (await createKey(t.env.development, { name: 'twice' }).expect(201)).body as { id: string };
      await request(h.http).delete(api(`/api-keys/${created.id}`)).set(t.admin.auth).expect(204);
      const [before] = await h.dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [created.id]);
      await request(h.http).delete(api(`/api-keys/${created.id}`)).set(t.owner.auth).expect(204);
      const [after] = await h.dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [created.id]);
      expect(after.revoked_at.getTime()).toBe(before.revoked_at.getTime());
      const audit = await h.dataSource.query(`SELECT action FROM audit_log WHERE resource_id = $1`, [created.id]);
      expect(audit.filter((a: { action: string }) => a.action === 'api_key.revoked')).toHaveLength(1);
    });

    it('needs the admin role of the key\'s workspace: editor 403, another workspace 404, malformed id 400, unknown 404', async () => {
      const created = (await createKey(t.env.development, { name: 'guarded' }).expect(201)).body as { id: string };
      const outsider = await signup(h.http);
      await request(h.http).delete(api(`/api-keys/${created.id}`)).set(t.editor.auth).expect(403);
      await request(h.http).delete(api(`/api-keys/${created.id}`)).set(outsider.auth).expect(404);
      await request(h.http).delete(api(`/api-keys/not-a-uuid`)).set(t.admin.auth).expect(400);
      await request(h.http).delete(api(`/api-keys/00000000-0000-4000-8000-000000000000`)).set(t.admin.auth).expect(404);
      const [row] = await h.dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [created.id]);
      expect(row.revoked_at).toBeNull();
    });
  });
});
