import request from 'supertest';
import { Redis } from 'ioredis';
import { TEST_CASE_JOB, redisNames } from '#contracts';
import { evalJobKeyBinding, openSecret } from '#domain';
import { freePort } from '#runtime';
import { TestRunSweeper } from '../src/test-runs/test-run-sweeper.js';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { TEST_ENCRYPTION_KEY, bootRegistry, useRegistry, type RegistryHarness } from './support/registry.js';
import { api, auditOf, livePrompt, makeTeam, propose, type Team } from './support/review-flow.js';
import { TestQueuesDouble, answered, failedCase } from './support/test-queues.js';

const ENCRYPTION_KEY = Buffer.from(TEST_ENCRYPTION_KEY, 'hex');
const CANARY = 'sk-canary-test-runs-8d2f61a0c4';

/**
 * Adds a test case: through POST /prompts/:id/test-cases where the registry has it, else straight
 * into `test_cases` (the cases API is another branch's; this file tests runs).
 */
async function addCase(h: RegistryHarness, t: Team, promptId: string, testCase: { name: string; variables?: Record<string, string>; input?: string | null; assertions?: unknown[] }) {
  const res = await request(h.http).post(api(`/prompts/${promptId}/test-cases`)).set(t.editor.auth).send(testCase);
  if (res.status === 201) return res.body.test_case.id as string;
  const [row] = (await h.dataSource.query(
    `INSERT INTO test_cases (workspace_id, prompt_id, name, variables, input, placeholders, assertions)
     VALUES ($1, $2, $3, $4::jsonb, $5, '{}'::jsonb, $6::jsonb) RETURNING id`,
    [t.ws, promptId, testCase.name, JSON.stringify(testCase.variables ?? {}), testCase.input ?? null, JSON.stringify(testCase.assertions ?? [])],
  )) as Array<{ id: string }>;
  return row.id;
}

