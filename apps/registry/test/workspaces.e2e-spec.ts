import request from 'supertest';
import { signup, uniqueEmail, useRegistry, workspaceWith, type SignedUp } from './support/registry.js';

describe('workspaces, members, environments', () => {
  const h = useRegistry();
  let owner: SignedUp;
  let admin: SignedUp;
  let editor: SignedUp;
  let viewer: SignedUp;
  let outsider: SignedUp;
  let ws: string;

  const api = (path: string) => `/api/v1${path}`;
  const auditOf = async (workspaceId: string) =>
    (await h.dataSource.query(
      `SELECT seq, action, resource_type, resource_id, actor_email, extra FROM audit_log WHERE workspace_id = $1 ORDER BY seq`,
      [workspaceId],
    )) as Array<{ seq: string; action: string; resource_type: string; resource_id: string; actor_email: string; extra: Record<string, unknown> }>;

  beforeAll(async () => {
    [owner, admin, editor, viewer, outsider] = await Promise.all(
      ['owner', 'admin', 'editor', 'viewer', 'outsider'].map((tag) => signup(h.http, uniqueEmail(tag))));
    ws = await workspaceWith(h.http, owner, [
      { user: admin, role: 'admin' }, { user: editor, role: 'editor' }, { user: viewer, role: 'viewer' },
    ]);
  });

  describe('POST /workspaces', () => {
    it('answers 201 {workspace}, makes the creator owner, creates the default environments, and audits it', async () => {
      const res = await request(h.http).post(api('/workspaces')).set(outsider.auth).send({ name: '  Support bots ' }).expect(201);
      expect(res.body).toEqual({ workspace: { id: expect.any(String), name: 'Support bots', is_personal: false, created_at: expect.any(String) } });
      const id = res.body.workspace.id;
      const members = await request(h.http).get(api(`/workspaces/${id}/members`)).set(outsider.auth).expect(200);
      expect(members.body).toEqual({
        items: [{ user: { id: outsider.user.id, email: outsider.user.email, name: null }, role: 'owner', created_at: expect.any(String) }],
        next_cursor: null,
      });
      const envs = await request(h.http).get(api(`/workspaces/${id}/environments`)).set(outsider.auth).expect(200);
      expect(envs.body.items.map((e: { name: string }) => e.name)).toEqual(['development', 'staging', 'production']);
      const audit = await auditOf(id);
      expect(audit[0]).toMatchObject({ seq: '1', action: 'workspace.created', resource_id: id, actor_email: outsider.user.email });
      expect(audit).toHaveLength(5);
    });

    it('refuses a blank or missing name with 400', async () => {
      await request(h.http).post(api('/workspaces')).set(owner.auth).send({ name: '   ' }).expect(400);
      await request(h.http).post(api('/workspaces')).set(owner.auth).send({}).expect(400);
    });
  });

  describe('members', () => {
    it('lists members to a viewer, with {user: {id, email, name}, role, created_at}', async () => {
      const res = await request(h.http).get(api(`/workspaces/${ws}/members`)).set(viewer.auth).expect(200);
      expect(res.body.items).toHaveLength(4);
      expect(res.body.items[0]).toEqual({ user: { id: owner.user.id, email: owner.user.email, name: null }, role: 'owner', created_at: expect.any(String) });
      expect(res.body.items.map((m: { role: string }) => m.role)).toEqual(['owner', 'admin', 'editor', 'viewer']);
    });

    it('lets an admin add a member (201 {member}) and audits member.added in the same transaction', async () => {
      const newcomer = await signup(h.http);
      const res = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth)
        .send({ email: newcomer.user.email.toUpperCase(), role: 'reviewer' }).expect(201);
      expect(res.body).toEqual({ member: { user: { id: newcomer.user.id, email: newcomer.user.email, name: null }, role: 'reviewer', created_at: expect.any(String) } });
      const last = (await auditOf(ws)).at(-1);
      expect(last).toMatchObject({
        action: 'member.added', resource_type: 'member', resource_id: newcomer.user.id, actor_email: admin.user.email,
        extra: { email: newcomer.user.email, role: 'reviewer' },
      });
    });

    it('refuses an editor adding a member with 403, an admin granting owner with 403', async () => {
      const someone = await signup(h.http);
      const byEditor = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(editor.auth).send({ email: someone.user.email, role: 'viewer' }).expect(403);
      expect(byEditor.body.error.code).toBe('forbidden');
      const grantOwner = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email: someone.user.email, role: 'owner' }).expect(403);
      expect(grantOwner.body.error.code).toBe('forbidden');
      await request(h.http).patch(api(`/workspaces/${ws}/members/${editor.user.id}`)).set(admin.auth).send({ role: 'owner' }).expect(403);
    });

    it('answers 404 for an unknown user, 409 for an existing member, 400 for an unknown role', async () => {
      const unknown = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email: uniqueEmail('nobody'), role: 'viewer' }).expect(404);
      expect(unknown.body.error.code).toBe('not_found');
      const dup = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email: editor.user.email, role: 'viewer' }).expect(409);
      expect(dup.body.error.code).toBe('conflict');
      await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email: editor.user.email, role: 'superuser' }).expect(400);
    });

    it('looks the email up normalised (NFKC, lower case) and refuses look-alike addresses with 400, adding no one', async () => {
      const bruno = await signup(h.http, uniqueEmail('bruno'));
      const [local, domain] = bruno.user.email.split('@');
      const fullwidthB = `\uff22${local.slice(1).toUpperCase()}@${domain}`;
      const added = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email: fullwidthB, role: 'viewer' }).expect(201);
      expect(added.body.member.user.id).toBe(bruno.user.id);

      // A look-alike account stored before the rule existed (Cyrillic о) cannot be granted access by its address.
      const lookAlike = await signup(h.http);
      const spoofed = `br\u043e${local.slice(3)}@${domain}`;
      await h.dataSource.query(`UPDATE users SET email = $1 WHERE id = $2`, [spoofed, lookAlike.user.id]);
      for (const email of [spoofed, `${local}\u200b@${domain}`, `"${local}"@${domain}`]) {
        const res = await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email, role: 'editor' }).expect(400);
        expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'email', messages: [expect.any(String)] }] });
      }
      const [{ n }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1 AND user_id = $2`, [ws, lookAlike.user.id]);
      expect(n).toBe(0);
    });

    it('lets an admin change a role (200 {member}) and remove a member (204), both audited', async () => {
      const temp = await signup(h.http);
      await request(h.http).post(api(`/workspaces/${ws}/members`)).set(admin.auth).send({ email: temp.user.email, role: 'viewer' }).expect(201);
      const changed = await request(h.http).patch(api(`/workspaces/${ws}/members/${temp.user.id}`)).set(admin.auth).send({ role: 'editor' }).expect(200);
      expect(changed.body.member).toMatchObject({ user: { id: temp.user.id }, role: 'editor' });
      await request(h.http).delete(api(`/workspaces/${ws}/members/${temp.user.id}`)).set(admin.auth).expect(204);
      const tail = (await auditOf(ws)).slice(-2);
      expect(tail).toEqual([
        expect.objectContaining({ action: 'member.role_changed', resource_id: temp.user.id, actor_email: admin.user.email, extra: { email: temp.user.email, from: 'viewer', to: 'editor' } }),
        expect.objectContaining({ action: 'member.removed', resource_id: temp.user.id, actor_email: admin.user.email, extra: { email: temp.user.email, role: 'editor' } }),
      ]);
      await request(h.http).get(api(`/workspaces/${ws}/members`)).set(temp.auth).expect(404);
      await request(h.http).delete(api(`/workspaces/${ws}/members/${temp.user.id}`)).set(admin.auth).expect(404);
    });

    it('refuses a non-owner changing or removing an owner with 403', async () => {
      await request(h.http).patch(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(admin.auth).send({ role: 'viewer' }).expect(403);
      await request(h.http).delete(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(admin.auth).expect(403);
    });

    it('refuses to demote or remove the last owner with 409 last_owner, and lets an owner hand over', async () => {
      const demote = await request(h.http).patch(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(owner.auth).send({ role: 'admin' }).expect(409);
      expect(demote.body.error.code).toBe('last_owner');
      const remove = await request(h.http).delete(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(owner.auth).expect(409);
      expect(remove.body.error.code).toBe('last_owner');

      await request(h.http).patch(api(`/workspaces/${ws}/members/${admin.user.id}`)).set(owner.auth).send({ role: 'owner' }).expect(200);
      await request(h.http).patch(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(owner.auth).send({ role: 'admin' }).expect(200);
      const back = await request(h.http).patch(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(admin.auth).send({ role: 'owner' }).expect(200);
      expect(back.body.member.role).toBe('owner');
      await request(h.http).patch(api(`/workspaces/${ws}/members/${admin.user.id}`)).set(owner.auth).send({ role: 'admin' }).expect(200);
    });

    it('lets only one of two owners demoting each other at once succeed', async () => {
      const a = await signup(h.http);
      const b = await signup(h.http);
      const team = await workspaceWith(h.http, a, [{ user: b, role: 'owner' }]);
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all([
          request(h.http).patch(api(`/workspaces/${team}/members/${b.user.id}`)).set(a.auth).send({ role: 'admin' }),
          request(h.http).patch(api(`/workspaces/${team}/members/${a.user.id}`)).set(b.auth).send({ role: 'admin' }),
        ]);
        const statuses = answers.map((r) => r.status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        const [{ owners }] = await h.dataSource.query(
          `SELECT count(*)::int AS owners FROM memberships WHERE workspace_id = $1 AND role = 'owner'`, [team]);
        expect(owners).toBe(1);
        const winner = statuses[0] === 200 ? a : b;
        const demoted = winner === a ? b : a;
        await request(h.http).patch(api(`/workspaces/${team}/members/${demoted.user.id}`)).set(winner.auth).send({ role: 'owner' }).expect(200);
      }
    });

    it('pages members with keyset cursors: every member once, in order', async () => {
      const team = await workspaceWith(h.http, outsider);
      const extra = await Promise.all(Array.from({ length: 6 }, () => signup(h.http)));
      for (const u of extra) {
        await request(h.http).post(api(`/workspaces/${team}/members`)).set(outsider.auth).send({ email: u.user.email, role: 'viewer' }).expect(201);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(h.http).get(api(`/workspaces/${team}/members`))
          .query({ limit: 3, ...(cursor ? { cursor } : {}) }).set(outsider.auth).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.items.map((m: { user: { id: string } }) => m.user.id));
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([outsider.user.id, ...extra.map((u) => u.user.id)]);
    });
  });

  describe('environments', () => {
    it('lets an admin create one (201), require_review following is_protected; 409 for a taken name; 400 for a bad name', async () => {
      const res = await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(admin.auth).send({ name: 'qa', is_protected: true }).expect(201);
      expect(res.body.environment).toEqual({
        id: expect.any(String), workspace_id: ws, name: 'qa', is_protected: true, require_review: true, eval_required: false,
        eval_pass_threshold: 7, tests_required: false, max_regressions: 0, judge: null, created_at: expect.any(String), updated_at: expect.any(String),
      });
      const plain = await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(admin.auth).send({ name: 'sandbox_1' }).expect(201);
      expect(plain.body.environment).toMatchObject({ is_protected: false, require_review: false });
      const dup = await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(admin.auth).send({ name: 'qa' }).expect(409);
      expect(dup.body.error.code).toBe('conflict');
      for (const name of ['QA', '-qa', 'has space', 'a'.repeat(64), '']) {
        await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(admin.auth).send({ name }).expect(400);
      }
      await request(h.http).post(api(`/workspaces/${ws}/environments`)).set(editor.auth).send({ name: 'mine' }).expect(403);
      expect((await auditOf(ws)).filter((a) => a.action === 'environment.created' && a.extra.name === 'qa')).toHaveLength(1);
    });

    it('lets an admin update settings (200 {environment}) and audits the changed fields', async () => {
      const list = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(viewer.auth).expect(200);
      const staging = list.body.items.find((e: { name: string }) => e.name === 'staging');
      const res = await request(h.http).patch(api(`/environments/${staging.id}`)).set(admin.auth)
        .send({ eval_required: true, eval_pass_threshold: 8.5, judge: { provider: 'anthropic', model: 'claude-x' } }).expect(200);
      expect(res.body.environment).toMatchObject({
        id: staging.id, eval_required: true, eval_pass_threshold: 8.5, judge: { provider: 'anthropic', model: 'claude-x' },
        is_protected: false, require_review: false,
      });
      const cleared = await request(h.http).patch(api(`/environments/${staging.id}`)).set(admin.auth).send({ judge: null }).expect(200);
      expect(cleared.body.environment.judge).toBeNull();
      const noModel = await request(h.http).patch(api(`/environments/${staging.id}`)).set(admin.auth).send({ judge: { provider: 'groq' } }).expect(200);
      expect(noModel.body.environment.judge).toEqual({ provider: 'groq', model: null });

      const updates = (await auditOf(ws)).filter((a) => a.action === 'environment.updated' && a.resource_id === staging.id);
      expect(updates[0].extra).toEqual({
        changes: {
          eval_required: { from: false, to: true },
          eval_pass_threshold: { from: 7, to: 8.5 },
          judge: { from: null, to: { provider: 'anthropic', model: 'claude-x' } },
        },
      });
      expect(updates).toHaveLength(3);
      await request(h.http).patch(api(`/environments/${staging.id}`)).set(admin.auth).send({}).expect(200);
      expect((await auditOf(ws)).filter((a) => a.action === 'environment.updated')).toHaveLength(3);
    });

    it.each([
      [{ eval_pass_threshold: 10.5 }], [{ eval_pass_threshold: -1 }], [{ eval_pass_threshold: '7' }],
      [{ judge: { provider: 'acme' } }], [{ judge: { provider: 'openai', temperature: 1 } }], [{ judge: 'openai' }],
      [{ is_protected: null }], [{ require_review: 'yes' }], [{ name: 'renamed' }],
    ])('refuses %j with 400', async (body) => {
      const list = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(viewer.auth).expect(200);
      const res = await request(h.http).patch(api(`/environments/${list.body.items[0].id}`)).set(admin.auth).send(body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('refuses an editor updating an environment with 403', async () => {
      const list = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(viewer.auth).expect(200);
      await request(h.http).patch(api(`/environments/${list.body.items[0].id}`)).set(editor.auth).send({ eval_required: true }).expect(403);
    });

    it('pages environments with cursors', async () => {
      const first = await request(h.http).get(api(`/workspaces/${ws}/environments`)).query({ limit: 2 }).set(viewer.auth).expect(200);
      expect(first.body.items.map((e: { name: string }) => e.name)).toEqual(['development', 'staging']);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await request(h.http).get(api(`/workspaces/${ws}/environments`)).query({ limit: 2, cursor: first.body.next_cursor }).set(viewer.auth).expect(200);
      expect(second.body.items.map((e: { name: string }) => e.name)).toEqual(['production', 'qa']);
    });
  });

  describe('isolation between workspaces', () => {
    it('answers 404, never 403, to a user of another workspace', async () => {
      const list = await request(h.http).get(api(`/workspaces/${ws}/environments`)).set(owner.auth).expect(200);
      const envId = list.body.items[0].id;
      const attempts = [
        request(h.http).get(api(`/workspaces/${ws}`)).set(outsider.auth),
        request(h.http).get(api(`/workspaces/${ws}/members`)).set(outsider.auth),
        request(h.http).post(api(`/workspaces/${ws}/members`)).set(outsider.auth).send({ email: outsider.user.email, role: 'owner' }),
        request(h.http).patch(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(outsider.auth).send({ role: 'viewer' }),
        request(h.http).delete(api(`/workspaces/${ws}/members/${owner.user.id}`)).set(outsider.auth),
        request(h.http).get(api(`/workspaces/${ws}/environments`)).set(outsider.auth),
        request(h.http).post(api(`/workspaces/${ws}/environments`)).set(outsider.auth).send({ name: 'intruder' }),
        request(h.http).get(api(`/environments/${envId}`)).set(outsider.auth),
        request(h.http).patch(api(`/environments/${envId}`)).set(outsider.auth).send({ eval_required: true }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      }
      const unknownEnv = await request(h.http).patch(api('/environments/00000000-0000-4000-8000-000000000000')).set(admin.auth).send({}).expect(404);
      expect(unknownEnv.body).toEqual((await request(h.http).get(api(`/environments/${envId}`)).set(outsider.auth)).body);
    });
  });
});
