/**
 * Gateway benchmark (docs/BENCHMARKS.md, "Gateway"). Against a throwaway database and Redis
 * namespace: the registry in-process, the gateway (dist/apps/gateway/src/main.js) and a bare
 * Fastify server returning a constant body of the benchmark prompt's size, both as child
 * processes so the load generator does not share their event loop. Then:
 *  1. throughput: alternating rounds of autocannon, 50 keep-alive connections each, on the bare
 *     server, the gateway serving a ~1 KB prompt (cache hit), and the gateway substituting
 *     variables into one; requests/s, p50 and p99 per round, medians, and gateway/bare ratios;
 *  2. approval to served: approvals of new versions through the registry API, each followed by a
 *     tight poll of the gateway until it serves the new version number; p50 and p99.
 * Run: npm run bench:serve   (BENCH_ROUNDS, BENCH_SECONDS, BENCH_APPROVALS override 5, 10, 50)
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { dropRedisNamespace, freePort } from '#runtime';
import { createRegistryApp } from '../apps/registry/src/app.factory.js';
import { json, keepAliveAgent, percentile, send } from './support/measure.js';
import { runBench, throwaway } from './support/throwaway.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 50);
const CONNECTIONS = 50;
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..');

/** ~1 KB of instructions, as a production prompt might hold; the variant with variables has three. */
const PROMPT = Array.from({ length: 12 }, (_, i) =>
  `Rule ${i + 1}: answer the customer politely, cite the refund policy section, and keep it short.`).join('\n');
const PROMPT_WITH_VARIABLES = `You help {{customer_name}} of {{company}}.\n${PROMPT}\nSign as {{agent}}.`;
const VARS = '?vars=customer_name=Ana%20Lima&vars=company=Acme&vars=agent=Promptgate';

/** `nodeArgs`: e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/gateway-prof" profiles the gateway alone. */
function startChild(file: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, file], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`${file} exited with ${code ?? signal}`);
  });
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function waitForHealth(url: string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await send(`${url}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer /health within 30 s`);
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
}

