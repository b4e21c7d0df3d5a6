import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { type ApiKeySnapshot, type LiveSnapshotInput, redisNames } from '#contracts';
import { generateApiKey } from '#domain';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { startGateway, type RunningGateway } from './support/gateway.js';

function md5Id(seed: string): string {
  const h = createHash('md5').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `requests` in one write on one connection and reads `count` answers (`heads`: which were HEAD, so have no body). */
function exchange(port: number, requests: string, heads: boolean[]): Promise<{ answers: RawAnswer[]; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    const answers: RawAnswer[] = [];
    let ended = false;
    const finish = () => {
      socket.destroy();
      resolve({ answers, ended });
    };
    socket.on('connect', () => socket.write(requests, 'latin1'));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd === -1) break;
        const [statusLine, ...lines] = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
        const length = heads[answers.length] || statusLine.includes(' 304 ') ? 0 : Number(headers['content-length'] ?? 0);
        if (buffer.length < headEnd + 4 + length) break;
        answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8') });
        buffer = buffer.subarray(headEnd + 4 + length);
      }
      if (answers.length === heads.length) setTimeout(finish, 50);
    });
    socket.on('end', () => {
      ended = true;
      finish();
    });
    socket.on('error', reject);
  });
}

/**
 * The hit path (a request both caches hit, answered before Fastify, head and body in one write)
 * keeps HTTP/1.1 as Node keeps it: pipelined answers in order whatever path each took, HEAD
 * without a body, keep-alive announced, `connection: close` honoured.
 */
describe('the serve hit path on the wire', () => {
  const prefix = testRedisPrefix();
  const names = redisNames(prefix);
  const environmentId = md5Id('hit environment');
  const issued = generateApiKey('test');
  const content = 'Hello from the hit path, {{name}}.';
  let db: TestDatabase;
  let redis: Redis;
  let gateway: RunningGateway;
  let port: number;
  const request = (method: string, path: string, extra = '') =>
    `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${issued.key}\r\n${extra}\r\n`;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    const apiKey: ApiKeySnapshot = { v: 1, id: md5Id('hit key'), workspace_id: md5Id('hit workspace'), environment_id: environmentId, rate_limit_rpm: 1_000_000, revoked: false };
    const snapshot: LiveSnapshotInput = {
      v: 1, prompt_id: md5Id('hit.one'), environment_id: environmentId, key: 'hit.one', version_id: md5Id('hit version'), version_num: 2, content,
      live_from: new Date().toISOString(),
    };
    await redis.set(names.apiKey(issued.hash), JSON.stringify(apiKey));
    await redis.set(names.liveSnapshot(environmentId, 'hit.one'), JSON.stringify(snapshot));
    await redis.set(names.versionSnapshot(environmentId, 'hit.one', 2), JSON.stringify(snapshot));
    gateway = await startGateway({ DATABASE_URL: db.url, REDIS_PREFIX: prefix });
    port = Number(new URL(gateway.url).port);
    // Both caches loaded: the requests below that name hit.one are hits.
    for (const path of ['/v1/serve/hit.one', '/v1/serve/hit.one?version=2']) {
      const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${issued.key}` } });
      expect([res.status, res.headers.get('x-prompt-cache')]).toEqual([200, 'MISS']);
    }
  });

  afterAll(async () => {
    await gateway?.app.close();
    redis?.disconnect();
    await dropRedisPrefix(prefix);
    await db?.drop();
  });

  it('answers pipelined hits, misses and HEADs in order on one kept-alive connection', async () => {
    const { answers, ended } = await exchange(port, [
      request('GET', '/v1/serve/hit.one'),
      request('GET', '/v1/serve/no.such.prompt'), // a miss: read from Redis, then PostgreSQL, answered later
      request('HEAD', '/v1/serve/hit.one'),
      request('GET', '/v1/serve/hit.one?format=json'),
      request('GET', '/v1/serve/hit.one?version=2&format=text'),
      request('GET', '/v1/serve/hit.one?vars=name=Ana'), // variables: through Fastify's route
    ].join(''), [false, false, true, false, false, false]);
    expect(ended).toBe(false);
    expect(answers.map((a) => [a.status, a.headers['x-prompt-cache']])).toEqual([
      [200, 'HIT'], [404, undefined], [200, 'HIT'], [200, 'HIT'], [200, 'HIT'], [200, 'HIT'],
    ]);
    expect(answers[0].body).toBe(content);
    expect(answers[0].headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(content)), 'x-prompt-version': '2',
      'cache-control': 'private, no-cache', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', connection: 'keep-alive',
      'keep-alive': 'timeout=5', etag: expect.stringMatching(/^"/),
    });
    expect(new Date(answers[0].headers.date).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(answers[1].body)).toMatchObject({ error: { code: 'prompt_not_found' } });
    expect([answers[2].body, answers[2].headers['content-length']]).toEqual(['', answers[0].headers['content-length']]);
    expect(JSON.parse(answers[3].body)).toEqual({
      key: 'hit.one', type: 'text', version: 2, content, messages: null, config: {}, unfilled_variables: ['name'], unfilled_placeholders: [],
    });
    expect(answers[4].headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(answers[4].body).toBe(content);
    expect(answers[5].body).toBe('Hello from the hit path, Ana.');
  });

  it('revalidates a hit with its etag (304, no body) and closes when the client asks', async () => {
    const first = await exchange(port, request('GET', '/v1/serve/hit.one'), [false]);
    const etag = first.answers[0].headers.etag;
    const { answers, ended } = await exchange(port, [
      request('GET', '/v1/serve/hit.one', `if-none-match: ${etag}\r\n`),
      request('GET', '/v1/serve/hit.one', 'connection: close\r\n'),
    ].join(''), [false, false]);
    expect(answers.map((a) => [a.status, a.headers.etag, a.headers['x-prompt-cache']])).toEqual([[304, etag, 'HIT'], [200, etag, 'HIT']]);
    expect(answers[0].body).toBe('');
    expect(answers[1].headers.connection?.toLowerCase()).toBe('close');
    expect(answers[1].body).toBe(content);
    expect(ended).toBe(true);
  });
});
