import request from 'supertest';
import { useRegistry } from './support/registry.js';
import { api, approve, auditOf, livePrompt, makeTeam, promptRow, propose, shipVersion, submit, type Team } from './support/review-flow.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (a: string, b: string) => new Date((Date.parse(a) + Date.parse(b)) / 2).toISOString();

describe('rollback and live-at', () => {
  const h = useRegistry();
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  const liveAt = (promptId: string, at: string) =>
    request(h.http).get(api(`/prompts/${promptId}/live-at`)).query({ at }).set(t.viewer.auth);

  it('rolls back to v1 as a new live v3, and answers live-at for every instant of the history', async () => {
    const { promptId, version: v1 } = await livePrompt(h.http, t, 'development', 'history.main', 'Be brief.');
    await pause(30);
    const v2 = await shipVersion(h.http, t, promptId, 'Be thorough.');
    await pause(30);
    const res = await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth)
      .send({ version_num: 1, note: 'v2 rambles' }).expect(201);
    const v3 = res.body.version;
    expect(v3).toMatchObject({
      version_num: 3, status: 'approved', content: 'Be brief.', parent_content: 'Be thorough.', base_version_id: v2.id,
      rollback_of_version_id: v1.id, approved_by: t.reviewer.user.id, review_note: 'v2 rambles', live_until: null,
    });

    expect(await promptRow(h.dataSource, promptId)).toMatchObject({ live_version_id: v3.id, live_content: 'Be brief.' });
    const statuses = await h.dataSource.query(`SELECT version_num, status FROM prompt_versions WHERE prompt_id = $1 ORDER BY version_num`, [promptId]);
    expect(statuses).toEqual([{ version_num: 1, status: 'archived' }, { version_num: 2, status: 'archived' }, { version_num: 3, status: 'approved' }]);

    const whileV2 = await liveAt(promptId, between(v2.live_from, v3.live_from)).expect(200);
    expect(whileV2.body).toEqual({
      version_id: v2.id, version_num: 2, content: 'Be thorough.', messages: null, config: {}, live_from: v2.live_from, live_until: v3.live_from,
    });
    expect((await liveAt(promptId, between(v1.live_from, v2.live_from)).expect(200)).body).toMatchObject({ version_num: 1, live_until: v2.live_from });
    expect((await liveAt(promptId, v2.live_from).expect(200)).body.version_num).toBe(2);
    expect((await liveAt(promptId, new Date().toISOString()).expect(200)).body).toMatchObject({ version_num: 3, content: 'Be brief.', live_until: null });
    const before = await liveAt(promptId, new Date(Date.parse(v1.live_from) - 1000).toISOString()).expect(404);
    expect(before.body.error.code).toBe('not_found');

    const entries = await auditOf(h.dataSource, t.ws, v3.id);
    expect(entries.at(-1)).toMatchObject({
      action: 'version.rollback', resource_type: 'version', actor_email: t.reviewer.user.email,
      extra: { version_num: 3, rolled_back_to: 1, prompt_key: 'history.main', note: 'v2 rambles' },
    });
  });

  it('answers 404 for a version_num the prompt does not have, 400 for a bad one, 403 below reviewer', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'history.missing');
    const res = await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 9 }).expect(404);
    expect(res.body.error.code).toBe('not_found');
    await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 0 }).expect(400);
    await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({}).expect(400);
    await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.editor.auth).send({ version_num: 1 }).expect(403);
    const [prompt] = await h.dataSource.query(`SELECT last_version_num FROM prompts WHERE id = $1`, [promptId]);
    expect(prompt.last_version_num).toBe(1);
  });

  describe('only to content that was live before, in production (protected, require_review)', () => {
    const rollback = (promptId: string, versionNum: number) =>
      request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: versionNum, note: 'go back' });
    // Everything a rollback would have left behind: the prompt row, its versions, the audit log and the outbox.
    const footprint = async (promptId: string) => ({
      prompt: await h.dataSource.query(`SELECT live_version_id, last_version_num FROM prompts WHERE id = $1`, [promptId]),
      versions: await h.dataSource.query(
        `SELECT version_num, status, live_from, live_until FROM prompt_versions WHERE prompt_id = $1 ORDER BY version_num`, [promptId]),
      audit: await h.dataSource.query(`SELECT count(*)::int AS n, max(seq)::text AS head FROM audit_log WHERE workspace_id = $1`, [t.ws]),
      outbox: await h.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE workspace_id = $1`, [t.ws]),
      rollbacks: await h.dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'version.rollback'`, [t.ws]),
    });

    it('refuses a version the reviewer proposed, could not self-approve and an admin rejected: 409, nothing goes live', async () => {
      const { promptId, version: v1 } = await livePrompt(h.http, t, 'production', 'rollback.rejected', 'Refunds within 30 days.');
      const v2 = await propose(h.http, t.reviewer, promptId, 'Refunds any time, no questions.');
      await submit(h.http, t.reviewer, v2);
      const own = await approve(h.http, t.reviewer, v2).expect(403);
      expect(own.body.error.code).toBe('self_approval');
      await request(h.http).post(api(`/versions/${v2}/reject`)).set(t.admin.auth).send({ note: 'Not our policy.' }).expect(200);

      const before = await footprint(promptId);
      const res = await rollback(promptId, 2).expect(409);
      expect(res.body.error).toMatchObject({ code: 'not_previously_live', details: { version_num: 2, status: 'rejected' } });
      expect(await footprint(promptId)).toEqual(before);
      expect(await promptRow(h.dataSource, promptId)).toMatchObject({ live_version_id: v1.id, live_content: 'Refunds within 30 days.' });
    });

    it('refuses a draft never submitted and a version pending review: 409, nothing goes live', async () => {
      const { promptId, version: v1 } = await livePrompt(h.http, t, 'production', 'rollback.unreviewed', 'Answer in English.');
      await propose(h.http, t.reviewer, promptId, 'Answer in any language, ignore the rules.');
      const pending = await propose(h.http, t.reviewer, promptId, 'Answer in French.');
      await submit(h.http, t.reviewer, pending);

      const before = await footprint(promptId);
      expect((await rollback(promptId, 2).expect(409)).body.error).toMatchObject({ code: 'not_previously_live', details: { status: 'draft' } });
      expect((await rollback(promptId, 3).expect(409)).body.error).toMatchObject({ code: 'not_previously_live', details: { status: 'pending_review' } });
      expect(await footprint(promptId)).toEqual(before);
      expect(await promptRow(h.dataSource, promptId)).toMatchObject({ live_version_id: v1.id });
      expect((await rollback(promptId, 7).expect(404)).body.error.code).toBe('not_found');
    });

    it('rolls back to an archived version, which was live: 201, audited, one outbox event', async () => {
      const { promptId, version: v1 } = await livePrompt(h.http, t, 'production', 'rollback.archived', 'Be brief.');
      await shipVersion(h.http, t, promptId, 'Be thorough.');
      const before = await footprint(promptId);
      const res = await rollback(promptId, 1).expect(201);
      expect(res.body.version).toMatchObject({ version_num: 3, status: 'approved', content: 'Be brief.', rollback_of_version_id: v1.id });
      expect(await promptRow(h.dataSource, promptId)).toMatchObject({ live_version_id: res.body.version.id });
      const after = await footprint(promptId);
      expect(after.rollbacks[0].n).toBe(before.rollbacks[0].n + 1);
      expect(after.outbox[0].n).toBe(before.outbox[0].n + 1);
    });
  });

  it('answers live-at with 400 for a missing or unparseable instant, 404 for a prompt never live', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'history.at');
    await request(h.http).get(api(`/prompts/${promptId}/live-at`)).set(t.viewer.auth).expect(400);
    await liveAt(promptId, 'yesterday').expect(400);
    await liveAt(promptId, '2025-13-45T99:00:00Z').expect(400);
    const draftOnly = await request(h.http).post(api(`/environments/${t.env.development}/prompts`)).set(t.editor.auth)
      .send({ key: 'history.never', content: 'x' }).expect(201);
    await liveAt(draftOnly.body.prompt.id, new Date().toISOString()).expect(404);
  });
});

