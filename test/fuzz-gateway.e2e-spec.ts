import { jest } from '@jest/globals';
import { livePrompt, makeTeam } from '../apps/registry/test/support/review-flow.js';
import { describeFailures, hostileRequests, runFuzz, snapshotOf, type FuzzOperation } from './support/openapi-fuzz.js';
import { bootStack, issueApiKey, revokeApiKey, type Stack } from './support/stack.js';

/** Cases per run: `npm test` runs the default, `FUZZ_RUNS=100000 npm run fuzz` a longer one; `FUZZ_SEED` replays one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? Math.max(60_000, RUNS * 30));
jest.setTimeout(TIME_LIMIT_MS + 120_000);

const text = { type: 'string' };
/** The gateway has no OpenAPI document: its routes as API.md documents them. */
const GATEWAY_OPERATIONS: FuzzOperation[] = [
  { method: 'GET', path: '/v1/serve/{key}', query: { vars: text, format: { type: 'string', enum: ['json'] }, version: { type: 'integer', minimum: 1 } } },
  {
    method: 'POST', path: '/v1/serve/{key}', query: { version: { type: 'integer', minimum: 1 } },
    body: {
      type: 'object',
      properties: {
        variables: { type: 'object', example: { name: 'Ana', product: 'Promptgate' } },
        placeholders: { type: 'object', example: { history: [{ role: 'user', content: 'hi' }] } },
      },
    },
  },
  { method: 'GET', path: '/v1/prompts', query: { limit: { type: 'integer', minimum: 1, maximum: 200 }, cursor: text } },
  { method: 'GET', path: '/health', query: {} },
  { method: 'GET', path: '/ready', query: {} },
];

describe('gateway fuzzing over its documented routes (issue 9, item 14)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await bootStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers a request line over 16 KiB (refused by the HTTP parser) in the error shape', async () => {
    const res = await fetch(`${stack.gateways[0].url}/v1/serve/fuzz.text?vars=name=${'a'.repeat(17 * 1024)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { error: unknown }).error).toEqual({ code: expect.any(String), message: expect.any(String) });
  });

  it(`answers ${RUNS} hostile requests without a 5xx, in the error shape, and refusals write nothing`, async () => {
    const http = stack.registry.http;
    const t = await makeTeam(http);
    await livePrompt(http, t, 'development', 'fuzz.text', 'Hello {{name}}, welcome to {{product}}.');
    await livePrompt(http, t, 'development', 'fuzz.plain', 'No variables here.');
    await livePrompt(http, t, 'staging', 'fuzz.staging');
    const key = await issueApiKey(stack, t.admin, t.env.development, 1_000_000);
    const stagingKey = await issueApiKey(stack, t.admin, t.env.staging, 1_000_000);
    const revoked = await issueApiKey(stack, t.admin, t.env.development, 1_000_000);
    await revokeApiKey(stack, t.admin, revoked.id);

    const requests = hostileRequests(GATEWAY_OPERATIONS, {
      pathValues: { serve: ['fuzz.text', 'fuzz.plain', 'fuzz.staging', 'no.such.prompt'] },
      fieldValues: {
        variables: [{ name: 'Ana' }, {}, { name: '' }],
        placeholders: [{}, { history: [] }],
      },
      auth: [`Bearer ${key.key}`, `Bearer ${key.key}`, `Bearer ${stagingKey.key}`],
      badAuth: [
        `Bearer ${revoked.key}`, `Bearer ${key.key}x`, `Bearer ${key.key.slice(0, -1)}`, `Bearer ${key.prefix}`, 'Bearer', 'Bearer x',
        `Basic ${Buffer.from(`${key.key}:`).toString('base64')}`, `bearer  ${key.key}`,
      ],
    });
    const report = await runFuzz({
      baseUrl: stack.gateways[0].url, requests, runs: RUNS, seed: SEED, timeLimitMs: TIME_LIMIT_MS,
      snapshot: await snapshotOf(stack.registry.dataSource, ['api_keys', 'prompt_versions']),
    });
    console.log(`gateway fuzz: ${report.cases} cases in ${report.ms} ms (answers ${Math.round(report.requestMs!)} ms, snapshots ${Math.round(report.snapshotMs!)} ms; seed ${report.seed}), statuses ${JSON.stringify(report.statuses)}`);
    expect(describeFailures(report, 25)).toBe('');
    expect(report.interrupted).toBe(false);
    expect(report.cases).toBe(RUNS);
    // Every operation was reached, not only the cheap ones.
    expect(Object.keys(report.casesByOperation).sort()).toEqual(GATEWAY_OPERATIONS.map((op) => `${op.method} ${op.path}`).sort());
  });
});
