import pg from 'pg';
import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { MIGRATIONS } from '#persistence';
import { signup, uniqueEmail, useRegistry, type SignedUp } from './support/registry.js';
import { api, approve, auditOf, createPrompt, makeTeam, propose, submit, type Team } from './support/review-flow.js';

// What the dashboard reads that the API gained for it: the review queue across environments, the
// people of a version (proposer and reviewer by name and email), and a webhook's name.

// No delivery is made here: the guard is lifted only so that a 127.0.0.1 URL may be subscribed.
const ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' };

interface QueueItem {
  id: string;
  version_num: number;
  status: string;
  submitted_at: string;
  proposer: { id: string; email: string; name: string | null } | null;
  reviewer: unknown;
  prompt: { id: string; key: string; type: string };
  environment: { id: string; name: string; is_protected: boolean; require_review: boolean };
  last_eval: unknown;
}

describe('dashboard additions to the API', () => {
  const h = useRegistry(ENV);
  let t: Team;
  let named: SignedUp;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    named = await signup(h.http, uniqueEmail('named'), undefined, 'Nora Named');
    const added = await request(h.http).post(api(`/workspaces/${t.ws}/members`)).set(t.owner.auth).send({ email: named.user.email, role: 'editor' });
    expect(added.status).toBe(201);
  });

  const queueOf = async (who: SignedUp, query = '') => {
    const res = await request(h.http).get(api(`/workspaces/${t.ws}/reviews${query}`)).set(who.auth);
    expect(res.status).toBe(200);
    return res.body as { items: QueueItem[]; next_cursor: string | null };
  };

  describe('GET /workspaces/:ws/reviews', () => {
    it('lists the versions pending review of every environment, oldest submission first, with prompt, environment and proposer', async () => {
      const prod = await createPrompt(h.http, named, t.env.production, 'queue.prod', 'You are a production prompt.');
      const dev = await createPrompt(h.http, t.editor, t.env.development, 'queue.dev', 'You are a development prompt.');
      const draft = await createPrompt(h.http, t.editor, t.env.staging, 'queue.draft');
      await submit(h.http, named, prod.versionId);
      await submit(h.http, t.editor, dev.versionId);
      // Another workspace's pending version never shows.
      const other = await makeTeam(h.http);
      const elsewhere = await createPrompt(h.http, other.editor, other.env.production, 'queue.elsewhere');
      await submit(h.http, other.editor, elsewhere.versionId);

      const { items, next_cursor } = await queueOf(t.viewer);
      expect(next_cursor).toBeNull();
      expect(items.map((i) => i.id)).toEqual([prod.versionId, dev.versionId]);
      expect(items.map((i) => i.id)).not.toContain(draft.versionId);
      expect(items[0]).toMatchObject({
        id: prod.versionId, version_num: 1, status: 'pending_review', type: 'text', prompt_id: prod.promptId,
        prompt: { id: prod.promptId, key: 'queue.prod', type: 'text' },
        environment: { id: t.env.production, name: 'production', is_protected: true, require_review: true },
        proposed_by: named.user.id,
        proposer: { id: named.user.id, email: named.user.email, name: 'Nora Named' },
        reviewer: null, reviewed_by: null,
      });
      expect(items[0]).not.toHaveProperty('content');
      expect(items[1]).toMatchObject({
        environment: { id: t.env.development, name: 'development', is_protected: false, require_review: false },
        proposer: { id: t.editor.user.id, email: t.editor.user.email, name: null },
      });
      expect(Date.parse(items[0].submitted_at)).toBeLessThanOrEqual(Date.parse(items[1].submitted_at));

      // Reviewed versions leave the queue: approved and rejected alike.
      expect((await approve(h.http, t.reviewer, dev.versionId)).status).toBe(200);
      await request(h.http).post(api(`/versions/${prod.versionId}/reject`)).set(t.reviewer.auth).send({ note: 'Not yet' }).expect(200);
      expect((await queueOf(t.viewer)).items).toEqual([]);
    });

    it('pages with limit and cursor without skipping or repeating, and refuses a malformed cursor or limit', async () => {
      const ids: string[] = [];
      for (const [i, env] of (['development', 'staging', 'production', 'development', 'staging'] as const).entries()) {
        const { versionId } = await createPrompt(h.http, t.editor, t.env[env], `queue.page.${i}`);
        await submit(h.http, t.editor, versionId);
        ids.push(versionId);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: QueueItem[]; next_cursor: string | null } = await queueOf(t.viewer, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);

      const bad = await request(h.http).get(api(`/workspaces/${t.ws}/reviews?cursor=bm9wZQ`)).set(t.viewer.auth).expect(400);
      expect(bad.body.error.code).toBe('validation_failed');
      await request(h.http).get(api(`/workspaces/${t.ws}/reviews?limit=0`)).set(t.viewer.auth).expect(400);
      for (const id of ids) {
        await request(h.http).post(api(`/versions/${id}/reject`)).set(t.reviewer.auth).send({ note: 'clean up' }).expect(200);
      }
    });

    it('is for members only: 404 outside the workspace, 400 for a malformed id, 401 without a token', async () => {
      const stranger = await signup(h.http);
      const res = await request(h.http).get(api(`/workspaces/${t.ws}/reviews`)).set(stranger.auth).expect(404);
      expect(res.body.error.code).toBe('not_found');
      await request(h.http).get(api('/workspaces/not-a-uuid/reviews')).set(t.viewer.auth).expect(400);
      await request(h.http).get(api(`/workspaces/${t.ws}/reviews`)).expect(401);
    });
  });

  describe('the people of a version', () => {
    it('names the proposer and the reviewer (approver or rejecter) in every answer and in the version list', async () => {
      const { promptId, versionId } = await createPrompt(h.http, named, t.env.staging, 'people.flow', 'You are version one.');
      const created = await request(h.http).get(api(`/versions/${versionId}`)).set(t.viewer.auth).expect(200);
      const nora = { id: named.user.id, email: named.user.email, name: 'Nora Named' };
      expect(created.body).toMatchObject({ proposed_by: named.user.id, proposer: nora, reviewed_by: null, reviewer: null });

      await submit(h.http, named, versionId);
      const approved = await approve(h.http, t.reviewer, versionId, { note: 'fine' });
      expect(approved.status).toBe(200);
      const rita = { id: t.reviewer.user.id, email: t.reviewer.user.email, name: null };
      expect(approved.body.version).toMatchObject({ approved_by: t.reviewer.user.id, reviewed_by: t.reviewer.user.id, proposer: nora, reviewer: rita });

      const v2 = await propose(h.http, t.editor, promptId, 'You are version two.');
      await submit(h.http, t.editor, v2);
      const rejected = await request(h.http).post(api(`/versions/${v2}/reject`)).set(t.admin.auth).send({ note: 'no' }).expect(200);
      const adam = { id: t.admin.user.id, email: t.admin.user.email, name: null };
      expect(rejected.body.version).toMatchObject({
        status: 'rejected', approved_by: null, reviewed_by: t.admin.user.id, reviewer: adam,
        proposer: { id: t.editor.user.id, email: t.editor.user.email, name: null },
      });
      expect((await auditOf(h.dataSource, t.ws, v2)).map((a) => a.action)).toContain('version.rejected');

      const rollback = await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 1 }).expect(201);
      expect(rollback.body.version).toMatchObject({ proposer: rita, reviewer: rita });

      const list = await request(h.http).get(api(`/prompts/${promptId}/versions`)).set(t.viewer.auth).expect(200);
      expect(list.body.items.map((v: { version_num: number; proposer: unknown; reviewer: unknown }) => [v.version_num, v.proposer, v.reviewer])).toEqual([
        [3, rita, rita],
        [2, { id: t.editor.user.id, email: t.editor.user.email, name: null }, adam],
        [1, nora, rita],
      ]);
    });

    it('shows nobody for the proposer whose account was deleted', async () => {
      const gone = await signup(h.http, uniqueEmail('gone'), undefined, 'Gone Soon');
      await request(h.http).post(api(`/workspaces/${t.ws}/members`)).set(t.owner.auth).send({ email: gone.user.email, role: 'editor' }).expect(201);
      const { versionId } = await createPrompt(h.http, gone, t.env.development, 'people.gone');
      await h.asOwner(`DELETE FROM memberships WHERE user_id = $1`, [gone.user.id]);
      await h.asOwner(`DELETE FROM users WHERE id = $1`, [gone.user.id]);
      const res = await request(h.http).get(api(`/versions/${versionId}`)).set(t.viewer.auth).expect(200);
      // proposed_by is ON DELETE SET NULL: the row forgets the account, and the view says nobody.
      expect(res.body).toMatchObject({ proposed_by: null, proposer: null });
    });
  });

  describe('webhook names', () => {
    const hooks = () => api(`/workspaces/${t.ws}/webhooks`);

    it('keeps an optional name, shown at creation and in the list, and audited', async () => {
      const withName = await request(h.http).post(hooks()).set(t.admin.auth)
        .send({ name: '  CI notifications ', url: 'http://127.0.0.1:9/ci', events: ['version.approved'] }).expect(201);
      expect(withName.body).toMatchObject({ name: 'CI notifications', url: 'http://127.0.0.1:9/ci', secret: expect.stringMatching(/^whsec_/) });
      const without = await request(h.http).post(hooks()).set(t.admin.auth).send({ url: 'http://127.0.0.1:9/plain', events: ['version.rejected'] }).expect(201);
      expect(without.body.name).toBeNull();

      const list = await request(h.http).get(hooks()).set(t.admin.auth).expect(200);
      const byId = new Map(list.body.items.map((w: { id: string; name: string | null }) => [w.id, w.name]));
      expect(byId.get(withName.body.id)).toBe('CI notifications');
      expect(byId.get(without.body.id)).toBeNull();
      const [entry] = await auditOf(h.dataSource, t.ws, withName.body.id);
      expect(entry).toMatchObject({ action: 'webhook.created', extra: { name: 'CI notifications' } });
    });

    it.each([
      ['blank', '   '],
      ['over 200 characters', 'n'.repeat(201)],
      ['not a string', 42],
      ['null', null],
    ])('refuses a name that is %s with 400 naming the field, and creates nothing', async (_what, name) => {
      const before = (await request(h.http).get(hooks()).set(t.admin.auth).expect(200)).body.items.length;
      const res = await request(h.http).post(hooks()).set(t.admin.auth).send({ name, url: 'http://127.0.0.1:9/bad', events: ['version.approved'] }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(JSON.stringify(res.body.error.details)).toContain('name');
      expect((await request(h.http).get(hooks()).set(t.admin.auth).expect(200)).body.items.length).toBe(before);
    });
  });

  describe('migration 1765000000000 on existing data', () => {
    it('fills reviewed_by from approved_by, and for rejections from their audit entry', async () => {
      const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'migration.backfill');
      await submit(h.http, t.editor, versionId);
      expect((await approve(h.http, t.reviewer, versionId)).status).toBe(200);
      const v2 = await propose(h.http, t.editor, promptId, 'You are a rejected version.');
      await submit(h.http, t.editor, v2);
      await request(h.http).post(api(`/versions/${v2}/reject`)).set(t.admin.auth).send({ note: 'no' }).expect(200);

      const client = new pg.Client({ connectionString: h.db.ownerUrl });
      await client.connect();
      try {
        const runner = { query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows } as unknown as QueryRunner;
        const Migration = MIGRATIONS.find((m) => m.name === 'DashboardFields1765000000000');
        if (!Migration) throw new Error('migration DashboardFields1765000000000 is not listed');
        const migration = new Migration();
        await migration.down(runner);
        await migration.up(runner);
      } finally {
        await client.end();
      }
      const rows = (await h.asOwner(
        `SELECT id, reviewed_by FROM prompt_versions WHERE prompt_id = $1 ORDER BY version_num`, [promptId])) as Array<{ id: string; reviewed_by: string | null }>;
      expect(rows).toEqual([{ id: versionId, reviewed_by: t.reviewer.user.id }, { id: v2, reviewed_by: t.admin.user.id }]);
    });
  });
});