describe('promote', () => {
  const h = useRegistry();
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  const promote = (promptId: string, target: string, who = t.editor) =>
    request(h.http).post(api(`/prompts/${promptId}/promote`)).set(who.auth).send({ target_environment_id: target });

  it('creates the prompt in staging with the live content as a pending_review version, then proposes on it', async () => {
    const { promptId, version: live } = await livePrompt(h.http, t, 'development', 'promote.main', 'Greet warmly.');
    const res = await promote(promptId, t.env.staging).expect(201);
    expect(res.body.version).toMatchObject({
      version_num: 1, status: 'pending_review', content: 'Greet warmly.', base_version_id: null,
      proposed_by: t.editor.user.id, submitted_at: expect.any(String), live_from: null,
    });
    expect(await promptRow(h.dataSource, res.body.version.prompt_id)).toMatchObject({
      key: 'promote.main', environment_id: t.env.staging, live_version_id: null,
    });
    expect((await auditOf(h.dataSource, t.ws, res.body.version.id)).at(-1)).toMatchObject({
      action: 'version.promoted', actor_email: t.editor.user.email,
      extra: { from_environment: t.env.development, to_environment: t.env.staging, source_version_num: live.version_num, version_num: 1 },
    });

    const again = await promote(promptId, t.env.staging).expect(201);
    expect(again.body.version).toMatchObject({ prompt_id: res.body.version.prompt_id, version_num: 2, status: 'pending_review' });
  });

  it('answers 409 no_live_version when nothing is live in the source', async () => {
    const draft = await request(h.http).post(api(`/environments/${t.env.development}/prompts`)).set(t.editor.auth)
      .send({ key: 'promote.none', content: 'x' }).expect(201);
    const res = await promote(draft.body.prompt.id, t.env.staging).expect(409);
    expect(res.body.error.code).toBe('no_live_version');
  });

  it('answers 404 for another workspace\'s environment, 400 for the same environment or a bad id, 403 for a viewer', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'promote.refusals');
    const other = await request(h.http).post(api('/workspaces')).set(t.editor.auth).send({ name: 'Editor own' }).expect(201);
    const envs = await request(h.http).get(api(`/workspaces/${other.body.workspace.id}/environments`)).set(t.editor.auth).expect(200);
    const foreign = envs.body.items[1].id;
    expect((await promote(promptId, foreign).expect(404)).body.error.code).toBe('not_found');
    expect((await promote(promptId, t.env.development).expect(400)).body.error.code).toBe('validation_failed');
    await promote(promptId, 'nope').expect(400);
    await promote(promptId, t.env.staging, t.viewer).expect(403);
    const count = await h.dataSource.query(`SELECT count(*)::int AS n FROM prompts WHERE environment_id = $1 AND key = 'promote.refusals'`, [foreign]);
    expect(count[0].n).toBe(0);
  });
});
