import request from 'supertest';
import { openSecret, providerKeyBinding } from '#domain';
import { TEST_ENCRYPTION_KEY, signup, useRegistry } from './support/registry.js';
import { api, makeTeam, type Team } from './support/review-flow.js';

const ENCRYPTION_KEY = Buffer.from(TEST_ENCRYPTION_KEY, 'hex');

describe('saved provider keys', () => {
  const h = useRegistry();
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  const keysUrl = (provider?: string, ws = t.ws) => api(`/workspaces/${ws}/provider-keys${provider ? `/${provider}` : ''}`);
  const save = (provider: string, body: Record<string, unknown>, who = t.admin) => request(h.http).put(keysUrl(provider)).set(who.auth).send(body);
  const listed = async () => (await request(h.http).get(keysUrl()).set(t.admin.auth).expect(200)).body;
  const stored = async () => (await h.dataSource.query(
    `SELECT provider, key_encrypted, last4, updated_by FROM provider_keys WHERE workspace_id = $1 ORDER BY provider`, [t.ws],
  )) as Array<{ provider: string; key_encrypted: string; last4: string; updated_by: string }>;
  const auditMentioning = async (text: string) => (await h.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_log WHERE row_to_json(audit_log)::text LIKE $1`, [`%${text}%`],
  ))[0].n as number;

  it('saves a key sealed at rest, answers and lists only its last four characters, and audits provider_key.set', async () => {
    const key = 'sk-openai-canary-1111aaaa2222WXYZ';
    const res = await save('openai', { api_key: key }).expect(200);
    expect(res.body).toEqual({ provider: 'openai', last4: 'WXYZ', updated_at: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toContain(key.slice(0, -4));

    expect(await listed()).toEqual({ items: [{ provider: 'openai', last4: 'WXYZ', updated_at: res.body.updated_at }], next_cursor: null });
    const [row] = await stored();
    expect(row).toMatchObject({ provider: 'openai', last4: 'WXYZ', updated_by: t.admin.user.id });
    expect(row.key_encrypted).not.toContain(key);
    expect(openSecret(ENCRYPTION_KEY, row.key_encrypted, providerKeyBinding(t.ws, 'openai'))).toBe(key);
    expect(() => openSecret(ENCRYPTION_KEY, row.key_encrypted, providerKeyBinding(t.ws, 'anthropic'))).toThrow();

    const [entry] = await h.dataSource.query(
      `SELECT action, resource_type, resource_id, actor_email, extra FROM audit_log WHERE workspace_id = $1 AND action = 'provider_key.set'`, [t.ws]);
    expect(entry).toEqual({
      action: 'provider_key.set', resource_type: 'provider_key', resource_id: 'openai', actor_email: t.admin.user.email,
      extra: { provider: 'openai', last4: 'WXYZ' },
    });
    expect(await auditMentioning(key)).toBe(0);
  });

  it('replaces the key of a provider on a second PUT: one row, the new last four', async () => {
    const key = 'sk-anthropic-first-0000AAAA';
    await save('anthropic', { api_key: key }).expect(200);
    const replaced = await save('anthropic', { api_key: 'sk-anthropic-second-0000BBBB' }, t.owner).expect(200);
    expect(replaced.body).toMatchObject({ provider: 'anthropic', last4: 'BBBB' });
    const rows = (await stored()).filter((r) => r.provider === 'anthropic');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ last4: 'BBBB', updated_by: t.owner.user.id });
    expect(openSecret(ENCRYPTION_KEY, rows[0].key_encrypted, providerKeyBinding(t.ws, 'anthropic'))).toBe('sk-anthropic-second-0000BBBB');
    expect((await listed()).items.map((k: { provider: string }) => k.provider)).toEqual(['anthropic', 'openai']);
  });

  it('deletes a key (204, audited with the last four), and a second delete is 404', async () => {
    await save('groq', { api_key: 'gsk-delete-me-9999' }).expect(200);
    await request(h.http).delete(keysUrl('groq')).set(t.admin.auth).expect(204);
    expect((await stored()).map((r) => r.provider)).not.toContain('groq');
    expect((await request(h.http).delete(keysUrl('groq')).set(t.admin.auth).expect(404)).body.error.code).toBe('not_found');
    const deleted = await h.dataSource.query(
      `SELECT extra FROM audit_log WHERE workspace_id = $1 AND action = 'provider_key.deleted'`, [t.ws]);
    expect(deleted).toEqual([{ extra: { provider: 'groq', last4: '9999' } }]);
  });

  it('pages the list', async () => {
    await save('mistral', { api_key: 'mistral-key-page-1' }).expect(200);
    const page1 = await request(h.http).get(keysUrl()).query({ limit: 2 }).set(t.admin.auth).expect(200);
    const page2 = await request(h.http).get(keysUrl()).query({ limit: 2, cursor: page1.body.next_cursor }).set(t.admin.auth).expect(200);
    expect([...page1.body.items, ...page2.body.items].map((k: { provider: string }) => k.provider)).toEqual(['anthropic', 'mistral', 'openai']);
    expect(page2.body.next_cursor).toBeNull();
  });

  it.each([
    ['an unknown provider', 'acme', { api_key: 'sk-valid-length' }],
    ['a key shorter than 8 characters', 'openai', { api_key: 'short' }],
    ['a key longer than 500 characters', 'openai', { api_key: 'k'.repeat(501) }],
    ['a missing key', 'openai', {}],
    ['an unknown field', 'openai', { api_key: 'sk-valid-length', label: 'prod' }],
  ])('refuses %s with 400 and saves nothing', async (_what, provider, body) => {
    const before = await stored();
    const res = await save(provider, body).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await stored()).toEqual(before);
  });

  it('is for admins: viewers, editors and reviewers get 403; another workspace\'s admin gets 404', async () => {
    for (const who of [t.viewer, t.editor, t.reviewer]) {
      expect((await save('openai', { api_key: 'sk-not-allowed-1' }, who).expect(403)).body.error.code).toBe('forbidden');
      await request(h.http).get(keysUrl()).set(who.auth).expect(403);
      await request(h.http).delete(keysUrl('openai')).set(who.auth).expect(403);
    }
    const outsider = await signup(h.http);
    await save('openai', { api_key: 'sk-not-allowed-2' }, outsider).expect(404);
    await request(h.http).get(keysUrl()).set(outsider.auth).expect(404);
    await request(h.http).delete(keysUrl('openai')).set(outsider.auth).expect(404);
    expect((await stored()).find((r) => r.provider === 'openai')?.last4).toBe('WXYZ');
  });
});
