import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

import { livePrompt, makeTeam, type Team } from '../apps/registry/test/support/review-flow.js';
import { bootStack, issueApiKey, type IssuedApiKey, type RunningGateway, type Stack } from './support/stack.js';
import { freePort } from '#runtime';

/**
 * Redis stopped under running gateways. The test starts its own redis-server on a free port, so
 * stopping it disturbs no other test.
 */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  child.stdout!.resume();
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function serve(gateway: RunningGateway, key: string, path: string) {
  const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Polls until `check` holds, at most `deadlineMs`; the milliseconds it took, or null. */
async function msUntil(check: () => Promise<boolean>, deadlineMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < deadlineMs) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

describe('gateways while Redis is down', () => {
  let port: number;
  let redis: ChildProcess;
  let stack: Stack;
  let t: Team;
  let key: IssuedApiKey;
  /** Reads PostgreSQL on a miss, as usual. */
  let withPostgres: RunningGateway;
  /** Has no PostgreSQL at all and a 1 s TTL: once Redis stops, it has only its cache. */
  let cacheOnly: RunningGateway;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    const redisUrl = `redis://127.0.0.1:${port}`;
    stack = await bootStack({ gateways: 1, registryEnv: { REDIS_URL: redisUrl }, gatewayEnv: { REDIS_URL: redisUrl } });
    withPostgres = stack.gateways[0];
    cacheOnly = await stack.startGateway({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', CACHE_TTL_SECONDS: '1' });
    t = await makeTeam(stack.registry.http);
    key = await issueApiKey(stack, t.admin, t.env.development);
    await livePrompt(stack.registry.http, t, 'development', 'outage.cached', 'Still here, {{name}}.');
    await livePrompt(stack.registry.http, t, 'development', 'outage.never-cached', 'Never asked for.');
  });
  afterAll(async () => {
    if (redis) await stopRedis(redis);
    // Bring Redis back so the apps close their connections cleanly.
    redis = await startRedis(port);
    await stack?.close();
    await stopRedis(redis);
  });

  it('keeps serving cached prompts, says they are stale, reports not ready, and recovers when Redis returns', async () => {
    for (const g of [withPostgres, cacheOnly]) {
      const res = await serve(g, key.key, '/v1/serve/outage.cached?vars=name=Ana');
      expect([res.status, res.text, res.headers.get('x-prompt-stale')]).toEqual([200, 'Still here, Ana.', null]);
    }
    expect((await fetch(`${withPostgres.url}/ready`)).status).toBe(200);

    await stopRedis(redis);

    // The live channel is down, so no push can reach the cache: answers are marked stale.
    const marked = await msUntil(async () => (await serve(withPostgres, key.key, '/v1/serve/outage.cached')).headers.get('x-prompt-stale') === '1', 2000);
    expect(marked).not.toBeNull();
    const stale = await serve(withPostgres, key.key, '/v1/serve/outage.cached?vars=name=Bo');
    expect(stale.status).toBe(200);
    expect(stale.text).toBe('Still here, Bo.');
    expect(stale.headers.get('warning')).toBe('110 - "Response is Stale"');
    const ready = await fetch(`${withPostgres.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'down' } });

    // With PostgreSQL still there, a prompt never cached is read from it.
    const fromPostgres = await serve(withPostgres, key.key, '/v1/serve/outage.never-cached');
    expect([fromPostgres.status, fromPostgres.text, fromPostgres.headers.get('x-prompt-cache')]).toEqual([200, 'Never asked for.', 'MISS']);

    // Past its TTL, with neither Redis nor PostgreSQL, the cached answer is served anyway, marked stale.
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await serve(cacheOnly, key.key, '/v1/serve/outage.cached?vars=name=Cy');
    expect([expired.status, expired.text, expired.headers.get('x-prompt-stale')]).toEqual([200, 'Still here, Cy.', '1']);
    // Many requests while down: each is answered, none is refused (the rate limit falls back to this process).
    const burst = await Promise.all(Array.from({ length: 50 }, () => serve(cacheOnly, key.key, '/v1/serve/outage.cached')));
    expect(burst.map((r) => r.status)).toEqual(Array(50).fill(200));
    // What it never cached it cannot answer.
    const unknown = await serve(cacheOnly, key.key, '/v1/serve/outage.never-cached');
    expect([unknown.status, unknown.headers.get('retry-after')]).toEqual([503, '1']);

    redis = await startRedis(port);
    // Back: the cache was dropped on reconnect, so the next answer is fetched again and fresh.
    const recovered = await msUntil(async () => {
      const res = await serve(withPostgres, key.key, '/v1/serve/outage.cached');
      return res.status === 200 && res.headers.get('x-prompt-stale') === null;
    }, 5000);
    expect(recovered).not.toBeNull();
    expect((await fetch(`${withPostgres.url}/ready`)).status).toBe(200);
  });
});
