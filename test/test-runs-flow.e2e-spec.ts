import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { loadWorkerConfig } from '#config';
import { createWorker, type RunningWorker } from '../apps/eval-worker/src/app.factory.js';
import { bootRegistry, TEST_ENCRYPTION_KEY, type RegistryHarness } from '../apps/registry/test/support/registry.js';
import { api, approve, auditOf, makeTeam, submit, type Team } from '../apps/registry/test/support/review-flow.js';
import { redisNamespaceText } from './support/eval-queues.js';
import { startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { TEST_REDIS_URL } from './support/redis.js';

const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;

/**
 * Issue 14 end to end: test cases through the registry's API, test runs through the real queues to
 * the real eval worker, whose provider SDKs talk to the fake provider (deterministic answers from
 * the prompt sent: a system message asking for a formal tone gets "Dear customer ... Kind regards"),
 * and the test gate on approval in production.
 */
describe('a tone regression caught by a test run and refused by the gate, then fixed and approved', () => {
  let registry: RegistryHarness;
  let worker: RunningWorker;
  let fake: FakeProviders;
  let t: Team;
  const logs: string[] = [];
  const http = () => registry.http;

  beforeAll(async () => {
    fake = await startFakeProviders();
    registry = await bootRegistry({ LOG_LEVEL: 'debug' }, { logDestination: { write: (line: string) => { logs.push(line); } } });
    worker = await createWorker(loadWorkerConfig({
      APP_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: registry.config.DATABASE_URL, REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: registry.redisPrefix, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, WORKER_HEALTH_PORT: '0', JUDGE_RETRY_BASE_MS: '20',
      ...fake.env,
    }), { logDestination: { write: (line: string) => { logs.push(line); } } });
    t = await makeTeam(registry.http);
    await request(http()).patch(api(`/environments/${t.env.production}`)).set(t.admin.auth).send({ tests_required: true }).expect(200);
  });
  afterAll(async () => {
    await worker?.close();
    await registry?.close();
    await fake?.close();
  });

  const runOf = async (versionId: string) => {
    const res = await request(http()).post(api(`/versions/${versionId}/test-runs`)).set(t.editor.auth)
      .send({ provider: 'openai', model: 'gpt-4o-mini', api_key: CANARY });
    if (res.status !== 202) throw new Error(`test run answered ${res.status}: ${JSON.stringify(res.body)}`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = (await request(http()).get(api(`/test-runs/${res.body.test_run_id}`)).set(t.viewer.auth).expect(200)).body;
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      if (Date.now() > deadline) throw new Error(`run still ${run.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const propose = async (promptId: string, content: string) =>
    (await request(http()).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth).send({ content }).expect(201)).body.version.id as string;

  it('runs the cases against the live baseline, refuses the regression with 422 tests_failed and approves the fix', async () => {
    const created = await request(http()).post(api(`/environments/${t.env.production}/prompts`)).set(t.editor.auth).send({
      key: 'support.tone', content: 'You are a formal support agent for Acme. Answer every customer formally.',
      config: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2 },
    }).expect(201);
    const promptId = created.body.prompt.id as string;
    const v1 = created.body.version.id as string;
    for (const body of [
      { name: 'late order', input: 'Where is my order 4471? It is late.', assertions: [{ type: 'contains', value: 'dear' }, { type: 'judge', value: 'addresses the customer formally' }] },
      { name: 'no slang', input: 'Can I change my address?', assertions: [{ type: 'not_contains', value: 'hey' }, { type: 'max_chars', value: 400 }] },
    ]) {
      await request(http()).post(api(`/prompts/${promptId}/test-cases`)).set(t.editor.auth).send(body).expect(201);
    }

    await submit(http(), t.editor, v1);
    const noRun = await approve(http(), t.reviewer, v1);
    expect([noRun.status, noRun.body.error.code]).toEqual([422, 'tests_required']);
    const first = await runOf(v1);
    expect(first).toMatchObject({ status: 'succeeded', baseline_version_id: null, cases_total: 2, cases_done: 2, cases_passed: 2, regressions: 0 });
    expect(first.results.map((r: { verdict: string | null }) => r.verdict)).toEqual([null, null]);
    await approve(http(), t.reviewer, v1).expect(200);

    // The tone change: friendlier words, a casual answer; the formal assertion and the judge catch it.
    const v2 = await propose(promptId, 'You are a friendly, casual support agent for Acme. Keep it relaxed.');
    await submit(http(), t.editor, v2);
    const second = await runOf(v2);
    expect(second).toMatchObject({ status: 'succeeded', baseline_version_id: v1, cases_total: 2, cases_passed: 0, regressions: 2 });
    const late = second.results.find((r: { name: string }) => r.name === 'late order');
    expect(late.output).toMatch(/^Hey there!/);
    expect(late.baseline_output).toMatch(/^Dear customer/);
    expect(late.assertions.map((a: { type: string; passed: boolean }) => [a.type, a.passed])).toEqual([['contains', false], ['judge', false]]);
    expect(late.verdict).toBe('regressed');
    expect(late.reason).toContain('formal');
    const refused = await approve(http(), t.reviewer, v2);
    expect([refused.status, refused.body.error.code]).toEqual([422, 'tests_failed']);

    await request(http()).post(api(`/versions/${v2}/reject`)).set(t.reviewer.auth).send({ note: 'Lost the formal tone' }).expect(200);
    const v3 = await propose(promptId, 'You are a formal support agent for Acme. Answer formally and kindly, in two sentences.');
    await submit(http(), t.editor, v3);
    const third = await runOf(v3);
    expect(third).toMatchObject({ status: 'succeeded', baseline_version_id: v1, cases_passed: 2, regressions: 0 });
    const approved = await approve(http(), t.reviewer, v3).expect(200);
    expect(approved.body.version.status).toBe('approved');
    const entry = (await auditOf(registry.dataSource, t.ws, v3)).find((a) => a.action === 'version.approved');
    expect(entry?.extra).toMatchObject({ test_run_id: third.id });
    expect((await auditOf(registry.dataSource, t.ws, third.id)).map((a) => a.action)).toEqual(['test_run.completed']);
  });

  it('leaves the bring-your-own key nowhere: not in Redis, a pg_dump or a log line', async () => {
    expect(fake.requests.some((r) => r.key === CANARY)).toBe(true);
    expect(await redisNamespaceText(TEST_REDIS_URL, registry.redisPrefix)).not.toContain(CANARY);
    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', '--data-only', registry.db.ownerUrl], { maxBuffer: 256 * 1024 * 1024 });
    expect(stdout).not.toContain(CANARY);
    expect(logs.join('\n')).not.toContain(CANARY);
  });
});
