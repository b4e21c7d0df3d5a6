/**
 * Gateway benchmark (docs/BENCHMARKS.md, "Gateway"). Against a throwaway database and Redis
 * namespace: the registry in-process; the gateway (dist/apps/gateway/src/main.js), a bare node:http
 * server and a bare Fastify server, the last two returning a constant body of the benchmark
 * prompt's size, all three as child processes so no load generator shares their event loop. Then:
 *  1. fresh: alternating rounds on the bare node:http server, bare Fastify, the gateway serving one
 *     ~1 KB prompt (the hot key, a cache hit) and the gateway substituting three variables; with
 *     wrk (if installed) and the raw-socket worker-thread generator, 50 keep-alive connections; and a
 *     chat prompt of 6 messages substituting 3 variables (issue 13);
 *  2. the mix: 20,000 live prompts of ~1 KB seeded in SQL and made live as the registry's outbox
 *     does (LivePublisher: snapshot in Redis, push on the live channel), then a uniform mix over
 *     them (BENCH_MIX_SECONDS, a warm-up fifth first), with the cache hit ratio once warm and the
 *     gateway's RSS before and after;
 *  3. after the mix: the same rounds on the hot key again;
 *  4. approval to served: approvals through the registry API, each followed by a tight poll of the
 *     gateway until it serves the new version number.
 * Every round prints req/s, p50, p99, the generator's CPU and the server's (cores busy).
 * Run: npm run bench:serve   (BENCH_ROUNDS 3, BENCH_SECONDS 10, BENCH_MIX_SECONDS 30, BENCH_MIX_PROMPTS 20000,
 * BENCH_APPROVALS 50, BENCH_GENERATORS "wrk,workers", BENCH_THREADS 2, BENCH_PIPELINING 1)
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { dropRedisNamespace, freePort } from '#runtime';
import { createRegistryApp } from '../apps/registry/src/app.factory.js';
import { LivePublisher } from '../apps/registry/src/live/live-publisher.js';
import { processRssMb, workerLoad, wrkAvailable, wrkLoad, WRK, type LoadOptions, type LoadResult } from './support/load-generator.js';
import { json, keepAliveAgent, percentile, send } from './support/measure.js';
import { seedLivePrompts } from './support/seed-live-prompts.js';
import { runBench, throwaway } from './support/throwaway.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MIX_SECONDS = Number(process.env.BENCH_MIX_SECONDS ?? 30);
const MIX_PROMPTS = Number(process.env.BENCH_MIX_PROMPTS ?? 20_000);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 50);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const PIPELINING = Number(process.env.BENCH_PIPELINING ?? 1);
const CONNECTIONS = 50;
/** The mix spreads its requests over several API keys, so no key's rate limit (1,000,000 rpm at most) is reached. */
const MIX_API_KEYS = 10;
const DIST = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';

/** ~1 KB of instructions, as a production prompt might hold; the variant with variables has three. */
const PROMPT = Array.from({ length: 12 }, (_, i) =>
  `Rule ${i + 1}: answer the customer politely, cite the refund policy section, and keep it short.`).join('\n');
const PROMPT_WITH_VARIABLES = `You help {{customer_name}} of {{company}}.\n${PROMPT}\nSign as {{agent}}.`;
/** A chat prompt of 6 messages and 3 variables, served with them (always JSON): issue 13's figure. */
const CHAT_MESSAGES = [
  { role: 'system', content: `You are a support agent for {{company}}; sign as {{agent}}.\n${PROMPT.slice(0, 600)}` },
  { role: 'user', content: 'Where is my order? It was due on Monday.' },
  { role: 'assistant', content: 'I am sorry it is late. Could you give me the order number so I can check it?' },
  { role: 'user', content: 'It is 4471-2208.' },
  { role: 'assistant', content: 'Thank you. It left our warehouse yesterday and should arrive within two days.' },
  { role: 'user', content: '{{question}}' },
];
const CHAT_VARS = '?vars=company=Acme&vars=agent=Promptgate&vars=question=Can%20I%20change%20the%20address%3F';
const VARS = '?vars=customer_name=Ana%20Lima&vars=company=Acme&vars=agent=Promptgate';

type Generator = 'wrk' | 'workers';

