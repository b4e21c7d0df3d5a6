import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { loadWorkerConfig } from '#config';
import { JUDGE_CRITERION_NAMES, RULE_DIMENSIONS } from '#domain';
import { createWorker, type RunningWorker } from '../apps/eval-worker/src/app.factory.js';
import { bootRegistry, TEST_ENCRYPTION_KEY, type RegistryHarness } from '../apps/registry/test/support/registry.js';
import { api, auditOf, createPrompt, makeTeam, submit, type Team } from '../apps/registry/test/support/review-flow.js';
import { redisNamespaceText } from './support/eval-queues.js';
import { judgeAnswerText, startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { TEST_REDIS_URL } from './support/redis.js';

const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;

/** A pg_dump of the whole test database (schema and data), to search for secrets. */
async function databaseDump(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', '--data-only', url], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/**
 * The registry and the eval worker together: an eval requested through the API is run by the real
 * worker (the judge through the real SDKs against the fake provider) and its score stored.
 */
describe('evals from the registry through the worker', () => {
  let registry: RegistryHarness;
  let worker: RunningWorker;
  let fake: FakeProviders;
  let t: Team;
  const workerLog: string[] = [];
  const registryLog: string[] = [];
  let n = 0;

  const draft = async (content: string) => {
    n += 1;
    return createPrompt(registry.http, t.editor, t.env.development, `worker.prompt-${n}`, content);
  };
  const evalView = async (evalId: string) => (await request(registry.http).get(api(`/evals/${evalId}`)).set(t.viewer.auth).expect(200)).body;
  const finished = async (evalId: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const view = await evalView(evalId);
      if (view.status === 'succeeded' || view.status === 'failed') return view;
      if (Date.now() > deadline) throw new Error(`eval ${evalId} still ${view.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  beforeAll(async () => {
    fake = await startFakeProviders();
    registry = await bootRegistry({ LOG_LEVEL: 'debug' }, { logDestination: { write: (line: string) => { registryLog.push(line); } } });
    worker = await createWorker(loadWorkerConfig({
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: registry.config.DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: registry.redisPrefix,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      WORKER_HEALTH_PORT: '0',
      JUDGE_RETRY_BASE_MS: '20',
      ...fake.env,
    }), { logDestination: { write: (line: string) => { workerLog.push(line); } } });
    t = await makeTeam(registry.http);
  });

  beforeEach(() => {
    fake.reset();
    fake.answer = () => judgeAnswerText(JUDGE_CRITERION_NAMES, 6, ['Say what to do with an empty question.']);
  });

  afterAll(async () => {
    await worker?.close();
    await registry?.close();
    await fake?.close();
  });

  it('stores the rules score of a submitted version, with the eight dimensions and one eval.completed entry', async () => {
    const { versionId } = await draft('You are a billing assistant. Answer in JSON with "answer" and "confidence".');
    await submit(registry.http, t.editor, versionId);
    const [queued] = (await registry.dataSource.query(`SELECT id FROM eval_runs WHERE version_id = $1`, [versionId])) as { id: string }[];
    const view = await finished(queued.id);
    expect(view).toMatchObject({ mode: 'rules', status: 'succeeded', model: null, error: null });
    expect(view.dimensions.map((d: { name: string }) => d.name)).toEqual([...RULE_DIMENSIONS]);
    expect((await auditOf(registry.dataSource, t.ws, queued.id)).map((a) => a.action)).toEqual(['eval.completed']);
  });

  it('runs a judge eval with a bring-your-own key and stores the judged criteria', async () => {
    const { versionId } = await draft('You are a translator from English to French.');
    const res = await request(registry.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
      .send({ mode: 'judge', provider: 'google', api_key: CANARY }).expect(202);
    const view = await finished(res.body.eval_id);
    expect(view).toMatchObject({ mode: 'judge', provider: 'google', model: 'gemini-2.0-flash', status: 'succeeded', score: 6, suggestions: ['Say what to do with an empty question.'] });
    expect(view.dimensions.map((d: { name: string }) => d.name)).toEqual([...JUDGE_CRITERION_NAMES]);
    expect(fake.requests.map((r) => [r.provider, r.key])).toEqual([['google', CANARY]]);
    expect(fake.requests[0].text).toContain('You are a translator from English to French.');
  });

  it('scores a chat version on its messages: a role in a system message counts, placeholders parameterise, and the judge sees the rendering', async () => {
    n += 1;
    const created = await request(registry.http).post(api(`/environments/${t.env.development}/prompts`)).set(t.editor.auth).send({
      key: `worker.chat-${n}`, type: 'chat', config: { model: 'gpt-4o-mini' },
      messages: [
        { role: 'user', content: 'Context first. '.repeat(40) },
        { role: 'system', content: 'You are a billing assistant for {{company}}. Answer in at most 3 sentences.' },
        { role: 'placeholder', name: 'history' },
        { role: 'user', content: '{{question}}' },
      ],
    }).expect(201);
    const versionId = created.body.version.id as string;
    await submit(registry.http, t.editor, versionId);
    const [queued] = (await registry.dataSource.query(`SELECT id FROM eval_runs WHERE version_id = $1`, [versionId])) as { id: string }[];
    const view = await finished(queued.id);
    const byName = Object.fromEntries(view.dimensions.map((d: { name: string; score: number; reason: string }) => [d.name, d]));
    expect(byName.role_clarity).toMatchObject({ score: 10, reason: expect.stringContaining('system message') });
    expect(byName.variable_usage.reason).toContain('1 placeholder for messages (history)');

    const judged = await request(registry.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
      .send({ mode: 'judge', provider: 'openai', api_key: CANARY }).expect(202);
    expect((await finished(judged.body.eval_id)).status).toBe('succeeded');
    // The request body as sent (JSON): the rubric's user message holds the messages rendered as the diff renders them.
    const sent = fake.requests.at(-1)!.text;
    expect(sent).toContain(JSON.stringify('[system]\nYou are a billing assistant for {{company}}.').slice(1, -1));
    expect(sent).toContain(JSON.stringify('\n[placeholder:history]\n[user]\n{{question}}\n').slice(1, -1));
  });

  it('refuses a judge model name that would reach Google\'s URL path: 400 naming model, no eval, no provider request', async () => {
    const { versionId } = await draft('You are a librarian.');
    for (const model of ['../../v1/files/x', 'tunedModels/mine', 'a..b']) {
      const res = await request(registry.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
        .send({ mode: 'judge', provider: 'google', model, api_key: CANARY }).expect(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'model' }] });
    }
    // A good request after the refused ones: once it has finished, the worker has had every chance to call.
    const ok = await request(registry.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
      .send({ mode: 'judge', provider: 'google', model: 'gemini-2.5-flash', api_key: CANARY }).expect(202);
    expect(await finished(ok.body.eval_id)).toMatchObject({ status: 'succeeded', model: 'gemini-2.5-flash' });
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1beta/models/gemini-2.5-flash:generateContent']);
    expect(await registry.dataSource.query(`SELECT count(*)::int AS n FROM eval_runs WHERE version_id = $1`, [versionId])).toEqual([{ n: 1 }]);
  });

  it('stores a provider refusal as a failed eval whose error carries no key', async () => {
    fake.failNext(1, 401);
    const { versionId } = await draft('You are a poet.');
    const res = await request(registry.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
      .send({ mode: 'judge', provider: 'anthropic', model: 'claude-haiku-4-5', api_key: CANARY }).expect(202);
    const view = await finished(res.body.eval_id);
    expect(view).toMatchObject({ status: 'failed', score: null, model: 'claude-haiku-4-5', error: 'anthropic answered 401 (authentication failed)' });
    expect((await auditOf(registry.dataSource, t.ws, res.body.eval_id)).map((a) => a.action)).toEqual(['eval.failed']);
  });

  it('leaves the key nowhere: not in a pg_dump, a Redis key or value, or a log line of either service', async () => {
    expect(fake.requests).toHaveLength(0);
    expect(workerLog.some((l) => l.includes('eval failed'))).toBe(true);
    expect(workerLog.join('')).not.toContain(CANARY);
    expect(registryLog.length).toBeGreaterThan(0);
    expect(registryLog.join('')).not.toContain(CANARY);
    const dump = await databaseDump(registry.db.ownerUrl);
    expect(dump).toContain('anthropic answered 401');
    expect(dump).not.toContain(CANARY);
    expect(await redisNamespaceText(TEST_REDIS_URL, registry.redisPrefix)).not.toContain(CANARY);
  });
});
