import request from 'supertest';
import { until, withTwoConnections } from '../../../test/support/statements.js';
import { useRegistry } from './support/registry.js';
import { api, createPrompt, makeTeam } from './support/review-flow.js';

/**
 * A submit is one autocommitted statement (review_target's read under the prompt's lock, the
 * status change, the event, its consumption and the audit entry) when the caller may submit and
 * the version is a draft; otherwise nothing is written and a transaction answers why.
 */
describe('a submit in one statement', () => {
  const h = useRegistry();

  const eventsOf = (versionId: string) => h.asOwner(
    `SELECT e.event_type, e.payload, c.consumer, c.input
       FROM outbox_events e LEFT JOIN outbox_consumptions c ON c.event_id = e.id
      WHERE e.payload->'version'->>'id' = $1 ORDER BY e.created_at`, [versionId]) as Promise<Array<{
    event_type: string; payload: Record<string, unknown>; consumer: string | null; input: unknown;
  }>>;
  const auditOf = (versionId: string) => h.asOwner(
    `SELECT action, actor_email, extra FROM audit_log WHERE resource_id = $1 ORDER BY seq`, [versionId]) as Promise<Array<Record<string, unknown>>>;

  it('writes the event a transaction would, its eval request and an audit entry that verifies, and answers the version as it now is', async () => {
    const t = await makeTeam(h.http);
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'one-statement.submit');
    const res = await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.editor.auth).expect(200);
    const shown = await request(h.http).get(api(`/versions/${versionId}`)).set(t.editor.auth).expect(200);
    expect(res.body.version).toEqual(shown.body);
    expect(res.body.version).toMatchObject({ id: versionId, status: 'pending_review', version_num: 1 });
    // The approval's event is written by the transaction path, from what it read under the lock.
    await request(h.http).post(api(`/versions/${versionId}/approve`)).set(t.reviewer.auth).send({}).expect(200);

    const [submitted, approved] = await eventsOf(versionId);
    const workspaces = await request(h.http).get(api('/me')).set(t.editor.auth).expect(200);
    const workspace = (workspaces.body.memberships as Array<{ workspace: { id: string; name: string } }>).find((m) => m.workspace.id === t.ws)!.workspace;
    expect(submitted).toEqual({
      event_type: 'version.submitted',
      payload: {
        workspace: { id: t.ws, name: workspace.name },
        environment: { id: t.env.development, name: 'development' },
        prompt: { id: res.body.version.prompt_id, key: 'one-statement.submit' },
        version: { id: versionId, version_num: 1, status: 'pending_review' },
        actor: { email: t.editor.user.email },
        note: null,
      },
      consumer: 'evals_on_submit',
      input: { v: 1, version_id: versionId, actor_id: t.editor.user.id },
    });
    // Both paths describe the workspace, environment and prompt alike.
    for (const part of ['workspace', 'environment', 'prompt']) expect(approved.payload[part]).toEqual(submitted.payload[part]);
    expect(await auditOf(versionId)).toEqual([
      { action: 'version.created', actor_email: t.editor.user.email, extra: { version_num: 1, prompt_key: 'one-statement.submit' } },
      { action: 'version.submitted', actor_email: t.editor.user.email, extra: { version_num: 1, prompt_key: 'one-statement.submit' } },
      { action: 'version.approved', actor_email: t.reviewer.user.email, extra: { version_num: 1, prompt_key: 'one-statement.submit' } },
    ]);
    const verify = await request(h.http).get(api(`/workspaces/${t.ws}/audit/verify`)).set(t.owner.auth).expect(200);
    expect(verify.body).toMatchObject({ ok: true });
    const evals = await request(h.http).get(api(`/versions/${versionId}/evals`)).set(t.editor.auth).expect(200);
    expect(evals.body.items).toEqual([expect.objectContaining({ mode: 'rules' })]);
  });

  it('writes nothing when the caller may not submit or the version is not a draft, and answers as before', async () => {
    const t = await makeTeam(h.http);
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'one-statement.refused');
    const outsider = await makeTeam(h.http);
    expect((await request(h.http).post(api(`/versions/${versionId}/submit`)).set(outsider.editor.auth)).status).toBe(404);
    expect((await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.viewer.auth)).status).toBe(403);
    await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.editor.auth).expect(200);
    const again = await request(h.http).post(api(`/versions/${versionId}/submit`)).set(t.editor.auth);
    expect(again.status).toBe(409);
    expect((await eventsOf(versionId)).map((e) => e.event_type)).toEqual(['version.submitted']);
    expect((await auditOf(versionId)).map((e) => e.action)).toEqual(['version.created', 'version.submitted']);
  });

  it('submits a draft once when two submits race for it: the one that waited on the lock sees the status the other committed', async () => {
    const t = await makeTeam(h.http);
    const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'one-statement.race');
    await withTwoConnections(h.db.ownerUrl, async (holder, observer) => {
      // Another change holds the prompt's row lock: both submits start, and both wait on it with a snapshot of the draft.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM prompts WHERE id = $1 FOR UPDATE', [promptId]);
      const answers = [t.editor, t.owner].map((who) => request(h.http).post(api(`/versions/${versionId}/submit`)).set(who.auth).then((r) => r));
      await until('both submits to wait on the prompt lock', async () => {
        const { rows } = await observer.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH target AS (SELECT review_target(%'`);
        return rows[0].n === 2 ? true : null;
      });
      await holder.query('COMMIT');
      const statuses = (await Promise.all(answers)).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
    });
    expect((await eventsOf(versionId)).map((e) => e.event_type)).toEqual(['version.submitted']);
    expect((await auditOf(versionId)).map((e) => e.action)).toEqual(['version.created', 'version.submitted']);
    const evals = await request(h.http).get(api(`/versions/${versionId}/evals`)).set(t.editor.auth).expect(200);
    expect(evals.body.items).toHaveLength(1);
  });
});
