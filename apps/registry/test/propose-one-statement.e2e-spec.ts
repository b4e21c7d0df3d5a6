import request from 'supertest';
import { until, withTwoConnections } from '../../../test/support/statements.js';
import { signup, useRegistry } from './support/registry.js';
import { api, createPrompt } from './support/review-flow.js';

/**
 * A proposal is one statement (role, lock, count, insert) when its body is well formed. Its
 * snapshot is taken before it waits for the prompt's lock; these cases are the ones that snapshot
 * cannot answer, and the insert runs as a statement of its own.
 */
describe('a proposal in one statement', () => {
  const h = useRegistry();

  it('is based on the version the last lock holder made live, though its statement started before that version existed', async () => {
    const owner = await signup(h.http);
    const envs = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/environments`)).set(owner.auth).expect(200);
    const development = (envs.body.items as Array<{ id: string; name: string }>).find((e) => e.name === 'development')!.id;
    const { promptId } = await createPrompt(h.http, owner, development, 'snapshot.base', 'Version one.');
    await withTwoConnections(h.db.ownerUrl, async (holder, observer) => {
      // Another change holds the prompt's row lock, as an approval does.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM prompts WHERE id = $1 FOR UPDATE', [promptId]);
      const answer = request(h.http).post(api(`/prompts/${promptId}/versions`)).set(owner.auth).send({ content: 'Version three.' }).then((r) => r);
      await until('the proposal to wait on the prompt lock', async () => {
        const { rows } = await observer.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH target AS (%'`);
        return rows[0] ?? null;
      });
      // While it waits, the holder makes a new version live: one the proposal's snapshot cannot see.
      const { rows: [live] } = await holder.query<{ id: string }>(
        `INSERT INTO prompt_versions (prompt_id, version_num, status, content, proposed_by, live_from, config)
         VALUES ($1, 2, 'approved', 'Version two.', $2, clock_timestamp(), '{"temperature": 0.3}') RETURNING id`, [promptId, owner.user.id]);
      await holder.query('UPDATE prompts SET live_version_id = $2, last_version_num = 2 WHERE id = $1', [promptId, live.id]);
      await holder.query('COMMIT');
      const res = await answer;
      expect(res.status).toBe(201);
      expect(res.body.version).toMatchObject({ version_num: 3, base_version_id: live.id, config: { temperature: 0.3 } });
      const [stored] = await h.asOwner(`SELECT parent_content, parent_config FROM prompt_versions WHERE id = $1`, [res.body.version.id]);
      expect(stored).toEqual({ parent_content: 'Version two.', parent_config: { temperature: 0.3 } });
      const diff = await request(h.http).get(api(`/versions/${res.body.version.id as string}/diff`)).set(owner.auth).expect(200);
      expect(JSON.stringify(diff.body)).toContain('Version two.');
    });
  });

  it('counts nothing for a body of the other type, and refuses it as before', async () => {
    const owner = await signup(h.http);
    const envs = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/environments`)).set(owner.auth).expect(200);
    const development = (envs.body.items as Array<{ id: string; name: string }>).find((e) => e.name === 'development')!.id;
    const { promptId } = await createPrompt(h.http, owner, development, 'snapshot.type', 'A text prompt.');
    const res = await request(h.http).post(api(`/prompts/${promptId}/versions`)).set(owner.auth)
      .send({ messages: [{ role: 'system', content: 'A chat body.' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await h.asOwner(`SELECT last_version_num FROM prompts WHERE id = $1`, [promptId])).toEqual([{ last_version_num: 1 }]);
    const next = await request(h.http).post(api(`/prompts/${promptId}/versions`)).set(owner.auth).send({ content: 'Text again.' }).expect(201);
    expect(next.body.version.version_num).toBe(2);
  });
});
