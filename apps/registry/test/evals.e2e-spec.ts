import request from 'supertest';
import { EVAL_REQUEST_JOB } from '#contracts';
import { randomBytes } from 'node:crypto';
import { evalJobKeyBinding, openSecret, providerKeyBinding, sealSecret } from '#domain';
import { TEST_ENCRYPTION_KEY, signup, useRegistry } from './support/registry.js';
import { EvalQueuesDouble, succeededResult } from './support/eval-queues.js';
import { api, approve, auditOf, createPrompt, makeTeam, submit, type Team } from './support/review-flow.js';

const ENCRYPTION_KEY = Buffer.from(TEST_ENCRYPTION_KEY, 'hex');

describe('evals through the queues', () => {
  const h = useRegistry();
  let t: Team;
  let queues: EvalQueuesDouble;
  let n = 0;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    queues = new EvalQueuesDouble(h.redisPrefix);
  });

  afterAll(async () => {
    await queues.close();
  });

  /** A draft version in the environment (development unless named). */
  const draft = async (environment: keyof Team['env'] = 'development', content?: string) => {
    n += 1;
    return createPrompt(h.http, t.editor, t.env[environment], `evals.prompt-${n}`, content);
  };
  const requestEval = (versionId: string, body: Record<string, unknown>, who = t.editor) =>
    request(h.http).post(api(`/versions/${versionId}/evals`)).set(who.auth).send(body);
  const evalView = async (evalId: string) => (await request(h.http).get(api(`/evals/${evalId}`)).set(t.viewer.auth).expect(200)).body;
  const evalsOf = async (versionId: string) =>
    (await request(h.http).get(api(`/versions/${versionId}/evals`)).set(t.viewer.auth).expect(200)).body.items as Array<Record<string, unknown>>;

  describe('a rules eval', () => {
    it('is recorded as queued, then sent to eval.requests with the version content and job options that keep nothing', async () => {
      const { versionId } = await draft('development', 'You are a careful translator.');
      const res = await requestEval(versionId, { mode: 'rules' }).expect(202);
      expect(res.body).toEqual({ eval_id: expect.any(String), status: 'queued' });
      const evalId = res.body.eval_id as string;

      const job = await queues.jobOf(evalId);
      expect(job.name).toBe(EVAL_REQUEST_JOB);
      expect(job.id).toBe(evalId);
      expect(job.data).toEqual({
        v: 1, mode: 'rules', eval_id: evalId, workspace_id: t.ws, version_id: versionId, content: 'You are a careful translator.',
      });
      expect(job.opts).toMatchObject({
        attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true, stackTraceLimit: 0,
      });
      const [row] = await h.dataSource.query(`SELECT status, requested_by, mode, provider FROM eval_runs WHERE id = $1`, [evalId]);
      expect(row).toEqual({ status: 'queued', requested_by: t.editor.user.id, mode: 'rules', provider: null });
    });

    it('shows running, then succeeded with score and dimensions; the version shows it as last_eval and the audit has eval.completed', async () => {
      const { versionId } = await draft();
      const evalId = (await requestEval(versionId, { mode: 'rules' }).expect(202)).body.eval_id as string;
      expect(await evalView(evalId)).toMatchObject({ status: 'queued', score: null, started_at: null, finished_at: null });

      expect((await queues.sendResult({ v: 1, status: 'running', eval_id: evalId, started_at: '2025-04-01T09:59:59.000Z' })).state).toBe('completed');
      expect(await evalView(evalId)).toMatchObject({ status: 'running', started_at: '2025-04-01T09:59:59.000Z', finished_at: null });

      expect((await queues.sendResult(succeededResult(evalId, 7.5))).state).toBe('completed');
      const view = await evalView(evalId);
      expect(view).toEqual({
        id: evalId, version_id: versionId, mode: 'rules', provider: null, model: null, status: 'succeeded', score: 7.5,
        dimensions: expect.any(Array), suggestions: ['Say who the assistant is.'], error: null,
        created_at: expect.any(String), started_at: '2025-04-01T09:59:59.000Z', finished_at: '2025-04-01T10:00:01.000Z',
      });
      expect(view.dimensions).toHaveLength(8);
      expect(view.dimensions[0]).toEqual({ name: 'role_clarity', score: 7.5, reason: 'role_clarity reason', suggestion: 'Improve role_clarity.' });
      expect(view.dimensions[1]).toEqual({ name: 'instruction_quality', score: 7.5, reason: 'instruction_quality reason' });

      const version = (await request(h.http).get(api(`/versions/${versionId}`)).set(t.viewer.auth).expect(200)).body;
      expect(version.last_eval).toMatchObject({ id: evalId, score: 7.5, mode: 'rules' });
      expect(await auditOf(h.dataSource, t.ws, evalId)).toEqual([expect.objectContaining({
        action: 'eval.completed', resource_type: 'eval', resource_id: evalId,
        extra: { version_id: versionId, mode: 'rules', provider: null, model: null, score: 7.5 },
      })]);
    });

    it('stores a final result delivered twice once, and ignores a late running or a contradicting result', async () => {
      const { versionId } = await draft();
      const evalId = (await requestEval(versionId, { mode: 'rules' }).expect(202)).body.eval_id as string;
      await queues.jobOf(evalId);
      expect((await queues.sendResult(succeededResult(evalId, 6))).state).toBe('completed');
      const first = await evalView(evalId);

      expect((await queues.sendResult(succeededResult(evalId, 6))).state).toBe('completed');
      expect((await queues.sendResult(succeededResult(evalId, 9, { finished_at: '2025-04-02T00:00:00.000Z' }))).state).toBe('completed');
      expect((await queues.sendResult({
        v: 1, status: 'failed', eval_id: evalId, model: null, error: 'late failure', started_at: '2025-04-01T10:00:00.000Z', finished_at: '2025-04-03T00:00:00.000Z',
      })).state).toBe('completed');
      expect((await queues.sendResult({ v: 1, status: 'running', eval_id: evalId, started_at: '2025-04-04T00:00:00.000Z' })).state).toBe('completed');

      expect(await evalView(evalId)).toEqual(first);
      expect((await auditOf(h.dataSource, t.ws, evalId)).map((e) => e.action)).toEqual(['eval.completed']);
      expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM eval_runs WHERE version_id = $1`, [versionId])).toEqual([{ n: 1 }]);
    });

    it('records a failed result with its error, audited as eval.failed', async () => {
      const { versionId } = await draft();
      const evalId = (await requestEval(versionId, { mode: 'rules' }).expect(202)).body.eval_id as string;
      expect((await queues.sendResult({
        v: 1, status: 'failed', eval_id: evalId, model: null, error: 'The prompt could not be scored.',
        started_at: '2025-04-01T10:00:00.000Z', finished_at: '2025-04-01T10:00:02.000Z',
      })).state).toBe('completed');
      expect(await evalView(evalId)).toMatchObject({
        status: 'failed', score: null, error: 'The prompt could not be scored.', dimensions: [], finished_at: '2025-04-01T10:00:02.000Z',
      });
      const version = (await request(h.http).get(api(`/versions/${versionId}`)).set(t.viewer.auth).expect(200)).body;
      expect(version.last_eval).toMatchObject({ id: evalId, score: null, mode: 'rules' });
      expect(await auditOf(h.dataSource, t.ws, evalId)).toEqual([expect.objectContaining({
        action: 'eval.failed', extra: { version_id: versionId, mode: 'rules', provider: null, error: 'The prompt could not be scored.' },
      })]);
    });

    it.each([
      ['a score above 10', (id: string) => succeededResult(id, 11), undefined],
      ['an unknown status', (id: string) => ({ v: 1, status: 'done', eval_id: id }), undefined],
      ['a payload of another version', (id: string) => ({ ...succeededResult(id, 5), v: 2 }), undefined],
      ['an unknown job name', (id: string) => succeededResult(id, 5), 'eval.result.v0'],
    ])('fails a result with %s at once, without retry, and changes nothing', async (_what, result, name) => {
      const { versionId } = await draft();
      const evalId = (await requestEval(versionId, { mode: 'rules' }).expect(202)).body.eval_id as string;
      const before = await evalView(evalId);
      const { state, job } = await queues.sendResult(result(evalId), name);
      expect(state).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/malformed eval result|unknown job name/);
      expect(await evalView(evalId)).toEqual(before);
      expect(await auditOf(h.dataSource, t.ws, evalId)).toEqual([]);
    });

    it('lists a version\'s evals newest first, in pages', async () => {
      const { versionId } = await draft();
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) ids.push((await requestEval(versionId, { mode: 'rules' }).expect(202)).body.eval_id);
      expect((await evalsOf(versionId)).map((e) => e.id)).toEqual([...ids].reverse());
      const page1 = await request(h.http).get(api(`/versions/${versionId}/evals?limit=2`)).set(t.viewer.auth).expect(200);
      expect(page1.body.items.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
      const page2 = await request(h.http).get(api(`/versions/${versionId}/evals`)).query({ limit: 2, cursor: page1.body.next_cursor }).set(t.viewer.auth).expect(200);
      expect(page2.body).toEqual({ items: [expect.objectContaining({ id: ids[0], status: 'queued' })], next_cursor: null });
    });
  });

  describe('requests that are refused', () => {
    let versionId: string;
    beforeAll(async () => {
      versionId = (await draft()).versionId;
    });

    it.each([
      ['an unknown field', { mode: 'rules', priority: 1 }],
      ['an unknown mode', { mode: 'vibes' }],
      ['a rules eval with a provider', { mode: 'rules', provider: 'openai' }],
      ['a rules eval with an api_key', { mode: 'rules', api_key: 'sk-test-12345678' }],
      ['a judge eval without a provider', { mode: 'judge', api_key: 'sk-test-12345678' }],
      ['a judge eval with an unknown provider', { mode: 'judge', provider: 'acme', api_key: 'sk-test-12345678' }],
      ['a judge eval with a short api_key', { mode: 'judge', provider: 'openai', api_key: 'short' }],
    ])('refuses %s with 400 and records nothing', async (_what, body) => {
      const res = await requestEval(versionId, body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(await evalsOf(versionId)).toEqual([]);
    });

    it('needs the editor role: a viewer gets 403, an outsider 404, for the eval and the version', async () => {
      expect((await requestEval(versionId, { mode: 'rules' }, t.viewer).expect(403)).body.error.code).toBe('forbidden');
      const outsider = await signup(h.http);
      await requestEval(versionId, { mode: 'rules' }, outsider).expect(404);
      const evalId = (await requestEval(versionId, { mode: 'rules' }).expect(202)).body.eval_id;
      await request(h.http).get(api(`/evals/${evalId}`)).set(outsider.auth).expect(404);
      await request(h.http).get(api(`/versions/${versionId}/evals`)).set(outsider.auth).expect(404);
      await request(h.http).get(api('/evals/not-a-uuid')).set(t.viewer.auth).expect(400);
      await request(h.http).get(api('/evals/00000000-0000-4000-8000-000000000000')).set(t.viewer.auth).expect(404);
    });
  });

  describe('a judge eval', () => {
    const givenKey = 'sk-given-canary-0123456789abcdef';
    const savedKey = 'sk-saved-canary-fedcba9876543210';

    it('seals the given key into the job, bound to the job id and expiry; the key is nowhere in the job, the row or the audit', async () => {
      const { versionId } = await draft('development', 'You judge haiku.');
      const requestedAt = Date.now();
      const evalId = (await requestEval(versionId, { mode: 'judge', provider: 'openai', model: 'gpt-test', api_key: givenKey }).expect(202)).body.eval_id;
      const job = await queues.jobOf(evalId);
      expect(job.data).toMatchObject({
        v: 1, mode: 'judge', eval_id: evalId, version_id: versionId, workspace_id: t.ws, content: 'You judge haiku.',
        provider: 'openai', model: 'gpt-test',
      });
      if (job.data.mode !== 'judge') throw new Error('not a judge job');
      const expiresIn = Date.parse(job.data.key_expires_at) - requestedAt;
      expect(expiresIn).toBeGreaterThan(29 * 60_000);
      expect(expiresIn).toBeLessThan(31 * 60_000);
      expect(openSecret(ENCRYPTION_KEY, job.data.sealed_key, evalJobKeyBinding(job.id, job.data.key_expires_at))).toBe(givenKey);
      expect(() => openSecret(ENCRYPTION_KEY, job.data.mode === 'judge' ? job.data.sealed_key : '', evalJobKeyBinding(job.id, '2099-01-01T00:00:00.000Z'))).toThrow();
      expect(JSON.stringify(job)).not.toContain(givenKey);

      const rows = await h.dataSource.query(`SELECT row_to_json(e)::text AS row FROM eval_runs e WHERE id = $1`, [evalId]);
      expect(rows[0].row).not.toContain(givenKey);
      expect(await h.dataSource.query(`SELECT provider, model FROM eval_runs WHERE id = $1`, [evalId])).toEqual([{ provider: 'openai', model: 'gpt-test' }]);
      await queues.sendResult(succeededResult(evalId, 8, { model: 'gpt-other' }));
      expect(await evalView(evalId)).toMatchObject({ status: 'succeeded', mode: 'judge', provider: 'openai', model: 'gpt-test' });
      const audit = await h.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE extra::text LIKE $1`, [`%${givenKey}%`]);
      expect(audit).toEqual([{ n: 0 }]);
    });

    it('records the model the worker reports when none was asked for', async () => {
      const { versionId } = await draft();
      const evalId = (await requestEval(versionId, { mode: 'judge', provider: 'groq', api_key: givenKey }).expect(202)).body.eval_id;
      expect((await queues.jobOf(evalId)).data).toMatchObject({ provider: 'groq', model: null });
      await queues.sendResult(succeededResult(evalId, 8, { model: 'llama-default' }));
      expect(await evalView(evalId)).toMatchObject({ model: 'llama-default' });
      expect((await auditOf(h.dataSource, t.ws, evalId))[0].extra).toMatchObject({ mode: 'judge', provider: 'groq', model: 'llama-default', score: 8 });
    });

    it('uses the workspace\'s saved key without api_key, and is 422 provider_key_missing with neither', async () => {
      const { versionId } = await draft();
      const missing = await requestEval(versionId, { mode: 'judge', provider: 'mistral' }).expect(422);
      expect(missing.body.error.code).toBe('provider_key_missing');
      expect(await evalsOf(versionId)).toEqual([]);

      await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/mistral`)).set(t.admin.auth).send({ api_key: savedKey }).expect(200);
      const evalId = (await requestEval(versionId, { mode: 'judge', provider: 'mistral' }).expect(202)).body.eval_id;
      const job = await queues.jobOf(evalId);
      if (job.data.mode !== 'judge') throw new Error('not a judge job');
      expect(openSecret(ENCRYPTION_KEY, job.data.sealed_key, evalJobKeyBinding(job.id, job.data.key_expires_at))).toBe(savedKey);
      expect(JSON.stringify(job)).not.toContain(savedKey);
    });

    it('is 422 provider_key_unreadable, not a 500, when the saved key was sealed under another ENCRYPTION_KEY', async () => {
      const { versionId } = await draft();
      await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/google`)).set(t.admin.auth).send({ api_key: savedKey }).expect(200);
      const foreign = sealSecret(randomBytes(32), savedKey, providerKeyBinding(t.ws, 'google'));
      await h.dataSource.query(`UPDATE provider_keys SET key_encrypted = $1 WHERE workspace_id = $2 AND provider = 'google'`, [foreign, t.ws]);
      const res = await requestEval(versionId, { mode: 'judge', provider: 'google' }).expect(422);
      expect(res.body.error.code).toBe('provider_key_unreadable');
      expect(JSON.stringify(res.body)).not.toContain(savedKey);
      expect(await evalsOf(versionId)).toEqual([]);
    });

    it('asks for the environment judge\'s model when the provider matches it, else for none', async () => {
      await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth)
        .send({ judge: { provider: 'anthropic', model: 'claude-env-model' } }).expect(200);
      try {
        const { versionId } = await draft('staging');
        const same = (await requestEval(versionId, { mode: 'judge', provider: 'anthropic', api_key: givenKey }).expect(202)).body.eval_id;
        const other = (await requestEval(versionId, { mode: 'judge', provider: 'openai', api_key: givenKey }).expect(202)).body.eval_id;
        expect((await queues.jobOf(same)).data).toMatchObject({ provider: 'anthropic', model: 'claude-env-model' });
        expect((await queues.jobOf(other)).data).toMatchObject({ provider: 'openai', model: null });
      } finally {
        await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth).send({ judge: null }).expect(200);
      }
    });
  });

  describe('the judge model name', () => {
    const givenKey = 'sk-given-canary-0123456789abcdef';

    it.each([
      ['google', '../../v1/files/x'],
      ['google', 'tunedModels/mine'],
      ['groq', '../../openai/v1/models'],
      ['openai', 'a..b'],
      ['anthropic', 'claude\u0000'],
      ['mistral', 'mistral-smäll'],
      ['openai', 'a'.repeat(201)],
      ['openai', ''],
    ])('refuses %s %j with 400 validation_failed naming model, and queues nothing', async (provider, model) => {
      const { versionId } = await draft();
      const res = await requestEval(versionId, { mode: 'judge', provider, model, api_key: givenKey }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['model']);
      expect(await evalsOf(versionId)).toEqual([]);
      expect(queues.jobsOfVersion(versionId)).toEqual([]);
    });

    it('takes Groq\'s slash names', async () => {
      const { versionId } = await draft();
      const model = 'meta-llama/llama-4-scout-17b-16e-instruct';
      const evalId = (await requestEval(versionId, { mode: 'judge', provider: 'groq', model, api_key: givenKey }).expect(202)).body.eval_id;
      expect((await queues.jobOf(evalId)).data).toMatchObject({ provider: 'groq', model });
    });

    it('refuses an environment judge whose model breaks the rule, naming judge.model', async () => {
      for (const judge of [{ provider: 'google', model: '../../v1/files/x' }, { provider: 'google', model: 'a/b' }, { provider: 'openai', model: 'x..y' }]) {
        const res = await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth).send({ judge }).expect(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['judge.model']);
      }
      const [row] = await h.dataSource.query(`SELECT judge_provider, judge_model FROM environments WHERE id = $1`, [t.env.staging]);
      expect(row).toEqual({ judge_provider: null, judge_model: null });
      await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth)
        .send({ judge: { provider: 'groq', model: 'openai/gpt-oss-120b' } }).expect(200);
      await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth).send({ judge: null }).expect(200);
    });

    it('refuses an eval whose model would come from an environment judge stored before the rule, and queues nothing', async () => {
      await h.dataSource.query(`UPDATE environments SET judge_provider = 'google', judge_model = '../../v1/files/x' WHERE id = $1`, [t.env.staging]);
      try {
        const { versionId } = await draft('staging');
        const res = await requestEval(versionId, { mode: 'judge', provider: 'google', api_key: givenKey }).expect(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['model']);
        expect(await evalsOf(versionId)).toEqual([]);
        expect(queues.jobsOfVersion(versionId)).toEqual([]);
      } finally {
        await h.dataSource.query(`UPDATE environments SET judge_provider = NULL, judge_model = NULL WHERE id = $1`, [t.env.staging]);
      }
    });
  });

  describe('submitting a version', () => {
    const modesQueuedFor = async (versionId: string) => {
      const evals = await evalsOf(versionId);
      for (const e of evals) await queues.jobOf(e.id as string);
      return evals.map((e) => e.mode).sort();
    };

    it('queues a rules eval requested by the submitter', async () => {
      const { versionId } = await draft('development', 'Submitted content.');
      await submit(h.http, t.editor, versionId);
      expect(await modesQueuedFor(versionId)).toEqual(['rules']);
      const [job] = queues.jobsOfVersion(versionId);
      expect(job.data).toMatchObject({ mode: 'rules', content: 'Submitted content.' });
      expect(await h.dataSource.query(`SELECT requested_by FROM eval_runs WHERE version_id = $1`, [versionId])).toEqual([{ requested_by: t.editor.user.id }]);
    });

    it('queues a judge eval too where the environment has a judge and a key is saved for it, and only then', async () => {
      await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth)
        .send({ judge: { provider: 'google', model: 'gemini-env' } }).expect(200);
      try {
        const withoutKey = (await draft('staging')).versionId;
        await submit(h.http, t.editor, withoutKey);
        expect(await modesQueuedFor(withoutKey)).toEqual(['rules']);

        await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/google`)).set(t.admin.auth).send({ api_key: 'google-saved-key-123' }).expect(200);
        const withKey = (await draft('staging')).versionId;
        await submit(h.http, t.editor, withKey);
        expect(await modesQueuedFor(withKey)).toEqual(['judge', 'rules']);
        const judge = queues.jobsOfVersion(withKey).find((j) => j.data.mode === 'judge')!;
        expect(judge.data).toMatchObject({ provider: 'google', model: 'gemini-env' });
      } finally {
        await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth).send({ judge: null }).expect(200);
      }
    });
  });

  describe('the eval gate, fed by results', () => {
    beforeAll(async () => {
      await request(h.http).patch(api(`/environments/${t.env.staging}`)).set(t.admin.auth)
        .send({ eval_required: true, eval_pass_threshold: 7 }).expect(200);
    });

    const submittedWithScore = async (score: number) => {
      const { versionId } = await draft('staging');
      await submit(h.http, t.editor, versionId);
      const [rules] = await evalsOf(versionId);
      expect((await approve(h.http, t.reviewer, versionId)).body.error.code).toBe('eval_required');
      expect((await queues.sendResult(succeededResult(rules.id as string, score))).state).toBe('completed');
      return versionId;
    };

    it('approves a version whose rules eval scored 8', async () => {
      const versionId = await submittedWithScore(8);
      const res = await approve(h.http, t.reviewer, versionId).expect(200);
      expect(res.body.version).toMatchObject({ status: 'approved', last_eval: { score: 8, mode: 'rules' } });
    });

    it('refuses one whose rules eval scored 4 with 422 eval_below_threshold', async () => {
      const versionId = await submittedWithScore(4);
      const res = await approve(h.http, t.reviewer, versionId).expect(422);
      expect(res.body.error.code).toBe('eval_below_threshold');
    });
  });
});