describe('test runs through the queues', () => {
  const h = useRegistry();
  let t: Team;
  let queues: TestQueuesDouble;
  let n = 0;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    queues = new TestQueuesDouble(h.redisPrefix);
  });

  afterAll(async () => {
    await queues.close();
  });

  /** A prompt whose version 1 is live, and a draft version 2 with `config`. */
  const promptWithDraft = async (config: Record<string, unknown> = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2 }) => {
    n += 1;
    const { promptId, versionId: liveId } = await livePrompt(h.http, t, 'development', `runs.prompt-${n}`, 'You are a support agent.');
    const res = await request(h.http).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth)
      .send({ content: 'You are a formal support agent for {{product}}.', config });
    expect(res.status).toBe(201);
    return { promptId, liveId, draftId: res.body.version.id as string };
  };
  const startRun = (versionId: string, body: Record<string, unknown> = {}, who = t.editor) =>
    request(h.http).post(api(`/versions/${versionId}/test-runs`)).set(who.auth).send(body);
  const runView = async (runId: string) => (await request(h.http).get(api(`/test-runs/${runId}`)).set(t.viewer.auth).expect(200)).body;
  const eventsOf = async (runId: string) => (await h.dataSource.query(
    `SELECT event_type, payload FROM outbox_events WHERE payload->>'test_run_id' = $1 ORDER BY created_at`, [runId],
  )) as Array<{ event_type: string; payload: Record<string, unknown> }>;

  describe('POST /versions/:id/test-runs checks, in order', () => {
    it('role first: a viewer is 403 even for a prompt without cases', async () => {
      const { draftId } = await promptWithDraft();
      expect((await startRun(draftId, {}, t.viewer).expect(403)).body.error.code).toBe('forbidden');
    });

    it('then no_test_cases, before any model or key is looked at', async () => {
      const { draftId } = await promptWithDraft({});
      expect((await startRun(draftId).expect(422)).body.error.code).toBe('no_test_cases');
    });

    it('then model_unspecified when neither the request nor the version names a model', async () => {
      const { promptId, draftId } = await promptWithDraft({});
      await addCase(h, t, promptId, { name: 'greeting' });
      expect((await startRun(draftId).expect(422)).body.error.code).toBe('model_unspecified');
      // A provider alone is not a model either.
      expect((await startRun(draftId, { provider: 'openai' }).expect(422)).body.error.code).toBe('model_unspecified');
    });

    it('then provider_key_missing for the answering provider, then for the judge\'s', async () => {
      const { promptId, draftId } = await promptWithDraft();
      await addCase(h, t, promptId, { name: 'greeting' });
      const missing = (await startRun(draftId).expect(422)).body.error;
      expect(missing.code).toBe('provider_key_missing');
      expect(missing.message).toContain('openai');

      await request(h.http).patch(api(`/environments/${t.env.development}`)).set(t.admin.auth)
        .send({ judge: { provider: 'anthropic', model: 'claude-judge' } }).expect(200);
      try {
        const judgeMissing = (await startRun(draftId, { api_key: CANARY }).expect(422)).body.error;
        expect(judgeMissing.code).toBe('provider_key_missing');
        expect(judgeMissing.message).toContain('anthropic');
        expect(JSON.stringify(judgeMissing)).not.toContain(CANARY);
      } finally {
        await request(h.http).patch(api(`/environments/${t.env.development}`)).set(t.admin.auth).send({ judge: null }).expect(200);
      }
      expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM test_runs WHERE version_id = $1`, [draftId])).toEqual([{ n: 0 }]);
    });

    it('refuses a baseline of another prompt (or no version) with 400', async () => {
      const { promptId, draftId } = await promptWithDraft();
      const other = await promptWithDraft();
      await addCase(h, t, promptId, { name: 'greeting' });
      for (const baseline of [other.liveId, '00000000-0000-4000-8000-000000000000']) {
        const res = await startRun(draftId, { api_key: CANARY, baseline_version_id: baseline }).expect(400);
        expect(res.body.error.details).toEqual([{ field: 'baseline_version_id', messages: [expect.stringContaining('same prompt')] }]);
      }
      expect((await startRun(draftId, { api_key: CANARY, baseline_version_id: 'nope' }).expect(400)).body.error.code).toBe('validation_failed');
    });
  });

  it('records a queued run and queues one job per case in name order, with the live baseline and the key sealed to the run', async () => {
    const { promptId, liveId, draftId } = await promptWithDraft();
    const b = await addCase(h, t, promptId, { name: 'b refund', variables: { product: 'Acme' }, input: 'I want my money back', assertions: [{ type: 'contains', value: 'refund' }] });
    const a = await addCase(h, t, promptId, { name: 'a greeting', input: 'Hello', assertions: [{ type: 'judge', value: 'addresses the customer formally' }] });

    const res = await startRun(draftId, { api_key: CANARY }).expect(202);
    expect(res.body).toEqual({ test_run_id: expect.any(String), status: 'queued' });
    const runId = res.body.test_run_id as string;
    expect(await runView(runId)).toMatchObject({
      id: runId, version_id: draftId, baseline_version_id: liveId, provider: 'openai', model: 'gpt-4o-mini',
      judge_provider: 'openai', judge_model: 'gpt-4o-mini', status: 'queued', cases_total: 2, cases_done: 0, results: [],
    });

    const jobs = await queues.jobsOf(runId, 2);
    expect(jobs.map((j) => [j.name, j.data.index, j.data.case_id, j.data.case.name])).toEqual([
      [TEST_CASE_JOB, 0, a, 'a greeting'], [TEST_CASE_JOB, 1, b, 'b refund'],
    ]);
    const job = jobs[1].data;
    expect(job).toMatchObject({
      v: 1, run_id: runId, workspace_id: t.ws,
      case: { name: 'b refund', variables: { product: 'Acme' }, input: 'I want my money back', placeholders: {}, assertions: [{ type: 'contains', value: 'refund' }] },
      candidate: { version_id: draftId, type: 'text', content: 'You are a formal support agent for {{product}}.', messages: null, config: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2 } },
      baseline: { version_id: liveId, type: 'text', content: 'You are a support agent.', messages: null },
      baseline_output: null,
      answer: { provider: 'openai', model: 'gpt-4o-mini' }, judge: { provider: 'openai', model: 'gpt-4o-mini' }, sealed_judge_key: null,
    });
    expect(jobs[1].opts).toMatchObject({ attempts: 3, removeOnComplete: true, removeOnFail: true, stackTraceLimit: 0 });
    expect(openSecret(ENCRYPTION_KEY, job.sealed_key, evalJobKeyBinding(runId, job.key_expires_at))).toBe(CANARY);
    expect(() => openSecret(ENCRYPTION_KEY, job.sealed_key, evalJobKeyBinding(jobs[0].data.case_id, job.key_expires_at))).toThrow();
    // Two hours to live: longer than any run the sweeper lets live without progress.
    expect(Date.parse(job.key_expires_at) - Date.now()).toBeGreaterThan(110 * 60_000);
    for (const j of jobs) expect(JSON.stringify(j.data)).not.toContain(CANARY);

    // Nowhere in Redis in plain text: every string of every key of this registry's prefix.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`${redisNames(h.redisPrefix).bullPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const type = await redis.type(key);
        const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : type === 'string' ? (await redis.get(key)) ?? '' : '';
        expect(dump).not.toContain(CANARY);
      }
    } finally {
      redis.disconnect();
    }
    const [row] = await h.dataSource.query(`SELECT row_to_json(test_runs)::text AS t FROM test_runs WHERE id = $1`, [runId]);
    expect(row.t).not.toContain(CANARY);
  });

  it('applies each result once however often it comes, moves the run to running, then succeeds with audit and webhook event', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one', assertions: [{ type: 'contains', value: 'x' }] });
    await addCase(h, t, promptId, { name: 'two', assertions: [{ type: 'contains', value: 'y' }] });
    const runId = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    const [first, second] = (await queues.jobsOf(runId, 2)).map((j) => j.data);

    expect((await queues.sendResult(answered(first, { verdict: 'regressed', reason: 'Less formal.' }))).state).toBe('completed');
    expect(await runView(runId)).toMatchObject({ status: 'running', cases_done: 1, cases_passed: 1, regressions: 1, finished_at: null });
    // Delivered again, even with other content: nothing changes.
    expect((await queues.sendResult(answered(first, { verdict: 'same' }))).state).toBe('completed');
    expect(await runView(runId)).toMatchObject({ status: 'running', cases_done: 1, regressions: 1 });
    expect(await eventsOf(runId)).toEqual([]);

    const failedAssertion = answered(second, { assertions: [{ type: 'contains', value: 'y', passed: false, detail: 'does not contain "y"' }] });
    expect((await queues.sendResult(failedAssertion)).state).toBe('completed');
    const view = await runView(runId);
    expect(view).toMatchObject({ status: 'succeeded', cases_total: 2, cases_done: 2, cases_passed: 1, regressions: 1, error: null, finished_at: expect.any(String) });
    expect(view.results).toEqual([
      {
        test_case_id: first.case_id, name: 'one', output: 'answer to one', baseline_output: 'baseline answer to one',
        assertions: [{ type: 'contains', value: 'x', passed: true, detail: null }], verdict: 'regressed', reason: 'Less formal.', error: null,
      },
      expect.objectContaining({ test_case_id: second.case_id, name: 'two', assertions: [{ type: 'contains', value: 'y', passed: false, detail: 'does not contain "y"' }] }),
    ]);
    // A late duplicate after the end changes nothing either.
    expect((await queues.sendResult(failedCase(second, 'late'))).state).toBe('completed');
    expect(await runView(runId)).toEqual(view);

    expect(await auditOf(h.dataSource, t.ws, runId)).toEqual([expect.objectContaining({
      action: 'test_run.completed', resource_type: 'test_run', resource_id: runId, actor_email: t.editor.user.email,
      extra: expect.objectContaining({ version_id: draftId, prompt_id: promptId, cases_total: 2, cases_passed: 1, regressions: 1 }),
    })]);
    expect(await eventsOf(runId)).toEqual([{
      event_type: 'test_run.completed',
      payload: { test_run_id: runId, version_id: draftId, prompt_id: promptId, status: 'succeeded', cases_total: 2, cases_passed: 1, regressions: 1 },
    }]);
  });

  it('fails the run once every case has a result when a case failed, quoting the first error', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one' });
    await addCase(h, t, promptId, { name: 'two' });
    const runId = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    const [first, second] = (await queues.jobsOf(runId, 2)).map((j) => j.data);
    await queues.sendResult(failedCase(first, 'openai stayed unreachable after 3 attempts.'));
    expect(await runView(runId)).toMatchObject({ status: 'running', cases_done: 1, error: null });
    await queues.sendResult(answered(second));
    const view = await runView(runId);
    expect(view).toMatchObject({ status: 'failed', cases_done: 2, cases_passed: 1, error: expect.stringContaining('openai stayed unreachable') });
    expect(view.results[0]).toMatchObject({ name: 'one', output: null, assertions: [], verdict: null, error: 'openai stayed unreachable after 3 attempts.' });
    expect((await auditOf(h.dataSource, t.ws, runId)).map((e) => [e.action, e.actor_email])).toEqual([['test_run.failed', t.editor.user.email]]);
    expect((await eventsOf(runId)).map((e) => [e.event_type, e.payload.status])).toEqual([['test_run.failed', 'failed']]);
  });

  it('refuses a result that breaks the contract, or names no case of its run, without counting it', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one' });
    const runId = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    const [job] = (await queues.jobsOf(runId, 1)).map((j) => j.data);
    const bad = await queues.sendResult({ ...answered(job), verdict: 'better' });
    expect(bad.state).toBe('failed');
    expect(bad.job.attemptsMade).toBe(1);
    expect((await queues.sendResult(answered({ ...job, case_id: '00000000-0000-4000-8000-000000000000' }))).state).toBe('completed');
    expect((await queues.sendResult(answered({ ...job, index: 1 }))).state).toBe('completed');
    expect(await runView(runId)).toMatchObject({ status: 'queued', cases_done: 0, results: [] });
  });

  it('reuses the baseline answer of an earlier run with the same baseline, model and case content', async () => {
    const { promptId, liveId, draftId } = await promptWithDraft();
    const kept = await addCase(h, t, promptId, { name: 'kept', input: 'Hi' });
    const edited = await addCase(h, t, promptId, { name: 'edited', input: 'Hello' });
    const firstRun = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    for (const j of await queues.jobsOf(firstRun, 2)) await queues.sendResult(answered(j.data, { baseline_output: `stored baseline of ${j.data.case.name}` }));
    expect((await runView(firstRun)).status).toBe('succeeded');

    // A case whose input changed gets no reused answer; a changed assertion would not matter.
    await h.dataSource.query(`UPDATE test_cases SET input = 'Hello there', assertions = '[]'::jsonb WHERE id = $1`, [edited]);
    await h.dataSource.query(`UPDATE test_cases SET assertions = '[{"type": "is_json", "value": null}]'::jsonb WHERE id = $1`, [kept]);
    const again = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    const byName = Object.fromEntries((await queues.jobsOf(again, 2)).map((j) => [j.data.case.name, j.data]));
    expect(byName.kept.baseline_output).toBe('stored baseline of kept');
    expect(byName.edited.baseline_output).toBeNull();

    // Another model, or no baseline: nothing reused.
    const otherModel = (await startRun(draftId, { api_key: CANARY, model: 'gpt-4o' }).expect(202)).body.test_run_id as string;
    expect((await queues.jobsOf(otherModel, 2)).map((j) => j.data.baseline_output)).toEqual([null, null]);
    const ownBaseline = (await startRun(draftId, { api_key: CANARY, baseline_version_id: draftId }).expect(202)).body.test_run_id as string;
    expect((await queues.jobsOf(ownBaseline, 2)).map((j) => j.data.baseline?.version_id)).toEqual([draftId, draftId]);
    expect(liveId).not.toBe(draftId);
  });

  it('uses the environment judge, with the saved key of its provider sealed alongside', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one' });
    const judgeKey = 'sk-ant-canary-judge-key-77aa';
    await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/anthropic`)).set(t.admin.auth).send({ api_key: judgeKey }).expect(200);
    await request(h.http).patch(api(`/environments/${t.env.development}`)).set(t.admin.auth)
      .send({ judge: { provider: 'anthropic', model: 'claude-judge' } }).expect(200);
    try {
      const runId = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
      const [job] = (await queues.jobsOf(runId, 1)).map((j) => j.data);
      expect(job.judge).toEqual({ provider: 'anthropic', model: 'claude-judge' });
      expect(openSecret(ENCRYPTION_KEY, job.sealed_judge_key!, evalJobKeyBinding(runId, job.key_expires_at))).toBe(judgeKey);
      expect(JSON.stringify(job)).not.toContain(judgeKey);
    } finally {
      await request(h.http).patch(api(`/environments/${t.env.development}`)).set(t.admin.auth).send({ judge: null }).expect(200);
    }
  });

  it('lists a version\'s runs newest first without results, in pages', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id);
    const page1 = (await request(h.http).get(api(`/versions/${draftId}/test-runs?limit=2`)).set(t.viewer.auth).expect(200)).body;
    expect(page1.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.items[0]).not.toHaveProperty('results');
    const page2 = (await request(h.http).get(api(`/versions/${draftId}/test-runs?limit=2&cursor=${page1.next_cursor}`)).set(t.viewer.auth).expect(200)).body;
    expect(page2).toEqual({ items: [expect.objectContaining({ id: ids[0] })], next_cursor: null });
  });

  it('hides a run from a non-member (404)', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one' });
    const runId = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    const stranger = await makeTeam(h.http);
    expect((await request(h.http).get(api(`/test-runs/${runId}`)).set(stranger.viewer.auth).expect(404)).body.error.code).toBe('not_found');
  });

  it('the sweeper fails a run that has had no result for longer than its bound, keeping what it has', async () => {
    const { promptId, draftId } = await promptWithDraft();
    await addCase(h, t, promptId, { name: 'one' });
    await addCase(h, t, promptId, { name: 'two' });
    const runId = (await startRun(draftId, { api_key: CANARY }).expect(202)).body.test_run_id as string;
    const [first] = (await queues.jobsOf(runId, 2)).map((j) => j.data);
    await queues.sendResult(answered(first));
    const sweeper = h.app.get(TestRunSweeper);
    // 120 s plus 2 s for the one case still waiting: not yet at 100 s, stalled at 130 s.
    expect(await sweeper.sweep(new Date(Date.now() + 100_000))).toBe(0);
    expect((await runView(runId)).status).toBe('running');
    expect(await sweeper.sweep(new Date(Date.now() + 130_000))).toBeGreaterThanOrEqual(1);
    const view = await runView(runId);
    expect(view).toMatchObject({ status: 'failed', cases_done: 1, error: expect.stringMatching(/No case result arrived for 120 s/) });
    expect(view.results).toHaveLength(1);
    expect((await auditOf(h.dataSource, t.ws, runId)).map((e) => e.action)).toEqual(['test_run.failed']);
    expect((await eventsOf(runId)).map((e) => e.event_type)).toEqual(['test_run.failed']);
    // The lost job's result arriving after all changes nothing.
    const [, second] = (await queues.jobsOf(runId, 2)).map((j) => j.data);
    await queues.sendResult(answered(second));
    expect(await runView(runId)).toEqual(view);
  });
});

describe('test runs while Redis is away', () => {
  let h: RegistryHarness;
  let t: Team;

  beforeAll(async () => {
    h = await bootRegistry({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    t = await makeTeam(h.http);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 queue_unavailable and records the run failed (audited) instead of leaving it queued', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'down.runs');
    const draftId = await propose(h.http, t.editor, promptId, 'You are formal.');
    await addCase(h, t, promptId, { name: 'one' });
    const res = await request(h.http).post(api(`/versions/${draftId}/test-runs`)).set(t.editor.auth)
      .send({ provider: 'openai', model: 'gpt-4o-mini', api_key: CANARY }).expect(503);
    expect(res.body.error.code).toBe('queue_unavailable');
    expect(JSON.stringify(res.body)).not.toContain(CANARY);
    const [run] = (await request(h.http).get(api(`/versions/${draftId}/test-runs`)).set(t.viewer.auth).expect(200)).body.items;
    expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/could not be queued/), finished_at: expect.any(String) });
    expect((await auditOf(h.dataSource, t.ws, run.id)).map((e) => e.action)).toEqual(['test_run.failed']);
    expect(h.serverErrors.splice(0)).toEqual([`POST /api/v1/versions/${draftId}/test-runs -> 503`]);
  });
});
