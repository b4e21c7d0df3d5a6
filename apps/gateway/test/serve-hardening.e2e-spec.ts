import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type ApiKeySnapshot, type LiveSnapshotInput, QUEUES, redisNames, serveUsageJobSchema } from '#contracts';
import { generateApiKey } from '#domain';
import { freePort } from '#runtime';
import { builtFile } from '../../../test/support/build.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';

/** An id as `md5(...)::uuid` makes it (bench/support/seed-prompts.ts): PostgreSQL takes it, RFC 4122 does not. */
function md5Id(seed: string): string {
  const h = createHash('md5').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const SECURITY = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * The gateway as `npm start` runs it (the built main.js, its own process) on a real PostgreSQL and
 * Redis, fed the inputs that used to end it or reach PostgreSQL: renders far over 1 MiB, ids that
 * PostgreSQL issues but RFC 4122 refuses, NUL and unpaired surrogates, huge version numbers, wrong
 * methods, deep JSON. The process must answer each with a 4xx and go on serving.
 */
describe('a gateway process under hostile input', () => {
  const prefix = testRedisPrefix();
  const names = redisNames(prefix);
  const environmentId = md5Id('environment');
  const apiKeyId = md5Id('api key');
  const bigVersionId = md5Id('big version');
  const smallVersionId = md5Id('small version');
  const issued = generateApiKey('test');
  const auth = { authorization: `Bearer ${issued.key}` };
  let db: TestDatabase;
  let redis: Redis;
  let gateway: ChildProcess;
  let output = '';
  let base: string;

  const logLines = () => output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  async function serve(path: string, init: RequestInit = {}) {
    const res = await fetch(`${base}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { error: { code: string; message: string } } };
  }
  const post = (path: string, body: string) => serve(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  async function expectStillServing() {
    expect(gateway.exitCode).toBeNull();
    const res = await serve('/v1/serve/small.one?vars=name=Ana');
    expect([res.status, res.text]).toEqual([200, 'Hello Ana']);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    const apiKey: ApiKeySnapshot = { v: 1, id: apiKeyId, workspace_id: md5Id('workspace'), environment_id: environmentId, rate_limit_rpm: 1_000_000, revoked: false };
    const snapshot = (key: string, versionId: string, num: number, content: string): LiveSnapshotInput => ({
      v: 1, prompt_id: md5Id(key), environment_id: environmentId, key, version_id: versionId, version_num: num, content, live_from: new Date().toISOString(),
    });
    await redis.set(names.apiKey(issued.hash), JSON.stringify(apiKey));
    for (const [key, versionId, num, content] of [
      ['big.many', bigVersionId, 1, '{{x}}'.repeat(600)],
      ['small.one', smallVersionId, 3, 'Hello {{name}}'],
    ] as const) {
      await redis.set(names.liveSnapshot(environmentId, key), JSON.stringify(snapshot(key, versionId, num, content)));
      await redis.set(names.versionSnapshot(environmentId, key, num), JSON.stringify(snapshot(key, versionId, num, content)));
    }

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = spawn(process.execPath, [builtFile('apps/gateway/src/main.js')], {
      cwd: mkdtempSync(join(tmpdir(), 'pg-gateway-')),
      env: {
        PATH: process.env.PATH, APP_ENV: 'test', LOG_LEVEL: 'info', GATEWAY_PORT: String(port),
        DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, USAGE_FLUSH_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    gateway.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    for (let i = 0; i < 400 && gateway.exitCode === null; i++) {
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the gateway did not start: ${output}`);
  });

  afterAll(async () => {
    if (gateway && gateway.exitCode === null && gateway.signalCode === null) {
      const exited = once(gateway, 'exit');
      gateway.kill('SIGTERM');
      await exited;
    }
    redis?.disconnect();
    await dropRedisPrefix(prefix);
    await db?.drop();
  });

  it('refuses a render over 1 MiB with 422 rendered_too_large, by POST and by GET, on a miss and on a hit, and keeps serving', async () => {
    const megabyte = 'a'.repeat(1_000_000);
    for (let i = 0; i < 2; i++) {
      const res = await post('/v1/serve/big.many', JSON.stringify({ variables: { x: megabyte } }));
      expect([res.status, res.json().error.code]).toEqual([422, 'rendered_too_large']);
      await expectStillServing();
    }
    // 600 copies of 8 KB: a URL a server takes, a render of 4.8 MB.
    const res = await serve(`/v1/serve/big.many?vars=x=${'b'.repeat(8_000)}`);
    expect([res.status, res.json().error.code]).toEqual([422, 'rendered_too_large']);
    await expectStillServing();
    // Just under the cap still renders: 600 x 1747 bytes = 1,048,200 <= 1,048,576.
    const under = await post('/v1/serve/big.many', JSON.stringify({ variables: { x: 'c'.repeat(1747) } }));
    expect(under.status).toBe(200);
    expect(Buffer.byteLength(JSON.parse(under.text).content)).toBe(600 * 1747);
    const over = await post('/v1/serve/big.many', JSON.stringify({ variables: { x: 'c'.repeat(1748) } }));
    expect(over.status).toBe(422);
  });

  it('flushes usage of md5-shaped ids (as PostgreSQL issues them) into serve.usage, and stays up', async () => {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.serveUsage, { connection, prefix: names.bullPrefix });
    try {
      await serve('/v1/serve/small.one');
      let counts: Array<{ api_key_id: string; version_id: string }> = [];
      // The previous test's renders of big.many may be flushed in a batch of their own, after this one.
      const seen = () => [smallVersionId, bigVersionId].every((id) => counts.some((c) => c.version_id === id));
      for (let i = 0; i < 200 && !seen(); i++) {
        counts = (await queue.getJobs(['waiting'])).flatMap((job) => serveUsageJobSchema.parse(job.data).counts);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(counts).toContainEqual(expect.objectContaining({ api_key_id: apiKeyId, version_id: smallVersionId }));
      expect(counts).toContainEqual(expect.objectContaining({ api_key_id: apiKeyId, version_id: bigVersionId }));
      await expectStillServing();
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('answers a version number past any storable one with 404 version_not_found', async () => {
    for (const version of ['99999999999999999999', '2147483648', '1'.repeat(300)]) {
      const res = await serve(`/v1/serve/small.one?version=${version}`);
      expect([version, res.status, res.json().error.code]).toEqual([version, 404, 'version_not_found']);
    }
    expect((await serve('/v1/serve/small.one?version=3')).status).toBe(200);
    expect((await serve('/v1/serve/small.one?version=0')).status).toBe(400);
  });

  it('keeps NUL and unpaired surrogates away from PostgreSQL: a key holding them is 404 prompt_not_found, a value 400', async () => {
    // PostgreSQL answers for a well-formed key it does not have: 404, not the 503 of a failed query.
    expect((await serve('/v1/serve/no.such.prompt')).status).toBe(404);
    for (const path of ['/v1/serve/a%00b', '/v1/serve/%00', '/v1/serve/a%ED%A0%80b', '/v1/serve/%ED%B0%80', '/v1/serve/a%C0%80']) {
      const res = await serve(path);
      expect([path, res.status, res.json().error.code]).toEqual([path, 404, 'prompt_not_found']);
    }
    const pinned = await serve('/v1/serve/a%00b?version=1');
    expect([pinned.status, pinned.json().error.code]).toEqual([404, 'version_not_found']);
    for (const path of ['/v1/serve/small.one?version=%00', '/v1/serve/small.one?format=%00', '/v1/serve/small.one?vars=name=a%00b']) {
      const res = await serve(path);
      expect([path, res.status, res.json().error.code]).toEqual([path, 400, 'validation_failed']);
    }
    for (const body of ['{"variables":{"name":"a\\u0000b"}}', '{"variables":{"name":"\\ud800"}}', '{"variables":{"name":"x\\udc00y"}}', '{"vari\\u0000ables":{}}']) {
      const res = await post('/v1/serve/small.one', body);
      expect([body, res.status, res.json().error.code]).toEqual([body, 400, 'validation_failed']);
    }
    const paired = await post('/v1/serve/small.one', '{"variables":{"name":"\\ud83d\\ude00"}}');
    expect([paired.status, JSON.parse(paired.text).content]).toEqual([200, 'Hello 😀']);
    await expectStillServing();
  });

  it('answers a wrong method on a known path 405 with allow, and unknown paths in the JSON error shape', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await serve('/v1/serve/small.one', { method });
      expect([method, res.status, res.headers.get('allow'), res.json().error.code]).toEqual([method, 405, 'GET, HEAD, POST', 'method_not_allowed']);
    }
    for (const [method, path] of [['POST', '/health'], ['DELETE', '/ready'], ['PUT', '/health?x=1']]) {
      const res = await serve(path, { method });
      expect([method, path, res.status, res.headers.get('allow'), res.json().error.code]).toEqual([method, path, 405, 'GET, HEAD', 'method_not_allowed']);
    }
    for (const path of ['/nowhere', '/v1/serve', '/v1/serve/', '/v1/serve/a/b', '/v1/prompts/x', '/%ZZ', '/health/x', '/v1/serve/%ZZ/b']) {
      const res = await serve(path);
      expect([path, res.status < 500, res.headers.get('content-type')]).toEqual([path, true, expect.stringMatching(/^application\/json/)]);
      expect(res.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect((await serve('/nowhere')).status).toBe(404);
    // Refused by node's HTTP parser before any route: still the JSON error shape, with the security headers.
    const huge = await serve(`/v1/serve/small.one?vars=name=${'z'.repeat(20_000)}`);
    expect([huge.status, huge.json().error.code, huge.headers.get('x-content-type-options')]).toEqual([431, 'request_headers_too_large', 'nosniff']);
    expect((await serve('/v1/serve/small.one', { method: 'HEAD' })).status).toBe(200);
  });

  it('answers a deeply nested JSON body 400 and keeps serving', async () => {
    const depth = 400_000;
    for (const body of [
      '['.repeat(depth) + ']'.repeat(depth),
      `{"variables":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
      `{"variables":${'{"a":'.repeat(depth / 5)}"x"${'}'.repeat(depth / 5)}}`,
      `{"variables":{"__proto__":${'{"constructor":'.repeat(depth / 20)}1${'}'.repeat(depth / 20)}}}`,
      '['.repeat(depth),
    ]) {
      const res = await post('/v1/serve/small.one', body);
      expect([body.slice(0, 30), res.status, res.json().error.code]).toEqual([body.slice(0, 30), 400, 'validation_failed']);
    }
    await expectStillServing();
  });

  it('sends the security headers on every kind of answer', async () => {
    const ok = await serve('/v1/serve/small.one');
    const answers = [
      ok,
      await serve('/v1/serve/small.one', { headers: { 'if-none-match': ok.headers.get('etag')! } }),
      await serve('/v1/serve/small.one?format=json&vars=name=x'),
      await fetch(`${base}/v1/serve/small.one`),
      await serve('/v1/serve/no.such'),
      await post('/v1/serve/big.many', JSON.stringify({ variables: { x: 'a'.repeat(10_000) } })),
      await serve('/v1/serve/small.one', { method: 'PUT' }),
      await fetch(`${base}/health`),
      await fetch(`${base}/ready`),
      await fetch(`${base}/nowhere`),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 304, 200, 401, 404, 422, 405, 200, 200, 404]);
    for (const a of answers) {
      expect(Object.fromEntries(Object.keys(SECURITY).map((h) => [h, a.headers.get(h)]))).toEqual(SECURITY);
      expect(a.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    }
  });

  it('logged no unhandled error and no failed serve through all of this', () => {
    expect(gateway.exitCode).toBeNull();
    const bad = logLines().filter((l) => l.level === 'error' || l.level === 'fatal');
    expect(bad).toEqual([]);
  });
});