function generators(): Generator[] {
  const asked = (process.env.BENCH_GENERATORS ?? 'wrk,workers').split(',').map((g) => g.trim()).filter(Boolean);
  const chosen: Generator[] = [];
  for (const g of asked) {
    if (g !== 'wrk' && g !== 'workers') throw new Error(`BENCH_GENERATORS: unknown generator ${g} (wrk, workers)`);
    if (g === 'wrk' && !wrkAvailable()) {
      console.log(`wrk is not installed (${WRK} is absent; apt-get install -y wrk): measuring with the worker-thread generator only`);
      continue;
    }
    if (!chosen.includes(g)) chosen.push(g);
  }
  if (!chosen.includes('workers') && chosen.length === 0) chosen.push('workers');
  return chosen;
}

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

interface Target {
  name: string;
  port: number;
  pid: number;
}

async function load(generator: Generator, target: Target, paths: string[], headerSets: Array<Record<string, string>>, seconds = SECONDS): Promise<LoadResult> {
  const options: LoadOptions = {
    host: HOST, port: target.port, connections: CONNECTIONS, seconds, paths, headerSets, threads: THREADS, pipelining: PIPELINING, serverPid: target.pid,
  };
  const result = generator === 'wrk' && paths.length === 1 && headerSets.length === 1 && PIPELINING === 1 ? await wrkLoad(options) : await workerLoad(options);
  const bad = Object.entries(result.statuses).filter(([s]) => !s.startsWith('2')).reduce((n, [, c]) => n + c, 0);
  if (bad > 0 || result.errors > 0) {
    throw new Error(`${target.name}: ${bad} non-2xx answers (${JSON.stringify(result.statuses)}) and ${result.errors} errors: the figures would mean nothing`);
  }
  return result;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const cores = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '  n/a' : n.toFixed(2).padStart(5));
const fmt = (r: LoadResult) =>
  `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ` +
  `cpu: generator ${cores(r.generatorCores)}, server ${cores(r.serverCores)} cores`;

interface Medians {
  rps: number;
  p50: number;
  p99: number;
}
const med = (rounds: LoadResult[]): Medians => ({ rps: median(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)) });
const fmtMed = (m: Medians) => `${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(2).padStart(6)} ms  p99 ${m.p99.toFixed(2).padStart(6)} ms`;

function verdict(label: string, gateway: Medians, bare: Medians): string {
  const rps = gateway.rps / bare.rps;
  const p99 = gateway.p99 / bare.p99;
  return `${label}: req/s ${rps.toFixed(2)} (target >= 0.80: ${rps >= 0.8 ? 'met' : 'MISSED'}), p99 ${p99.toFixed(2)}x (target <= 1.50: ${p99 <= 1.5 ? 'met' : 'MISSED'})`;
}

