import request from 'supertest';
import { signup, uniqueEmail, useRegistry, workspaceWith, type SignedUp } from './support/registry.js';

const api = (path: string) => `/api/v1${path}`;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface Created {
  prompt: { id: string; key: string; updated_at: string };
  version: { id: string; version_num: number };
}

describe('prompts and versions: reading', () => {
  const h = useRegistry();
  let owner: SignedUp;
  let viewer: SignedUp;
  let outsider: SignedUp;
  let ws: string;
  let dev: string;
  let staging: string;

  const create = async (key: string, content = `You are ${key}.`, environmentId = dev, description?: string): Promise<Created> => {
    const res = await request(h.http).post(api(`/environments/${environmentId}/prompts`)).set(owner.auth)
      .send({ key, content, ...(description !== undefined ? { description } : {}) });
    if (res.status !== 201) throw new Error(`create prompt failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Created;
  };
  const propose = async (promptId: string, content: string) => {
    const res = await request(h.http).post(api(`/prompts/${promptId}/versions`)).set(owner.auth).send({ content });
    if (res.status !== 201) throw new Error(`propose failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.version as { id: string; version_num: number; base_version_id: string | null };
  };
  /** The review endpoints are not this suite's subject: put a version live directly. */
  const makeLive = async (promptId: string, versionId: string) => {
    await h.dataSource.transaction(async (m) => {
      await m.query(`UPDATE prompt_versions SET status = 'archived', live_until = clock_timestamp()
                     WHERE prompt_id = $1 AND live_from IS NOT NULL AND live_until IS NULL`, [promptId]);
      await m.query(`UPDATE prompt_versions SET status = 'approved', live_from = clock_timestamp() WHERE id = $1`, [versionId]);
      await m.query(`UPDATE prompts SET live_version_id = $2 WHERE id = $1`, [promptId, versionId]);
    });
  };
  const setPending = (versionId: string) =>
    h.dataSource.query(`UPDATE prompt_versions SET status = 'pending_review', submitted_at = now() WHERE id = $1`, [versionId]);

  beforeAll(async () => {
    [owner, viewer, outsider] = await Promise.all(['owner', 'viewer', 'outsider'].map((t) => signup(h.http, uniqueEmail(t))));
    ws = await workspaceWith(h.http, owner, [{ user: viewer, role: 'viewer' }]);
    const envs = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(owner.auth).expect(200);
    dev = envs.body.items.find((e: { name: string }) => e.name === 'development').id;
    staging = envs.body.items.find((e: { name: string }) => e.name === 'staging').id;
  });

  describe('GET /environments/:env/prompts', () => {
    let listEnv: string;
    beforeAll(async () => {
      const res = await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(owner.auth).send({ name: 'list-env' }).expect(201);
      listEnv = res.body.environment.id;
    });

    it('lists newest change first with live_version, versions_count and pending_count, and no content', async () => {
      const a = await create('list.alpha', 'alpha v1', listEnv, 'The alpha prompt');
      const b = await create('list.beta', 'beta v1', listEnv);
      const a2 = await propose(a.prompt.id, 'alpha v2');
      const a3 = await propose(a.prompt.id, 'alpha v3');
      await propose(a.prompt.id, 'alpha v4');
      await setPending(a2.id);
      await setPending(a3.id);
      await makeLive(a.prompt.id, a.version.id);

      const res = await request(h.http).get(api(`/environments/${listEnv}/prompts`)).set(viewer.auth).expect(200);
      expect(res.body).toEqual({
        items: [
          {
            id: a.prompt.id, key: 'list.alpha', type: 'text', description: 'The alpha prompt',
            live_version: { id: a.version.id, version_num: 1 }, versions_count: 4, pending_count: 2, updated_at: expect.any(String),
          },
          { id: b.prompt.id, key: 'list.beta', type: 'text', description: null, live_version: null, versions_count: 1, pending_count: 0, updated_at: b.prompt.updated_at },
        ],
        next_cursor: null,
      });
      expect(Date.parse(res.body.items[0].updated_at)).toBeGreaterThan(Date.parse(res.body.items[1].updated_at));
      expect(JSON.stringify(res.body)).not.toMatch(/alpha v|beta v1|"content"/);
    });

    it('lists only the environment asked for', async () => {
      await create('list.elsewhere', 'x', staging);
      const res = await request(h.http).get(api(`/environments/${listEnv}/prompts`)).set(viewer.auth).expect(200);
      expect(res.body.items.map((p: { key: string }) => p.key)).not.toContain('list.elsewhere');
    });

    it('searches a case-insensitive part of the key or the description, with % and _ matching only themselves', async () => {
      const searchEnv = (await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(owner.auth).send({ name: 'search-env' }).expect(201)).body.environment.id;
      await create('billing.refund', 'x', searchEnv, 'Handles REFUND requests');
      await create('billing.invoice', 'x', searchEnv, 'Answers about 100% of invoices');
      await create('support_bot', 'x', searchEnv, 'General help');
      await create('supportxbot', 'x', searchEnv);
      const keys = async (search: string) => (await request(h.http).get(api(`/environments/${searchEnv}/prompts`)).query({ search }).set(viewer.auth).expect(200))
        .body.items.map((p: { key: string }) => p.key).sort();
      expect(await keys('BILLING')).toEqual(['billing.invoice', 'billing.refund']);
      expect(await keys('refund')).toEqual(['billing.refund']);
      expect(await keys('general')).toEqual(['support_bot']);
      expect(await keys('%')).toEqual(['billing.invoice']);
      expect(await keys('t_b')).toEqual(['support_bot']);
      expect(await keys('nothing-like-this')).toEqual([]);
      expect(await keys('')).toHaveLength(4);
    });

    it('walks every prompt once with limit and cursor, also through equal updated_at', async () => {
      const walkEnv = (await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(owner.auth).send({ name: 'walk-env' }).expect(201)).body.environment.id;
      for (let i = 0; i < 23; i++) await create(`walk.${String(i).padStart(2, '0')}`, 'x', walkEnv);
      // Ten prompts share one exact timestamp: only the id orders them, and the cursor must hold it.
      await h.dataSource.query(
        `UPDATE prompts SET updated_at = '2026-01-01T00:00:00.123456Z' WHERE environment_id = $1 AND key IN (SELECT key FROM prompts WHERE environment_id = $1 ORDER BY key LIMIT 10)`,
        [walkEnv]);
      const expected = (await h.dataSource.query(`SELECT id FROM prompts WHERE environment_id = $1 ORDER BY updated_at DESC, id DESC`, [walkEnv]))
        .map((r: { id: string }) => r.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(h.http).get(api(`/environments/${walkEnv}/prompts`))
          .query({ limit: 4, ...(cursor ? { cursor } : {}) }).set(viewer.auth).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(4);
        seen.push(...res.body.items.map((p: { id: string }) => p.id));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(6);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(23);
    });

    it('walks a search with its cursor', async () => {
      for (let i = 0; i < 5; i++) await create(`paged.search.${i}`, 'x');
      const first = await request(h.http).get(api(`/environments/${dev}/prompts`)).query({ search: 'paged.search', limit: 3 }).set(viewer.auth).expect(200);
      expect(first.body.items).toHaveLength(3);
      const second = await request(h.http).get(api(`/environments/${dev}/prompts`)).query({ search: 'paged.search', limit: 3, cursor: first.body.next_cursor }).set(viewer.auth).expect(200);
      expect(second.body.items).toHaveLength(2);
      expect(second.body.next_cursor).toBeNull();
      expect([...first.body.items, ...second.body.items].map((p: { key: string }) => p.key)).toEqual(
        ['paged.search.4', 'paged.search.3', 'paged.search.2', 'paged.search.1', 'paged.search.0']);
    });

    it('refuses a bad limit, a malformed cursor and a repeated or too long search with 400', async () => {
      for (const query of ['limit=0', 'limit=-1', 'limit=abc', 'cursor=!!', `cursor=${Buffer.from('[1]').toString('base64url')}`,
        'search=a&search=b', `search=${'x'.repeat(201)}`]) {
        const res = await request(h.http).get(api(`/environments/${dev}/prompts?${query}`)).set(viewer.auth);
        expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'validation_failed']);
      }
    });
  });

  describe('GET /prompts/:id and by key', () => {
    it('answers the prompt with live_version null until a version is live, then with its content and live_from', async () => {
      const { prompt, version } = await create('read.single', 'Live words', dev, 'A description');
      const before = await request(h.http).get(api(`/prompts/${prompt.id}`)).set(viewer.auth).expect(200);
      expect(before.body).toEqual({
        id: prompt.id, key: 'read.single', type: 'text', workspace_id: ws, environment_id: dev, description: 'A description',
        live_version: null, created_at: expect.any(String), updated_at: expect.any(String),
      });
      await makeLive(prompt.id, version.id);
      const [{ live_from }] = await h.dataSource.query(`SELECT live_from FROM prompt_versions WHERE id = $1`, [version.id]);
      const after = await request(h.http).get(api(`/prompts/${prompt.id}`)).set(viewer.auth).expect(200);
      expect(after.body.live_version).toEqual({
        id: version.id, version_num: 1, content: 'Live words', messages: null, config: {}, live_from: live_from.toISOString(),
      });
      const byKey = await request(h.http).get(api(`/environments/${dev}/prompts/by-key/read.single`)).set(viewer.auth).expect(200);
      expect(byKey.body).toEqual(after.body);
    });

    it('answers 404 for an unknown key or a key of another environment', async () => {
      await create('read.dev-only');
      expect((await request(h.http).get(api(`/environments/${dev}/prompts/by-key/no.such.key`)).set(viewer.auth).expect(404)).body.error.code).toBe('not_found');
      await request(h.http).get(api(`/environments/${staging}/prompts/by-key/read.dev-only`)).set(viewer.auth).expect(404);
      await request(h.http).get(api(`/environments/${dev}/prompts/by-key/NOT%20A%20KEY`)).set(viewer.auth).expect(404);
    });
  });

  describe('GET /prompts/:id/versions', () => {
    it('lists versions newest first without content or parent_content, paged on version_num', async () => {
      const { prompt, version } = await create('read.versions', 'v1');
      await makeLive(prompt.id, version.id);
      for (const text of ['v2', 'v3', 'v4', 'v5']) await propose(prompt.id, text);
      const first = await request(h.http).get(api(`/prompts/${prompt.id}/versions`)).query({ limit: 2 }).set(viewer.auth).expect(200);
      expect(first.body.items.map((v: { version_num: number }) => v.version_num)).toEqual([5, 4]);
      for (const item of first.body.items) {
        expect(item).not.toHaveProperty('content');
        expect(item).not.toHaveProperty('parent_content');
        expect(item).toMatchObject({ prompt_id: prompt.id, status: 'draft', base_version_id: version.id, last_eval: null });
      }
      const rest: number[] = [];
      let cursor = first.body.next_cursor as string | null;
      while (cursor) {
        const page = await request(h.http).get(api(`/prompts/${prompt.id}/versions`)).query({ limit: 2, cursor }).set(viewer.auth).expect(200);
        rest.push(...page.body.items.map((v: { version_num: number }) => v.version_num));
        cursor = page.body.next_cursor;
      }
      expect(rest).toEqual([3, 2, 1]);
      expect(JSON.stringify(first.body)).not.toMatch(/"v\d"/);
    });

    it('shows each version its last eval', async () => {
      const { prompt, version } = await create('read.evaluated');
      const [run] = await h.dataSource.query(
        `INSERT INTO eval_runs (workspace_id, version_id, mode, status, score) VALUES ($1, $2, 'rules', 'succeeded', 8.5) RETURNING id`, [ws, version.id]);
      await h.dataSource.query(`UPDATE prompt_versions SET last_eval_id = $1 WHERE id = $2`, [run.id, version.id]);
      const list = await request(h.http).get(api(`/prompts/${prompt.id}/versions`)).set(viewer.auth).expect(200);
      expect(list.body.items[0].last_eval).toEqual({ id: run.id, score: 8.5, mode: 'rules', status: 'succeeded' });
      const single = await request(h.http).get(api(`/versions/${version.id}`)).set(viewer.auth).expect(200);
      expect(single.body.last_eval).toEqual({ id: run.id, score: 8.5, mode: 'rules', status: 'succeeded' });
    });
  });

  describe('GET /versions/:id', () => {
    it('answers the version at top level with every field of the contract', async () => {
      const { prompt, version } = await create('read.version', 'base text');
      await makeLive(prompt.id, version.id);
      const v2 = await propose(prompt.id, 'new text');
      const res = await request(h.http).get(api(`/versions/${v2.id}`)).set(viewer.auth).expect(200);
      expect(res.body).toEqual(expect.objectContaining({
        id: v2.id, prompt_id: prompt.id, version_num: 2, status: 'draft', content: 'new text', parent_content: 'base text',
        base_version_id: version.id, commit_message: null, proposed_by: owner.user.id, approved_by: null, review_note: null,
        created_at: expect.any(String), live_from: null, live_until: null, last_eval: null,
      }));
    });
  });

  describe('GET /versions/:id/diff', () => {
    it('diffs against the parent content, naming the base version number', async () => {
      const { prompt, version } = await create('read.diff', 'You are a helper.\nBe brief.\nSign as Ana.\n');
      await makeLive(prompt.id, version.id);
      const v2 = await propose(prompt.id, 'You are a helper.\nBe thorough.\nSign as Ana.\nAdd a summary.\n');
      const res = await request(h.http).get(api(`/versions/${v2.id}/diff`)).set(viewer.auth).expect(200);
      expect(res.body).toEqual({
        version_id: v2.id, version_num: 2, base_version_id: version.id, base_version_num: 1,
        lines: [
          { op: ' ', text: 'You are a helper.' },
          { op: '-', text: 'Be brief.' },
          { op: '+', text: 'Be thorough.' },
          { op: ' ', text: 'Sign as Ana.' },
          { op: '+', text: 'Add a summary.' },
        ],
        added: 2, removed: 1, config_changes: [],
      });
    });

    it('shows every line added, with base_version_num null, when nothing was live', async () => {
      const { version } = await create('read.diff-first', 'line one\nline two');
      const res = await request(h.http).get(api(`/versions/${version.id}/diff`)).set(viewer.auth).expect(200);
      expect(res.body).toMatchObject({
        base_version_num: null, added: 2, removed: 0,
        lines: [{ op: '+', text: 'line one' }, { op: '+', text: 'line two' }],
      });
    });
  });

  describe('access', () => {
    let created: Created;
    beforeAll(async () => {
      created = await create('read.access', 'secret text');
    });

    it('answers 404 to a user of another workspace on every endpoint, and never leaks the content', async () => {
      const { prompt, version } = created;
      const paths = [
        `/environments/${dev}/prompts`, `/environments/${dev}/prompts/by-key/read.access`, `/prompts/${prompt.id}`,
        `/prompts/${prompt.id}/versions`, `/versions/${version.id}`, `/versions/${version.id}/diff`,
      ];
      for (const path of paths) {
        const res = await request(h.http).get(api(path)).set(outsider.auth);
        expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'not_found']);
        expect(JSON.stringify(res.body)).not.toContain('secret text');
      }
      for (const [path, body] of [[`/environments/${dev}/prompts`, { key: 'intruder', content: 'x' }], [`/prompts/${prompt.id}/versions`, { content: 'x' }]] as const) {
        const res = await request(h.http).post(api(path)).set(outsider.auth).send(body);
        expect([path, res.status]).toEqual([path, 404]);
      }
    });

    it('answers 404 for unknown ids and 400 for malformed ones', async () => {
      for (const path of [`/environments/${UNKNOWN}/prompts`, `/environments/${UNKNOWN}/prompts/by-key/a`, `/prompts/${UNKNOWN}`,
        `/prompts/${UNKNOWN}/versions`, `/versions/${UNKNOWN}`, `/versions/${UNKNOWN}/diff`]) {
        const res = await request(h.http).get(api(path)).set(viewer.auth);
        expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'not_found']);
      }
      for (const path of ['/environments/x/prompts', '/environments/x/prompts/by-key/a', '/prompts/x', '/prompts/x/versions', '/versions/x', '/versions/1234/diff']) {
        const res = await request(h.http).get(api(path)).set(viewer.auth);
        expect([path, res.status, res.body.error?.code]).toEqual([path, 400, 'validation_failed']);
      }
    });

    it('lets a viewer read every endpoint', async () => {
      const { prompt, version } = created;
      for (const path of [`/environments/${dev}/prompts`, `/environments/${dev}/prompts/by-key/read.access`, `/prompts/${prompt.id}`,
        `/prompts/${prompt.id}/versions`, `/versions/${version.id}`, `/versions/${version.id}/diff`]) {
        await request(h.http).get(api(path)).set(viewer.auth).expect(200);
      }
      await request(h.http).get(api(`/prompts/${prompt.id}`)).expect(401);
    });
  });
});
