import request from 'supertest';
import { PROMPT_CONTENT_MAX_BYTES } from '#domain';
import { signup, uniqueEmail, useRegistry, workspaceWith, type SignedUp } from './support/registry.js';

const api = (path: string) => `/api/v1${path}`;

describe('prompts and versions: writing', () => {
  const h = useRegistry();
  let owner: SignedUp;
  let editor: SignedUp;
  let viewer: SignedUp;
  let outsider: SignedUp;
  let ws: string;
  let dev: string;

  const auditOf = async (workspaceId: string) =>
    (await h.dataSource.query(
      `SELECT action, resource_type, resource_id, actor_email, extra FROM audit_log WHERE workspace_id = $1 ORDER BY seq`,
      [workspaceId],
    )) as Array<{ action: string; resource_type: string; resource_id: string; actor_email: string; extra: Record<string, unknown> }>;

  const createPrompt = async (who: SignedUp, key: string, content = `You are ${key}.`) => {
    const res = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(who.auth).send({ key, content });
    if (res.status !== 201) throw new Error(`create prompt failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { prompt: { id: string; key: string }; version: { id: string; version_num: number } };
  };

  beforeAll(async () => {
    [owner, editor, viewer, outsider] = await Promise.all(['owner', 'editor', 'viewer', 'outsider'].map((t) => signup(h.http, uniqueEmail(t))));
    ws = await workspaceWith(h.http, owner, [{ user: editor, role: 'editor' }, { user: viewer, role: 'viewer' }]);
    const envs = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(owner.auth).expect(200);
    dev = envs.body.items.find((e: { name: string }) => e.name === 'development').id;
  });

  describe('POST /environments/:env/prompts', () => {
    it('answers 201 {prompt, version} with version 1 as a draft without parent, and audits both', async () => {
      const res = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth)
        .send({ key: 'support.greeting', content: 'Hello {{name}}.\nHow can I help?', description: 'First message', commit_message: 'Start' })
        .expect(201);
      expect(res.body).toEqual({
        prompt: {
          id: expect.any(String), key: 'support.greeting', type: 'text', workspace_id: ws, environment_id: dev, description: 'First message',
          live_version: null, created_at: expect.any(String), updated_at: expect.any(String),
        },
        version: expect.objectContaining({
          id: expect.any(String), prompt_id: res.body.prompt.id, version_num: 1, status: 'draft',
          content: 'Hello {{name}}.\nHow can I help?', parent_content: null, base_version_id: null,
          commit_message: 'Start', proposed_by: editor.user.id, approved_by: null, review_note: null,
          live_from: null, live_until: null, last_eval: null,
        }),
      });
      const row = await h.dataSource.query(`SELECT last_version_num FROM prompts WHERE id = $1`, [res.body.prompt.id]);
      expect(row[0].last_version_num).toBe(1);
      const audit = (await auditOf(ws)).slice(-2);
      expect(audit).toEqual([
        expect.objectContaining({ action: 'prompt.created', resource_type: 'prompt', resource_id: res.body.prompt.id, actor_email: editor.user.email }),
        expect.objectContaining({
          action: 'version.created', resource_type: 'version', resource_id: res.body.version.id, actor_email: editor.user.email,
          extra: { version_num: 1, prompt_key: 'support.greeting' },
        }),
      ]);
    });

    it.each([
      ['an uppercase letter', 'Support.greeting'],
      ['a space', 'support greeting'],
      ['201 characters', 'a'.repeat(201)],
      ['a leading dot', '.support'],
      ['the empty string', ''],
    ])('refuses a key with %s: 400 validation_failed', async (_name, key) => {
      const res = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth).send({ key, content: 'x' }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'key' })]);
    });

    it('accepts a 200-character key, and a null description or commit message as none', async () => {
      await createPrompt(editor, 'b'.repeat(200));
      const res = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth)
        .send({ key: 'null.fields', content: 'x', description: null, commit_message: null }).expect(201);
      expect(res.body.prompt.description).toBeNull();
      expect(res.body.version.commit_message).toBeNull();
    });

    it('refuses a missing content, a non-string key and unknown fields with 400', async () => {
      await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth).send({ key: 'no-content' }).expect(400);
      await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth).send({ key: 7, content: 'x' }).expect(400);
      await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth)
        .send({ key: 'mass-assign', content: 'x', live_version_id: '00000000-0000-0000-0000-000000000000' }).expect(400);
    });

    it('answers 409 conflict for a key that exists in the environment, also when two create it at once', async () => {
      await createPrompt(editor, 'dup.key');
      const again = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(owner.auth).send({ key: 'dup.key', content: 'y' }).expect(409);
      expect(again.body.error.code).toBe('conflict');
      const race = await Promise.all(Array.from({ length: 8 }, () =>
        request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth).send({ key: 'raced.key', content: 'z' })));
      expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const count = await h.dataSource.query(`SELECT count(*)::int AS n FROM prompts WHERE environment_id = $1 AND key = 'raced.key'`, [dev]);
      expect(count[0].n).toBe(1);
    });

    it('lets the same key exist in another environment', async () => {
      const envs = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(owner.auth).expect(200);
      const staging = envs.body.items.find((e: { name: string }) => e.name === 'staging').id;
      await createPrompt(editor, 'shared.key');
      await request(h.http).post(api(`/environments/${staging}/prompts`)).set(editor.auth).send({ key: 'shared.key', content: 'x' }).expect(201);
    });

    it('refuses a viewer with 403, an outsider and an unknown environment with 404, a malformed id with 400', async () => {
      const body = { key: 'denied', content: 'x' };
      expect((await request(h.http).post(api(`/environments/${dev}/prompts`)).set(viewer.auth).send(body).expect(403)).body.error.code).toBe('forbidden');
      expect((await request(h.http).post(api(`/environments/${dev}/prompts`)).set(outsider.auth).send(body).expect(404)).body.error.code).toBe('not_found');
      await request(h.http).post(api(`/environments/00000000-0000-4000-8000-000000000000/prompts`)).set(editor.auth).send(body).expect(404);
      await request(h.http).post(api(`/environments/not-a-uuid/prompts`)).set(editor.auth).send(body).expect(400);
      await request(h.http).post(api(`/environments/${dev}/prompts`)).send(body).expect(401);
    });
  });

  describe('POST /prompts/:id/versions', () => {
    it('answers 201 {version} as a draft numbered next, based on no live version', async () => {
      const { prompt } = await createPrompt(editor, 'propose.basic', 'one');
      const res = await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth)
        .send({ content: 'two', commit_message: 'Second' }).expect(201);
      expect(res.body).toEqual({
        version: expect.objectContaining({
          prompt_id: prompt.id, version_num: 2, status: 'draft', content: 'two', parent_content: null,
          base_version_id: null, commit_message: 'Second', proposed_by: editor.user.id,
        }),
      });
      const audit = (await auditOf(ws)).at(-1);
      expect(audit).toMatchObject({ action: 'version.created', resource_id: res.body.version.id, extra: { version_num: 2, prompt_key: 'propose.basic' } });
    });

    it('bases the version on the live version at this moment: base_version_id and parent_content', async () => {
      const { prompt, version } = await createPrompt(editor, 'propose.on-live', 'live text');
      await makeLive(prompt.id, version.id);
      const res = await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth).send({ content: 'new text' }).expect(201);
      expect(res.body.version).toMatchObject({ version_num: 2, base_version_id: version.id, parent_content: 'live text' });
    });

    it('bumps the prompt updated_at', async () => {
      const { prompt } = await createPrompt(editor, 'propose.touch');
      const [before] = await h.dataSource.query(`SELECT updated_at FROM prompts WHERE id = $1`, [prompt.id]);
      await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth).send({ content: 'again' }).expect(201);
      const [after] = await h.dataSource.query(`SELECT updated_at FROM prompts WHERE id = $1`, [prompt.id]);
      expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    });

    it('numbers 40 concurrent proposals 2..41 with no gap, no duplicate and no error', async () => {
      const { prompt } = await createPrompt(editor, 'propose.concurrent');
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) =>
        request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth).send({ content: `attempt ${i}` })));
      expect(answers.map((r) => r.status)).toEqual(Array(40).fill(201));
      const numbers = answers.map((r) => r.body.version.version_num as number).sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
      const rows = await h.dataSource.query(
        `SELECT p.last_version_num, count(v.*)::int AS n, max(v.version_num) AS top FROM prompts p JOIN prompt_versions v ON v.prompt_id = p.id
         WHERE p.id = $1 GROUP BY p.last_version_num`, [prompt.id]);
      expect(rows[0]).toEqual({ last_version_num: 41, n: 41, top: 41 });
      const audited = await h.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'version.created' AND extra->>'prompt_key' = 'propose.concurrent'`, [ws]);
      expect(audited[0].n).toBe(41);
    });

    it('refuses a viewer with 403, an outsider and an unknown prompt with 404, a malformed id and a missing content with 400', async () => {
      const { prompt } = await createPrompt(editor, 'propose.denied');
      expect((await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(viewer.auth).send({ content: 'x' }).expect(403)).body.error.code).toBe('forbidden');
      expect((await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(outsider.auth).send({ content: 'x' }).expect(404)).body.error.code).toBe('not_found');
      await request(h.http).post(api(`/prompts/00000000-0000-4000-8000-000000000000/versions`)).set(editor.auth).send({ content: 'x' }).expect(404);
      await request(h.http).post(api(`/prompts/nope/versions`)).set(editor.auth).send({ content: 'x' }).expect(400);
      await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth).send({}).expect(400);
      const [row] = await h.dataSource.query(`SELECT last_version_num FROM prompts WHERE id = $1`, [prompt.id]);
      expect(row.last_version_num).toBe(1);
    });
  });

  describe('content size: at most 256 KiB of UTF-8', () => {
    // 'é' is two bytes in UTF-8: the limit counts bytes, not characters.
    const exactly = 'é'.repeat(PROMPT_CONTENT_MAX_BYTES / 2 - 2) + 'abcd';
    const overByOne = `${exactly}x`;

    const expectContentRefused = (res: request.Response) => {
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'content' })]);
    };

    it('creates a prompt whose content is exactly the limit, and refuses one byte more with 400 naming content', async () => {
      expect(PROMPT_CONTENT_MAX_BYTES).toBe(262_144);
      expect(Buffer.byteLength(exactly, 'utf8')).toBe(PROMPT_CONTENT_MAX_BYTES);
      const ok = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth)
        .send({ key: 'size.exact', content: exactly }).expect(201);
      expect(ok.body.version.content).toBe(exactly);
      const refused = await request(h.http).post(api(`/environments/${dev}/prompts`)).set(editor.auth)
        .send({ key: 'size.over', content: overByOne }).expect(400);
      expectContentRefused(refused);
      const rows = await h.dataSource.query(`SELECT count(*)::int AS n FROM prompts WHERE environment_id = $1 AND key = 'size.over'`, [dev]);
      expect(rows[0].n).toBe(0);
    });

    it('proposes a version of exactly the limit, and refuses one byte more with 400 and no new version', async () => {
      const { prompt } = await createPrompt(editor, 'size.versions');
      await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth).send({ content: exactly }).expect(201);
      expectContentRefused(await request(h.http).post(api(`/prompts/${prompt.id}/versions`)).set(editor.auth)
        .send({ content: overByOne }).expect(400));
      const [row] = await h.dataSource.query(`SELECT last_version_num FROM prompts WHERE id = $1`, [prompt.id]);
      expect(row.last_version_num).toBe(2);
    });
  });

  /** The review endpoints are not this suite's subject: put a version live directly. */
  async function makeLive(promptId: string, versionId: string) {
    await h.dataSource.transaction(async (m) => {
      await m.query(`UPDATE prompt_versions SET status = 'approved', live_from = clock_timestamp() WHERE id = $1`, [versionId]);
      await m.query(`UPDATE prompts SET live_version_id = $2 WHERE id = $1`, [promptId, versionId]);
    });
  }
});
