import request from 'supertest';
import { useRegistry } from './support/registry.js';
import {
  api, approve, auditOf, createPrompt, livePrompt, makeTeam, propose, shipVersion, submit, type Team,
} from './support/review-flow.js';

/** Runs are the test runs feature's; the gate only reads them, so these tests write the rows it reads. */
interface RunRow {
  status?: 'queued' | 'running' | 'succeeded' | 'failed';
  baseline: string | null;
  total?: number;
  passed?: number;
  regressions?: number;
  /** Seconds before now: the newest run is the one with the smallest age. */
  age?: number;
}

describe('environments: tests_required and max_regressions', () => {
  const h = useRegistry();
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  const patchEnv = (body: Record<string, unknown>, who = t.admin) =>
    request(h.http).patch(api(`/environments/${t.env.staging}`)).set(who.auth).send(body);

  it('default to false and 0, are set by an admin, shown in views and audited as environment.updated', async () => {
    const before = await request(h.http).get(api(`/environments/${t.env.staging}`)).set(t.viewer.auth).expect(200);
    expect(before.body.environment).toMatchObject({ tests_required: false, max_regressions: 0 });
    const res = await patchEnv({ tests_required: true, max_regressions: 3 }).expect(200);
    expect(res.body.environment).toMatchObject({ tests_required: true, max_regressions: 3, eval_required: false });
    const listed = await request(h.http).get(api(`/workspaces/${t.ws}/environments`)).set(t.viewer.auth).expect(200);
    expect(listed.body.items.find((e: { id: string }) => e.id === t.env.staging)).toMatchObject({ tests_required: true, max_regressions: 3 });
    const [entry] = (await auditOf(h.dataSource, t.ws, t.env.staging)).filter((e) => e.action === 'environment.updated');
    expect(entry).toMatchObject({
      actor_email: t.admin.user.email,
      extra: { changes: { tests_required: { from: false, to: true }, max_regressions: { from: 0, to: 3 } } },
    });
    await patchEnv({ max_regressions: 1000 }).expect(200);
    await patchEnv({ tests_required: false, max_regressions: 0 }).expect(200);
  });

  it.each([[-1], [1001], [1.5], ['2'], [null]])('refuses max_regressions %p with 400 naming it', async (value) => {
    const res = await patchEnv({ max_regressions: value }).expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain('max_regressions');
  });

  it('refuses tests_required that is not a boolean (400) and an editor (403)', async () => {
    expect((await patchEnv({ tests_required: 'yes' }).expect(400)).body.error.details[0].field).toBe('tests_required');
    await patchEnv({ tests_required: true }, t.editor).expect(403);
    const now = await request(h.http).get(api(`/environments/${t.env.staging}`)).set(t.viewer.auth).expect(200);
    expect(now.body.environment.tests_required).toBe(false);
  });
});