async function load(url: string, headers: Record<string, string>): Promise<Round> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors: the figures would mean nothing`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (r: Round) => `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(1).padStart(5)} ms  p99 ${r.p99.toFixed(1).padStart(5)} ms`;

async function main(): Promise<void> {
  const { url, redisPrefix, registryConfig } = throwaway();
  const config = registryConfig();
  let registry: Awaited<ReturnType<typeof createRegistryApp>> | undefined;
  let gateway: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    await ensureDatabase(url);
    await runMigrations(url);
    registry = await createRegistryApp(config);
    await registry.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(registry.getHttpServer().address() as AddressInfo).port}/api/v1`;

    const signedUp = await json<{ access_token: string }>(send(`${base}/auth/signup`, {
      method: 'POST', body: { email: `bench.${randomBytes(4).toString('hex')}@example.com`, password: 'bench-password-123' },
    }), 201);
    const auth = { authorization: `Bearer ${signedUp.access_token}` };
    const me = await json<{ memberships: Array<{ workspace: { id: string } }> }>(send(`${base}/me`, { headers: auth }), 200);
    const environments = await json<{ items: Array<{ id: string; name: string }> }>(
      send(`${base}/workspaces/${me.memberships[0].workspace.id}/environments`, { headers: auth }), 200);
    const environmentId = environments.items.find((e) => e.name === 'development')!.id;

    /** development needs no second reviewer: the owner proposes, submits and approves. */
    const shipDraft = async (versionId: string) => {
      await json(send(`${base}/versions/${versionId}/submit`, { method: 'POST', headers: auth }), 200);
      return json<{ version: { version_num: number } }>(send(`${base}/versions/${versionId}/approve`, { method: 'POST', headers: auth, body: {} }), 200);
    };
    const createLive = async (key: string, content: string) => {
      const created = await json<{ prompt: { id: string }; version: { id: string } }>(
        send(`${base}/environments/${environmentId}/prompts`, { method: 'POST', headers: auth, body: { key, content } }), 201);
      await shipDraft(created.version.id);
      return created.prompt.id;
    };
    const plainId = await createLive('bench.plain', PROMPT);
    await createLive('bench.vars', PROMPT_WITH_VARIABLES);
    // The highest limit a key may have (1,000,000 rpm) refills slower than the gateway serves, so every
    // load gets a fresh key: the measured figures are never 429s.
    const issueServeHeaders = async () => {
      const apiKey = await json<{ key: string }>(send(`${base}/environments/${environmentId}/api-keys`, {
        method: 'POST', headers: auth, body: { name: 'bench', rate_limit_rpm: 1_000_000 },
      }), 201);
      return { authorization: `Bearer ${apiKey.key}` };
    };
    const serveHeaders = await issueServeHeaders();

    const gatewayPort = await freePort();
    const barePort = await freePort();
    gateway = startChild(join(DIST, 'apps/gateway/src/main.js'), {
      APP_ENV: 'test', GATEWAY_PORT: String(gatewayPort), DATABASE_URL: url, REDIS_URL: config.REDIS_URL,
      REDIS_PREFIX: redisPrefix, LOG_LEVEL: 'warn',
    }, (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean));
    bare = startChild(join(DIST, 'bench/support/bare-server.js'), { BENCH_PORT: String(barePort), BENCH_BODY: PROMPT });
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitForHealth(gatewayUrl, 'the gateway');
    await waitForHealth(bareUrl, 'the bare server');

    const plain = await send(`${gatewayUrl}/v1/serve/bench.plain`, { headers: serveHeaders });
    if (plain.status !== 200 || plain.body !== PROMPT) throw new Error(`the gateway answered ${plain.status}: ${plain.body.slice(0, 200)}`);
    console.log(`prompt: ${Buffer.byteLength(PROMPT)} bytes; with variables: ${Buffer.byteLength(PROMPT_WITH_VARIABLES)} bytes, 3 substituted`);
    console.log(`${ROUNDS} rounds of ${SECONDS} s each, autocannon, ${CONNECTIONS} keep-alive connections, in turn on each server\n`);

    const figures = { bare: [] as Round[], gateway: [] as Round[], vars: [] as Round[] };
    await load(`${gatewayUrl}/v1/serve/bench.plain`, serveHeaders); // warm-up: JIT and caches
    for (let round = 1; round <= ROUNDS; round++) {
      figures.bare.push(await load(`${bareUrl}/v1/serve/bench.plain`, {}));
      figures.gateway.push(await load(`${gatewayUrl}/v1/serve/bench.plain`, await issueServeHeaders()));
      figures.vars.push(await load(`${gatewayUrl}/v1/serve/bench.vars${VARS}`, await issueServeHeaders()));
      console.log(`round ${round}  bare    ${fmt(figures.bare.at(-1)!)}`);
      console.log(`         gateway ${fmt(figures.gateway.at(-1)!)}`);
      console.log(`         vars    ${fmt(figures.vars.at(-1)!)}`);
    }
    const med = (rounds: Round[]): Round => ({ rps: median(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)) });
    const [mBare, mGateway, mVars] = [med(figures.bare), med(figures.gateway), med(figures.vars)];
    console.log(`\nmedians  bare    ${fmt(mBare)}\n         gateway ${fmt(mGateway)}\n         vars    ${fmt(mVars)}`);
    const rpsRatio = mGateway.rps / mBare.rps;
    const p99Ratio = mGateway.p99 / mBare.p99;
    console.log(`gateway/bare: req/s ${rpsRatio.toFixed(2)} (target >= 0.80: ${rpsRatio >= 0.8 ? 'met' : 'MISSED'}), ` +
      `p99 ${p99Ratio.toFixed(2)} (target <= 1.50: ${p99Ratio <= 1.5 ? 'met' : 'MISSED'})`);
    console.log(`with variables/bare: req/s ${(mVars.rps / mBare.rps).toFixed(2)}, p99 ${(mVars.p99 / mBare.p99).toFixed(2)}`);

    const fromSent: number[] = [];
    const fromAnswered: number[] = [];
    for (let i = 0; i < APPROVALS; i++) {
      const draft = await json<{ version: { id: string } }>(send(`${base}/prompts/${plainId}/versions`, {
        method: 'POST', headers: auth, body: { content: `${PROMPT}\nRevision ${i + 2}.` },
      }), 201);
      await json(send(`${base}/versions/${draft.version.id}/submit`, { method: 'POST', headers: auth }), 200);
      const sent = performance.now();
      const approved = await json<{ version: { version_num: number } }>(
        send(`${base}/versions/${draft.version.id}/approve`, { method: 'POST', headers: auth, body: {} }), 200);
      const answered = performance.now();
      const expected = approved.version.version_num;
      for (;;) {
        const served = await send(`${gatewayUrl}/v1/serve/bench.plain?format=json`, { headers: serveHeaders });
        if (served.status === 200 && (JSON.parse(served.body) as { version: number }).version === expected) break;
        if (performance.now() - sent > 10_000) throw new Error(`version ${expected} not served within 10 s`);
      }
      const seen = performance.now();
      fromSent.push(seen - sent);
      fromAnswered.push(seen - answered);
    }
    for (const [label, times] of [['from approval sent', fromSent], ['from approval answered', fromAnswered]] as const) {
      const sorted = [...times].sort((a, b) => a - b);
      console.log(`approval to served (${times.length}), ${label}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
    }
    const p99 = percentile([...fromSent].sort((a, b) => a - b), 99);
    console.log(`target: approval to served under 1 s at p99: ${p99 < 1000 ? 'met' : 'MISSED'} (${p99.toFixed(1)} ms)`);
  } finally {
    keepAliveAgent.destroy();
    await stopChild(gateway);
    await stopChild(bare);
    await registry?.close();
    await dropDatabase(url);
    await dropRedisNamespace(config.REDIS_URL, redisPrefix);
  }
}

runBench(main);
