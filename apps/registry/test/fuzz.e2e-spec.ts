import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import request from 'supertest';
import { describeFailures, hostileRequests, operationsOf, runFuzz, snapshotOf } from '../../../test/support/openapi-fuzz.js';
import { api, createPrompt, livePrompt, makeTeam, propose, submit, type Team } from './support/review-flow.js';
import { bootRegistry, TEST_PASSWORD, type RegistryHarness } from './support/registry.js';

/** Cases per run: `npm test` runs the default, `FUZZ_RUNS=100000 npm run fuzz` a longer one; `FUZZ_SEED` replays one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 7_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? Math.max(120_000, RUNS * 40));
jest.setTimeout(TIME_LIMIT_MS + 120_000);

describe('registry fuzzing from its OpenAPI document (issue 9, item 14)', () => {
  let h: RegistryHarness;
  let base: string;
  let t: Team;
  let stranger: Team;

  beforeAll(async () => {
    h = await bootRegistry();
    await new Promise<void>((resolve) => h.http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(h.http.address() as AddressInfo).port}`;
    [t, stranger] = await Promise.all([makeTeam(h.http), makeTeam(h.http)]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it(`answers ${RUNS} hostile requests over every operation without a 5xx, in the error shape, and refusals write nothing`, async () => {
    const http = h.http;
    const live = await livePrompt(http, t, 'development', 'fuzz.live', 'Hello {{name}}, welcome to {{product}}.');
    const second = await propose(http, t.editor, live.promptId, 'Hello {{name}}.');
    await submit(http, t.editor, second);
    const draft = await propose(http, t.editor, live.promptId, 'A draft.');
    const staged = await createPrompt(http, t.editor, t.env.staging, 'fuzz.staged');
    const foreign = await livePrompt(http, stranger, 'development', 'fuzz.foreign');
    const apiKey = await request(http).post(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).send({ name: 'fuzz' }).expect(201);
    const evalRun = await request(http).post(api(`/versions/${live.versionId}/evals`)).set(t.editor.auth).send({ mode: 'rules' });
    await request(http).put(api(`/workspaces/${t.ws}/provider-keys/openai`)).set(t.owner.auth).send({ api_key: 'sk-fuzz-0123456789' }).expect(200);
    // Subscribed to an event nothing here raises, at an address the guard refuses anyway: no delivery is ever tried.
    const [webhook] = await h.dataSource.query(
      `INSERT INTO webhooks (workspace_id, url, events, secret_encrypted) VALUES ($1, 'http://127.0.0.1:9/fuzz', '{eval.failed}', 'v1.unused') RETURNING id`,
      [t.ws]);

    const doc = (await request(http).get('/api/docs-json').expect(200)).body;
    const operations = operationsOf(doc);
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const everyone = [t.owner, t.admin, t.reviewer, t.editor, t.viewer];
    const requests = hostileRequests(operations, {
      pathValues: {
        workspaces: [t.ws, t.owner.workspaceId, stranger.ws],
        environments: [...Object.values(t.env), stranger.env.development],
        prompts: [live.promptId, staged.promptId, foreign.promptId],
        versions: [live.versionId, second, draft, staged.versionId, foreign.versionId],
        members: everyone.map((u) => u.user.id),
        'api-keys': [apiKey.body.id],
        webhooks: [webhook.id],
        evals: evalRun.status === 202 ? [evalRun.body.eval_id ?? evalRun.body.eval?.id ?? live.versionId] : [live.versionId],
        'provider-keys': ['openai', 'anthropic', 'google', 'groq', 'mistral', 'nope'],
        'by-key': ['fuzz.live', 'fuzz.staged', 'nope'],
      },
      fieldValues: {
        email: [...everyone.map((u) => u.user.email), 'fresh.fuzz@example.com', 'not-an-email'],
        password: [TEST_PASSWORD, 'wrong password!'],
        url: ['http://127.0.0.1:9/hook', 'http://localhost:9/x', 'http://[::1]:9/', 'http://10.0.0.1/', 'ftp://127.0.0.1/', '/relative', 'javascript:alert(1)', 'http://', 'not a url', 'http://user:pw@127.0.0.1/'],
        key: ['fuzz.live', 'fuzz.new', 'Bad Key', ''],
        version_num: [1, 2, 3, 99],
        target_environment_id: [t.env.staging, t.env.production, stranger.env.development],
        api_key: ['sk-fuzz-abcdefgh', 'short'],
      },
      auth: everyone.map((u) => u.auth.Authorization).concat(stranger.owner.auth.Authorization),
      badAuth: ['Bearer', 'Bearer x', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', `Bearer ${t.owner.token}x`, `Basic ${Buffer.from('a:b').toString('base64')}`, `bearer ${t.owner.token.slice(0, -2)}`],
    }, (op) => (op.path.startsWith('/api/v1/auth/') ? 0.2 : 1)); // signup and login hash passwords (scrypt): slow by design

    const report = await runFuzz({
      baseUrl: base, requests, runs: RUNS, seed: SEED, timeLimitMs: TIME_LIMIT_MS, snapshot: await snapshotOf(h.dataSource),
    });
    console.log(`registry fuzz: ${report.cases} cases in ${report.ms} ms (answers ${Math.round(report.requestMs!)} ms, snapshots ${Math.round(report.snapshotMs!)} ms; seed ${report.seed}), statuses ${JSON.stringify(report.statuses)}`);
    if (process.env.FUZZ_PROFILE) console.log(Object.entries(report.msByOperation!).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([o, ms]) => `${Math.round(ms)} ms ${o}`).join('\n'));
    expect(describeFailures(report)).toBe('');
    expect(report.interrupted).toBe(false);
    expect(report.cases).toBe(RUNS);
    // Every operation was reached, not only the cheap ones.
    expect(Object.keys(report.casesByOperation).sort()).toEqual(operations.map((op) => `${op.method} ${op.path}`).sort());
  });
});