describe('the test gate on approval', () => {
  const h = useRegistry({ APP_ENV: 'development' });
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    for (const env of [t.env.staging, t.env.development]) {
      await request(h.http).patch(api(`/environments/${env}`)).set(t.admin.auth).send({ tests_required: true, max_regressions: 1 }).expect(200);
    }
  });

  async function addRun(promptId: string, versionId: string, run: RunRow): Promise<string> {
    const total = run.total ?? 2;
    const [row] = (await h.dataSource.query(
      `INSERT INTO test_runs (workspace_id, prompt_id, version_id, baseline_version_id, provider, model, status,
                              cases_total, cases_done, cases_passed, regressions, created_at, finished_at)
       VALUES ($1, $2, $3, $4, 'openai', 'gpt-4o-mini', $5, $6, $6, $7, $8, now() - make_interval(secs => $9), now())
       RETURNING id`,
      [t.ws, promptId, versionId, run.baseline, run.status ?? 'succeeded', total, run.passed ?? total, run.regressions ?? 0, run.age ?? 0],
    )) as Array<{ id: string }>;
    return row.id;
  }

  /** A pending version in staging, proposed on the live version (or on nothing when `live` is false). */
  async function pending(key: string, live = true) {
    if (!live) {
      const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.staging, key);
      await submit(h.http, t.editor, versionId);
      return { promptId, versionId, liveId: null };
    }
    const { promptId, versionId: liveId } = await createPrompt(h.http, t.editor, t.env.staging, key, 'v1');
    await submit(h.http, t.editor, liveId);
    await addRun(promptId, liveId, { baseline: null });
    await approve(h.http, t.reviewer, liveId).expect(200);
    const versionId = await propose(h.http, t.editor, promptId, 'v2');
    await submit(h.http, t.editor, versionId);
    return { promptId, versionId, liveId };
  }

  const approvedEntry = async (versionId: string) =>
    (await auditOf(h.dataSource, t.ws, versionId)).find((e) => e.action === 'version.approved');

  it('refuses a version without a test run with 422 tests_required, and one whose only runs did not succeed', async () => {
    const { promptId, versionId, liveId } = await pending('gate.none');
    const res = await approve(h.http, t.reviewer, versionId).expect(422);
    expect(res.body.error).toMatchObject({ code: 'tests_required', details: { live_version_id: liveId, max_regressions: 1 } });
    await addRun(promptId, versionId, { baseline: liveId, status: 'failed' });
    await addRun(promptId, versionId, { baseline: liveId, status: 'running' });
    expect((await approve(h.http, t.reviewer, versionId).expect(422)).body.error.code).toBe('tests_required');
  });

  it('refuses a run with a failing case, or more regressions than max_regressions, with 422 tests_failed', async () => {
    const { promptId, versionId, liveId } = await pending('gate.failed');
    const failing = await addRun(promptId, versionId, { baseline: liveId, total: 3, passed: 2 });
    const res = await approve(h.http, t.reviewer, versionId).expect(422);
    expect(res.body.error).toMatchObject({ code: 'tests_failed', details: { test_run_id: failing, cases_total: 3, cases_passed: 2 } });
    await addRun(promptId, versionId, { baseline: liveId, regressions: 2 });
    const regressed = await approve(h.http, t.reviewer, versionId).expect(422);
    expect(regressed.body.error).toMatchObject({ code: 'tests_failed', details: { regressions: 2, max_regressions: 1 } });
    expect(await approvedEntry(versionId)).toBeUndefined();
  });

  it('approves on a passing run against the live version (regressions up to max_regressions), audited with the run id', async () => {
    const { promptId, versionId, liveId } = await pending('gate.pass');
    // An older passing run is outvoted by a newer failing one, and a newer passing one decides again.
    await addRun(promptId, versionId, { baseline: liveId, age: 30 });
    await addRun(promptId, versionId, { baseline: liveId, passed: 1, age: 20 });
    expect((await approve(h.http, t.reviewer, versionId).expect(422)).body.error.code).toBe('tests_failed');
    const passing = await addRun(promptId, versionId, { baseline: liveId, regressions: 1, age: 10 });
    const res = await approve(h.http, t.reviewer, versionId).expect(200);
    expect(res.body.version).toMatchObject({ id: versionId, status: 'approved' });
    expect((await approvedEntry(versionId))?.extra).toMatchObject({ test_run_id: passing });
    expect((await approvedEntry(versionId))?.extra).not.toHaveProperty('override_tests');
  });

  it('counts a run with no baseline when nothing is live, and not once a version is live', async () => {
    const first = await pending('gate.first', false);
    const run = await addRun(first.promptId, first.versionId, { baseline: null });
    await approve(h.http, t.reviewer, first.versionId).expect(200);
    expect((await approvedEntry(first.versionId))?.extra).toMatchObject({ test_run_id: run });

    const next = await propose(h.http, t.editor, first.promptId, 'v2');
    await submit(h.http, t.editor, next);
    await addRun(first.promptId, next, { baseline: null });
    expect((await approve(h.http, t.reviewer, next).expect(422)).body.error.code).toBe('tests_required');
  });

  it('no longer counts a run against an old baseline after another version went live', async () => {
    const { promptId, versionId: v2, liveId: v1 } = await pending('gate.old-baseline');
    await addRun(promptId, v2, { baseline: v1 });
    await approve(h.http, t.reviewer, v2).expect(200);
    // v3 is proposed on v2; its run compared it with v1, which is no longer live.
    const v3 = await propose(h.http, t.editor, promptId, 'v3');
    await submit(h.http, t.editor, v3);
    await addRun(promptId, v3, { baseline: v1 });
    const res = await approve(h.http, t.reviewer, v3).expect(422);
    expect(res.body.error).toMatchObject({ code: 'tests_required', details: { live_version_id: v2 } });
    expect(res.body.error.message).toContain('another baseline');
    await addRun(promptId, v3, { baseline: v2, age: 60 });
    await approve(h.http, t.reviewer, v3).expect(200);
  });

  it('passes an admin\'s override_eval, audited with override_tests and the newest run of any status; 403 for a reviewer', async () => {
    const { promptId, versionId, liveId } = await pending('gate.override');
    await addRun(promptId, versionId, { baseline: liveId, passed: 0, age: 20 });
    const newest = await addRun(promptId, versionId, { baseline: liveId, status: 'failed', age: 10 });
    const denied = await approve(h.http, t.reviewer, versionId, { override_eval: true }).expect(403);
    expect(denied.body.error.code).toBe('forbidden');
    await approve(h.http, t.admin, versionId, { override_eval: true, note: 'Hotfix' }).expect(200);
    expect((await approvedEntry(versionId))?.extra).toMatchObject({ note: 'Hotfix', override_tests: true, test_run_id: newest });
    expect((await approvedEntry(versionId))?.extra).not.toHaveProperty('override_eval');

    const bare = await pending('gate.override-none');
    await approve(h.http, t.owner, bare.versionId, { override_eval: true }).expect(200);
    expect((await approvedEntry(bare.versionId))?.extra).toMatchObject({ override_tests: true, test_run_id: null });
  });

  it('comes after the eval gate: with both required and neither met, 422 eval_required', async () => {
    const prod = t.env.production;
    await request(h.http).patch(api(`/environments/${prod}`)).set(t.admin.auth).send({ tests_required: true, eval_required: true }).expect(200);
    const { versionId } = await createPrompt(h.http, t.editor, prod, 'gate.order');
    await submit(h.http, t.editor, versionId);
    expect((await approve(h.http, t.reviewer, versionId).expect(422)).body.error.code).toBe('eval_required');
  });

  it('does not apply to quick-approve or rollback', async () => {
    const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'gate.quick');
    await request(h.http).post(api(`/versions/${versionId}/quick-approve`)).set(t.editor.auth).expect(200);
    const v2 = await propose(h.http, t.editor, promptId, 'v2');
    await request(h.http).post(api(`/versions/${v2}/quick-approve`)).set(t.editor.auth).expect(200);
    const back = await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 1 }).expect(201);
    expect(back.body.version).toMatchObject({ status: 'approved', version_num: 3 });
  });

  it('leaves an environment without tests_required as it was', async () => {
    const other = await makeTeam(h.http);
    const { promptId } = await livePrompt(h.http, other, 'staging', 'gate.off');
    await shipVersion(h.http, other, promptId, 'v2');
  });
});
