import request from 'supertest';
import { useRegistry } from './support/registry.js';
import { api, auditOf, createPrompt, makeTeam, promptRow, propose, submit, type Team } from './support/review-flow.js';

describe('quick-approve on a development server', () => {
  const h = useRegistry({ APP_ENV: 'development' });
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  const quickApprove = (versionId: string, who = t.editor) =>
    request(h.http).post(api(`/versions/${versionId}/quick-approve`)).set(who.auth);

  it('takes an editor\'s own draft straight live in an unprotected environment, audited as a quick approval', async () => {
    const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'quick.ok', 'Draft text');
    const res = await quickApprove(versionId).expect(200);
    expect(res.body.version).toMatchObject({
      id: versionId, status: 'approved', approved_by: t.editor.user.id, live_from: expect.any(String), live_until: null,
    });
    expect(await promptRow(h.dataSource, promptId)).toMatchObject({ live_version_id: versionId, live_content: 'Draft text' });
    expect((await auditOf(h.dataSource, t.ws, versionId)).at(-1)).toMatchObject({
      action: 'version.approved', actor_email: t.editor.user.email, extra: { version_num: 1, prompt_key: 'quick.ok', quick_approve: true },
    });
  });

  it('is 403 in the protected production environment, even on a development server', async () => {
    const { versionId } = await createPrompt(h.http, t.editor, t.env.production, 'quick.prod');
    const res = await quickApprove(versionId, t.owner).expect(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('refuses a draft on a stale base with 409 stale_base, a pending version with 409, a viewer with 403', async () => {
    const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'quick.stale');
    await quickApprove(versionId).expect(200);
    const a = await propose(h.http, t.editor, promptId, 'A');
    const b = await propose(h.http, t.editor, promptId, 'B');
    await quickApprove(a).expect(200);
    expect((await quickApprove(b).expect(409)).body.error.code).toBe('stale_base');
    const c = await propose(h.http, t.editor, promptId, 'C');
    await submit(h.http, t.editor, c);
    expect((await quickApprove(c).expect(409)).body.error.code).toBe('invalid_transition');
    const d = await propose(h.http, t.editor, promptId, 'D');
    await quickApprove(d, t.viewer).expect(403);
  });
});
