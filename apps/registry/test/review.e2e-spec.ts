import request from 'supertest';
import { useRegistry } from './support/registry.js';
import {
  api, approve, auditOf, createPrompt, livePrompt, makeTeam, promptRow, propose, shipVersion, submit, versionStatus, type Team,
} from './support/review-flow.js';

describe('review gate: submit, approve, reject', () => {
  const h = useRegistry();
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  describe('POST /versions/:id/submit', () => {
    it('moves a draft to pending_review with submitted_at, audits version.submitted, and refuses a second submit with 409', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'submit.twice');
      const res = await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.editor.auth).expect(200);
      expect(res.body.version).toMatchObject({ id: versionId, status: 'pending_review', submitted_at: expect.any(String), live_from: null });
      const again = await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.editor.auth).expect(409);
      expect(again.body.error).toMatchObject({ code: 'invalid_transition', details: { status: 'pending_review', action: 'submit' } });
      expect((await auditOf(h.dataSource, t.ws, versionId)).map((a) => a.action)).toEqual(['version.created', 'version.submitted']);
    });

    it('needs the editor role (403 for a viewer) and hides other workspaces (404)', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'submit.roles');
      const denied = await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.viewer.auth).expect(403);
      expect(denied.body.error.code).toBe('forbidden');
      const stranger = await makeTeam(h.http);
      await request(h.http).post(api(`/versions/${versionId}/submit`)).set(stranger.owner.auth).expect(404);
      await request(h.http).post(api(`/versions/00000000-0000-4000-8000-000000000000/submit`)).set(t.editor.auth).expect(404);
      await request(h.http).post(api(`/versions/not-a-uuid/submit`)).set(t.editor.auth).expect(400);
    });
  });

  describe('POST /versions/:id/approve', () => {
    it('takes a pending version live: approved, live_from, approved_by, review_note, prompt.live_version, audited', async () => {
      const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'approve.basic', 'Hello.');
      await submit(h.http, t.editor, versionId);
      const res = await approve(h.http, t.reviewer, versionId, { note: 'Looks right' }).expect(200);
      expect(res.body.version).toMatchObject({
        id: versionId, status: 'approved', approved_by: t.reviewer.user.id, review_note: 'Looks right',
        live_from: expect.any(String), live_until: null, reviewed_at: res.body.version.live_from,
      });
      expect(await promptRow(h.dataSource, promptId)).toMatchObject({ live_version_id: versionId, live_content: 'Hello.' });
      const [entry] = (await auditOf(h.dataSource, t.ws, versionId)).filter((a) => a.action === 'version.approved');
      expect(entry).toMatchObject({
        resource_type: 'version', actor_email: t.reviewer.user.email,
        extra: { version_num: 1, prompt_key: 'approve.basic', note: 'Looks right' },
      });

      const v2 = await shipVersion(h.http, t, promptId, 'Hello again.');
      const rows = await h.dataSource.query(
        `SELECT version_num, status, live_from, live_until FROM prompt_versions WHERE prompt_id = $1 ORDER BY version_num`, [promptId]);
      expect(rows.map((r: { status: string }) => r.status)).toEqual(['archived', 'approved']);
      expect(rows[0].live_until.toISOString()).toBe(v2.live_from);
      expect(rows[1].live_until).toBeNull();
    });

    it('checks the role before anything else: a viewer or editor gets 403 even on a draft', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'approve.role-first');
      for (const who of [t.viewer, t.editor]) {
        const res = await approve(h.http, who, versionId).expect(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    });

    it('refuses a draft with 409 invalid_transition, and an unknown body field with 400', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'approve.draft');
      const res = await approve(h.http, t.reviewer, versionId).expect(409);
      expect(res.body.error.code).toBe('invalid_transition');
      await submit(h.http, t.editor, versionId);
      const extra = await approve(h.http, t.reviewer, versionId, { note: 'ok', status: 'approved' }).expect(400);
      expect(extra.body.error.code).toBe('validation_failed');
      await approve(h.http, t.reviewer, versionId, { override_eval: 'yes' }).expect(400);
    });

    it('refuses the proposer approving their own version in production with 403 self_approval, even an owner', async () => {
      const { versionId } = await createPrompt(h.http, t.owner, t.env.production, 'approve.self-prod');
      await submit(h.http, t.owner, versionId);
      const res = await approve(h.http, t.owner, versionId).expect(403);
      expect(res.body.error.code).toBe('self_approval');
      const byOther = await approve(h.http, t.reviewer, versionId).expect(200);
      expect(byOther.body.version).toMatchObject({ status: 'approved', proposed_by: t.owner.user.id, approved_by: t.reviewer.user.id });
    });

    it('lets the proposer approve their own version in development, where review is not required', async () => {
      const { versionId } = await createPrompt(h.http, t.reviewer, t.env.development, 'approve.self-dev');
      await submit(h.http, t.reviewer, versionId);
      await approve(h.http, t.reviewer, versionId).expect(200);
    });

    it('refuses a version whose base is no longer live with 409 stale_base', async () => {
      const { promptId } = await livePrompt(h.http, t, 'development', 'approve.stale');
      const first = await propose(h.http, t.editor, promptId, 'First idea');
      const second = await propose(h.http, t.editor, promptId, 'Second idea');
      await submit(h.http, t.editor, first);
      await submit(h.http, t.editor, second);
      await approve(h.http, t.reviewer, first).expect(200);
      const res = await approve(h.http, t.reviewer, second).expect(409);
      expect(res.body.error.code).toBe('stale_base');
      expect(await versionStatus(h.dataSource, second)).toBe('pending_review');
    });

    it('lets exactly one of 20 concurrent approvals on one base win; the others get 409 stale_base and one version is live', async () => {
      const { promptId } = await livePrompt(h.http, t, 'development', 'approve.race');
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) ids.push(await propose(h.http, t.editor, promptId, `Candidate ${i}`));
      await Promise.all(ids.map((id) => submit(h.http, t.editor, id)));
      const answers = await Promise.all(ids.map((id) => approve(h.http, t.reviewer, id)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(19).fill(409)]);
      expect(answers.filter((r) => r.status === 409).every((r) => r.body.error.code === 'stale_base')).toBe(true);
      const winner = answers.find((r) => r.status === 200)!.body.version.id;
      const live = await h.dataSource.query(
        `SELECT id FROM prompt_versions WHERE prompt_id = $1 AND live_from IS NOT NULL AND live_until IS NULL`, [promptId]);
      expect(live).toEqual([{ id: winner }]);
      const [prompt] = await h.dataSource.query(`SELECT live_version_id FROM prompts WHERE id = $1`, [promptId]);
      expect(prompt.live_version_id).toBe(winner);
      const approvedEntries = await h.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'version.approved' AND resource_id = ANY($2)`, [t.ws, ids]);
      expect(approvedEntries[0].n).toBe(1);
    });
  });

  describe('POST /versions/:id/reject', () => {
    it('refuses a missing or blank note with 400, then rejects with the note and audits version.rejected', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'reject.note');
      await submit(h.http, t.editor, versionId);
      const reject = (body: object) => request(h.http).post(api(`/versions/${versionId}/reject`)).set(t.reviewer.auth).send(body);
      expect((await reject({}).expect(400)).body.error.code).toBe('validation_failed');
      expect((await reject({ note: '   ' }).expect(400)).body.error.code).toBe('validation_failed');
      const res = await reject({ note: 'Too vague' }).expect(200);
      expect(res.body.version).toMatchObject({ status: 'rejected', review_note: 'Too vague', reviewed_at: expect.any(String), live_from: null });
      expect((await reject({ note: 'again' }).expect(409)).body.error.code).toBe('invalid_transition');
      const [entry] = (await auditOf(h.dataSource, t.ws, versionId)).filter((a) => a.action === 'version.rejected');
      expect(entry).toMatchObject({ actor_email: t.reviewer.user.email, extra: { version_num: 1, prompt_key: 'reject.note', note: 'Too vague' } });
    });

    it('needs the reviewer role', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'reject.role');
      await submit(h.http, t.editor, versionId);
      await request(h.http).post(api(`/versions/${versionId}/reject`)).set(t.editor.auth).send({ note: 'no' }).expect(403);
    });
  });

  describe('POST /versions/:id/quick-approve outside development', () => {
    it('is 403 when the server runs with APP_ENV=test, and leaves the draft as it was', async () => {
      const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'quick.test-mode');
      const res = await request(h.http).post(api(`/versions/${versionId}/quick-approve`)).set(t.owner.auth).expect(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(await versionStatus(h.dataSource, versionId)).toBe('draft');
    });
  });
});

describe('review gate: the eval gate', () => {
  const h = useRegistry();
  let t: Team;

  const insertEval = (versionId: string, mode: 'rules' | 'judge', score: number, status = 'succeeded') =>
    h.dataSource.query(
      `INSERT INTO eval_runs (workspace_id, version_id, mode, provider, status, score, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id`,
      [t.ws, versionId, mode, mode === 'judge' ? 'anthropic' : null, status, score]);

  /** A pending version 1 of a new prompt in staging, proposed by the editor. */
  const pending = async (key: string) => {
    const { versionId } = await createPrompt(h.http, t.editor, t.env.staging, key);
    await submit(h.http, t.editor, versionId);
    return versionId;
  };

  beforeAll(async () => {
    t = await makeTeam(h.http);
    await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth)
      .send({ eval_required: true, eval_pass_threshold: 7 }).expect(200);
  });

  it('refuses a version without a succeeded eval with 422 eval_required', async () => {
    const versionId = await pending('gate.none');
    await insertEval(versionId, 'rules', 9, 'failed');
    const res = await approve(h.http, t.reviewer, versionId).expect(422);
    expect(res.body.error).toMatchObject({ code: 'eval_required', details: { score: null, threshold: 7 } });
  });

  it('refuses a score below the threshold with 422 eval_below_threshold, counting the newest eval', async () => {
    const versionId = await pending('gate.low');
    await insertEval(versionId, 'rules', 9.5);
    await new Promise((r) => setTimeout(r, 5));
    await insertEval(versionId, 'rules', 5);
    const res = await approve(h.http, t.reviewer, versionId).expect(422);
    expect(res.body.error).toMatchObject({ code: 'eval_below_threshold', details: { score: 5, threshold: 7 } });
  });

  it('approves a version whose newest eval reaches the threshold, recording the score', async () => {
    const versionId = await pending('gate.good');
    await insertEval(versionId, 'rules', 7);
    await approve(h.http, t.reviewer, versionId).expect(200);
    const [entry] = (await auditOf(h.dataSource, t.ws, versionId)).filter((a) => a.action === 'version.approved');
    expect(entry.extra).toEqual({ version_num: 1, prompt_key: 'gate.good', score: 7, threshold: 7 });
  });

  it('refuses an override by a reviewer with 403, allows it for an admin and audits override_eval with score and threshold', async () => {
    const versionId = await pending('gate.override');
    await insertEval(versionId, 'rules', 3);
    const denied = await approve(h.http, t.reviewer, versionId, { override_eval: true }).expect(403);
    expect(denied.body.error.code).toBe('forbidden');
    const res = await approve(h.http, t.admin, versionId, { override_eval: true, note: 'Hotfix' }).expect(200);
    expect(res.body.version).toMatchObject({ status: 'approved', approved_by: t.admin.user.id });
    const [entry] = (await auditOf(h.dataSource, t.ws, versionId)).filter((a) => a.action === 'version.approved');
    expect(entry).toMatchObject({
      actor_email: t.admin.user.email,
      extra: { version_num: 1, prompt_key: 'gate.override', note: 'Hotfix', override_eval: true, score: 3, threshold: 7 },
    });
  });

  it('gates on the judge where the environment has one: a rules eval alone is none', async () => {
    await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth)
      .send({ judge: { provider: 'anthropic' } }).expect(200);
    try {
      const versionId = await pending('gate.judge');
      await insertEval(versionId, 'rules', 10);
      expect((await approve(h.http, t.reviewer, versionId).expect(422)).body.error.code).toBe('eval_required');
      await insertEval(versionId, 'judge', 8);
      await approve(h.http, t.reviewer, versionId).expect(200);
    } finally {
      await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth).send({ judge: null }).expect(200);
    }
  });
});