async function main(): Promise<void> {
  const { url, redisPrefix, registryConfig } = throwaway();
  const config = registryConfig();
  let registry: Awaited<ReturnType<typeof createRegistryApp>> | undefined;
  const children: ChildProcess[] = [];
  const db = new pg.Client({ connectionString: url });
  try {
    await ensureDatabase(url);
    await runMigrations(url);
    await db.connect();
    registry = await createRegistryApp(config);
    await registry.listen(0, HOST);
    const base = `http://${HOST}:${(registry.getHttpServer().address() as AddressInfo).port}/api/v1`;

    const signedUp = await json<{ access_token: string }>(send(`${base}/auth/signup`, {
      method: 'POST', body: { email: `bench.${randomBytes(4).toString('hex')}@example.com`, password: 'bench-password-123' },
    }), 201);
    const auth = { authorization: `Bearer ${signedUp.access_token}` };
    const me = await json<{ user: { id: string }; memberships: Array<{ workspace: { id: string } }> }>(send(`${base}/me`, { headers: auth }), 200);
    const workspaceId = me.memberships[0].workspace.id;
    const environments = await json<{ items: Array<{ id: string; name: string }> }>(send(`${base}/workspaces/${workspaceId}/environments`, { headers: auth }), 200);
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
    const chat = await json<{ version: { id: string } }>(send(`${base}/environments/${environmentId}/prompts`, {
      method: 'POST', headers: auth, body: { key: 'bench.chat', type: 'chat', messages: CHAT_MESSAGES, config: { model: 'gpt-4o-mini', temperature: 0.2 } },
    }), 201);
    await shipDraft(chat.version.id);
    // The highest limit a key may have (1,000,000 rpm) refills slower than the gateway serves, so every
    // load gets a fresh key: the measured figures are never 429s.
    const issueServeHeaders = async () => {
      const apiKey = await json<{ key: string }>(send(`${base}/environments/${environmentId}/api-keys`, {
        method: 'POST', headers: auth, body: { name: 'bench', rate_limit_rpm: 1_000_000 },
      }), 201);
      return { authorization: `Bearer ${apiKey.key}` };
    };
    const serveHeaders = await issueServeHeaders();

    const start = async (name: string, file: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Target> => {
      const port = await freePort();
      const child = startChild(join(DIST, file), { ...env, GATEWAY_PORT: String(port), BENCH_PORT: String(port) }, nodeArgs);
      children.push(child);
      await waitForHealth(`http://${HOST}:${port}`, name);
      return { name, port, pid: child.pid! };
    };
    const gateway = await start('the gateway', process.env.BENCH_GATEWAY_MAIN ?? 'apps/gateway/src/main.js', {
      APP_ENV: 'test', DATABASE_URL: url, REDIS_URL: config.REDIS_URL, REDIS_PREFIX: redisPrefix, LOG_LEVEL: 'warn',
    }, (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean));
    const bareNode = await start('the bare node:http server', 'bench/support/bare-server.js', { BENCH_BODY: PROMPT, BENCH_KIND: 'node' });
    const bareFastify = await start('the bare Fastify server', 'bench/support/bare-server.js', { BENCH_BODY: PROMPT, BENCH_KIND: 'fastify' });
    const gatewayUrl = `http://${HOST}:${gateway.port}`;

    const plain = await send(`${gatewayUrl}/v1/serve/bench.plain`, { headers: serveHeaders });
    if (plain.status !== 200 || plain.body !== PROMPT) throw new Error(`the gateway answered ${plain.status}: ${plain.body.slice(0, 200)}`);
    const used = generators();
    console.log(`prompt: ${Buffer.byteLength(PROMPT)} bytes; with variables: ${Buffer.byteLength(PROMPT_WITH_VARIABLES)} bytes, 3 substituted; ` +
      `chat: ${CHAT_MESSAGES.length} messages, ${Buffer.byteLength(JSON.stringify(CHAT_MESSAGES))} bytes as JSON, 3 variables substituted`);
    console.log(`generators: ${used.join(', ')} (${THREADS} threads, ${CONNECTIONS} keep-alive connections, pipelining ${PIPELINING}); ` +
      `${ROUNDS} rounds of ${SECONDS} s, in turn on each server`);
    console.log('cpu: CPU seconds per wall second over the round (1.00 = one core busy) of the generator and of the server; the machine has 2 cores\n');

    type Phase = Record<string, LoadResult[]>;
    const hot = '/v1/serve/bench.plain';
    const runRounds = async (phase: string, withVars: boolean): Promise<Record<Generator, Phase>> => {
      const figures = {} as Record<Generator, Phase>;
      for (const generator of used) {
        const f: Phase = (figures[generator] = {
          'bare node:http': [], 'bare Fastify': [], gateway: [], ...(withVars ? { 'gateway, 3 vars': [], 'gateway, chat': [] } : {}),
        });
        await load(generator, gateway, [hot], [await issueServeHeaders()], 2); // warm-up: JIT and caches
        for (let round = 1; round <= ROUNDS; round++) {
          f['bare node:http'].push(await load(generator, bareNode, [hot], [{}]));
          f['bare Fastify'].push(await load(generator, bareFastify, [hot], [{}]));
          f.gateway.push(await load(generator, gateway, [hot], [await issueServeHeaders()]));
          if (withVars) {
            f['gateway, 3 vars'].push(await load(generator, gateway, [`/v1/serve/bench.vars${VARS}`], [await issueServeHeaders()]));
            f['gateway, chat'].push(await load(generator, gateway, [`/v1/serve/bench.chat${CHAT_VARS}`], [await issueServeHeaders()]));
          }
          for (const [label, rounds] of Object.entries(f)) {
            console.log(`${phase} ${generator.padEnd(7)} round ${round}  ${label.padEnd(15)} ${fmt(rounds.at(-1)!)}`);
          }
        }
      }
      return figures;
    };
    const summarise = (phase: string, figures: Record<Generator, Phase>) => {
      for (const generator of used) {
        const f = figures[generator];
        console.log(`\n${phase}, ${generator}, medians:`);
        for (const [label, rounds] of Object.entries(f)) console.log(`  ${label.padEnd(15)} ${fmtMed(med(rounds))}`);
        const g = med(f.gateway);
        console.log(`  ${verdict('gateway/bare Fastify', g, med(f['bare Fastify']))}`);
        console.log(`  ${verdict('gateway/bare node:http', g, med(f['bare node:http']))}`);
        if (f['gateway, 3 vars']) {
          const v = med(f['gateway, 3 vars']);
          const b = med(f['bare Fastify']);
          console.log(`  with variables/bare Fastify: req/s ${(v.rps / b.rps).toFixed(2)}, p99 ${(v.p99 / b.p99).toFixed(2)}x (no target)`);
          const c = med(f['gateway, chat']);
          console.log(`  chat, 6 messages, 3 variables/bare Fastify: req/s ${(c.rps / b.rps).toFixed(2)}, p99 ${(c.p99 / b.p99).toFixed(2)}x (reported, no target)`);
        }
      }
    };

    const fresh = await runRounds('fresh', true);

    // The mix: MIX_PROMPTS live prompts of ~1 KB, made live the way the registry's outbox does it.
    const rssBefore = processRssMb(gateway.pid);
    const seedStarted = performance.now();
    const snapshots = await seedLivePrompts(db, { workspaceId, environmentId, userId: me.user.id, prompts: MIX_PROMPTS, prefix: 'mix.prompt-' });
    const publisher = registry.get(LivePublisher);
    for (let i = 0; i < snapshots.length; i += 200) await Promise.all(snapshots.slice(i, i + 200).map((s) => publisher.publishLive(s)));
    const bytes = snapshots.reduce((n, s) => n + Buffer.byteLength(s.content ?? ''), 0) / snapshots.length;
    console.log(`\nmix: seeded ${snapshots.length} live prompts of ${bytes.toFixed(0)} bytes on average in SQL and published their snapshots ` +
      `through the registry's LivePublisher in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    const mixHeaders = await Promise.all(Array.from({ length: MIX_API_KEYS }, () => issueServeHeaders()));
    const mixPaths = snapshots.map((s) => `/v1/serve/${s.key}`);
    const warmSeconds = Math.max(1, Math.round(MIX_SECONDS / 5));
    const warm = await load('workers', gateway, mixPaths, mixHeaders, warmSeconds);
    const mix = await load('workers', gateway, mixPaths, mixHeaders, MIX_SECONDS - warmSeconds);
    const rssAfter = processRssMb(gateway.pid);
    const ratio = (r: LoadResult) => r.cache!.hit / (r.cache!.hit + r.cache!.miss + r.cache!.none);
    console.log(`mix warm-up (${warmSeconds} s, uniform over ${mixPaths.length} keys): ${fmt(warm)}  cache hit ratio ${ratio(warm).toFixed(4)} ` +
      `(${warm.cache!.miss} misses)`);
    console.log(`mix once warm (${MIX_SECONDS - warmSeconds} s): ${fmt(mix)}  cache hit ratio ${ratio(mix).toFixed(4)} (${mix.cache!.hit} HIT, ` +
      `${mix.cache!.miss} MISS)`);
    console.log(`gateway RSS: ${rssBefore?.toFixed(0)} MB before the mix, ${rssAfter?.toFixed(0)} MB after\n`);

    const afterMix = await runRounds('after mix', false);
    summarise('fresh', fresh);
    summarise('after the mix', afterMix);
    console.log(`\ncache hit ratio during the mix once warm: ${ratio(mix).toFixed(4)}; gateway RSS ${rssBefore?.toFixed(0)} MB -> ${rssAfter?.toFixed(0)} MB`);

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
    for (const child of children) await stopChild(child);
    await db.end().catch(() => undefined);
    await registry?.close();
    await dropDatabase(url);
    await dropRedisNamespace(config.REDIS_URL, redisPrefix);
  }
}

runBench(main);
