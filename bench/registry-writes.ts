/**
 * Registry write benchmark (docs/BENCHMARKS.md "Registry writes"): 20 concurrent clients in one
 * workspace, (a) proposals (POST /prompts/:id/versions) per second, each client on its own prompt,
 * and (b) submit+approve cycles per second in the development environment (no four-eyes), each on
 * a draft proposed beforehand, untimed. The registry runs as a child process started from a dist
 * directory, each variant on its own throwaway database; with BENCH_BASELINE_DIST set (the dist
 * of the previous commit) rounds alternate baseline / new so both see the same machine. During
 * each timed phase pg_stat_activity is sampled every 5 ms for connections waiting on an advisory lock.
 * Run: npm run bench:registry-writes (BENCH_BASELINE_DIST=/path/to/baseline/dist to compare; BENCH_ROUNDS,
 * BENCH_POOL_SIZE and BENCH_NODE_ARGS, passed to the registry's node, e.g. --cpu-prof, are optional)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { dropRedisNamespace } from '#runtime';
import { databaseUrl } from './support/measure.js';
import { RoundTripCounter } from './support/pg-round-trips.js';
import { runBench } from './support/throwaway.js';

const CLIENTS = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROPOSAL_WARMUP_MS = 1_000;
const PROPOSAL_MS = 5_000;
const CYCLE_WARMUP = 5;
const CYCLES_PER_CLIENT = 30;
/** DATABASE_POOL_SIZE of the new registry; unset, its default. */
const POOL_SIZE = process.env.BENCH_POOL_SIZE;
const SAMPLE_MS = 5;
const CONTENT = `You are a support agent for {{product}}. Answer in {{language}}, one clarifying question at most.\n${'Explain each invoice line in plain words. '.repeat(22)}`;

interface Variant {
  name: 'baseline' | 'new';
  dist: string;
  url: string;
  redisPrefix: string;
}

interface Phase {
  count: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  /** Mean and peak of connections waiting on Lock:advisory, over the samples of the phase. */
  advisoryMean: number;
  advisoryMax: number;
  /** Share of samples with at least one advisory wait. */
  advisoryShare: number;
  /** CPU used over the phase, as a share of one core: the registry process, and this bench process (the 20 clients). */
  registryCpu: number;
  clientCpu: number;
  /** CPU of every PostgreSQL process on the machine (its backends and background workers), and the machine's busy share of all its cores. */
  postgresCpu: number;
  machineBusy: number;
}

interface Round {
  proposals: Phase;
  cycles: Phase;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 2 });

function call(base: string, method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((done, fail) => {
    const req = http.request(`${base}${path}`, {
      method, agent,
      headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(payload);
  });
}

async function expect<T>(answer: Promise<{ status: number; body: string }>, status: number, what: string): Promise<T> {
  const got = await answer;
  if (got.status !== status) throw new Error(`${what} answered ${got.status}: ${got.body.slice(0, 300)}`);
  return JSON.parse(got.body || 'null') as T;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** The registry of `dist`, listening on 127.0.0.1, once /health answers; `url` overrides the variant's database URL. */
async function startRegistry(variant: Variant, redisUrl: string, url = variant.url): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  // BENCH_NODE_ARGS (e.g. --cpu-prof) go to the registry's node, to profile it under this load.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(variant.dist, 'apps/registry/src/main.js')], {
    cwd: resolve(variant.dist, '..'),
    env: {
      PATH: process.env.PATH, APP_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, REDIS_URL: redisUrl,
      REDIS_PREFIX: variant.redisPrefix, JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      REGISTRY_PORT: String(port), REGISTRY_HOST: '127.0.0.1', PASSWORD_SCRYPT_N: '1024', ...(POOL_SIZE ? { DATABASE_POOL_SIZE: POOL_SIZE } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${variant.name} registry exited with ${child.exitCode}`);
    const up = await call(origin, 'GET', '/health', null).then((a) => a.status === 200, () => false);
    if (up) return { base: `${origin}/api/v1`, child };
    if (Date.now() > deadline) throw new Error(`the ${variant.name} registry did not answer /health within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopRegistry(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Counts connections of the database waiting on an advisory lock every SAMPLE_MS until stopped. */
function sampleAdvisoryWaits(adminUrl: string, database: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`, [database]);
      samples.push(Number(rows[0].n));
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const n = samples.length || 1;
      return {
        advisoryMean: samples.reduce((a, b) => a + b, 0) / n,
        advisoryMax: Math.max(0, ...samples),
        advisoryShare: samples.filter((s) => s > 0).length / n,
      };
    },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds used so far by every process whose command is `name` (PostgreSQL's backends all are `postgres`). */
function cpuSecondsOfAll(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
      total += cpuSecondsOf(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** The machine's busy and total jiffies so far, over all cores (/proc/stat). */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - fields[3] - fields[4], total };
}

async function timed(variant: Variant, registryPid: number, work: (latencies: number[]) => Promise<number>): Promise<Phase> {
  const database = new URL(variant.url).pathname.slice(1);
  const sampler = sampleAdvisoryWaits(variant.url, database);
  const latencies: number[] = [];
  const registryBefore = cpuSecondsOf(registryPid);
  const clientBefore = process.cpuUsage();
  const postgresBefore = cpuSecondsOfAll('postgres');
  const machineBefore = machineJiffies();
  const started = process.hrtime.bigint();
  const count = await work(latencies);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const client = process.cpuUsage(clientBefore);
  const registryCpu = (cpuSecondsOf(registryPid) - registryBefore) / seconds;
  const postgresCpu = (cpuSecondsOfAll('postgres') - postgresBefore) / seconds;
  const machineAfter = machineJiffies();
  const machineBusy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
  const waits = await sampler.stop();
  latencies.sort((a, b) => a - b);
  return {
    count, seconds, rate: count / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), ...waits,
    registryCpu, clientCpu: (client.user + client.system) / 1e6 / seconds, postgresCpu, machineBusy,
  };
}

function since(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** A signed-up user, its workspace's development environment, and the calls every phase makes. */
async function workspaceOn(base: string, keyPrefix: string) {
  const signup = await expect<{ access_token: string }>(call(base, 'POST', '/auth/signup', null, {
    email: `bench.${randomBytes(5).toString('hex')}@example.com`, password: 'bench-password-123',
  }), 201, 'signup');
  const token = signup.access_token;
  const me = await expect<{ memberships: Array<{ workspace: { id: string } }> }>(call(base, 'GET', '/me', token), 200, 'GET /me');
  const environments = await expect<{ items: Array<{ id: string; name: string }> }>(
    call(base, 'GET', `/workspaces/${me.memberships[0].workspace.id}/environments`, token), 200, 'environments');
  const development = environments.items.find((e) => e.name === 'development')!.id;
  let created = 0;
  const createPrompt = () => expect<{ prompt: { id: string }; version: { id: string } }>(call(base, 'POST', `/environments/${development}/prompts`, token, {
    key: `${keyPrefix}-${created++}`, content: CONTENT,
  }), 201, 'create prompt');
  let n = 0;
  const propose = (promptId: string) => expect<{ version: { id: string } }>(
    call(base, 'POST', `/prompts/${promptId}/versions`, token, { content: `${CONTENT}\nrevision ${n++}` }), 201, 'propose');
  const submit = (versionId: string) => expect(call(base, 'POST', `/versions/${versionId}/submit`, token), 200, 'submit');
  const approve = (versionId: string) => expect(call(base, 'POST', `/versions/${versionId}/approve`, token, {}), 200, 'approve');
  /** A prompt with a live version and a draft proposed on it: what a cycle submits and approves. */
  const draftOnLive = async () => {
    const first = await createPrompt();
    await submit(first.version.id);
    await approve(first.version.id);
    return (await propose(first.prompt.id)).version.id;
  };
  return { createPrompt, propose, submit, approve, draftOnLive };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round trips to PostgreSQL per proposal, submit and approve, and per idle second (the relay's sweep). */
interface RoundTrips {
  idlePerSecond: number;
  proposal: number;
  submit: number;
  approve: number;
}

const COUNTED_OPERATIONS = 50;

/**
 * Counts the round trips each operation makes to PostgreSQL (RoundTripCounter, a proxy between
 * the registry and the server), one client doing COUNTED_OPERATIONS of each in sequence, with
 * whatever the operation sets off after its answer (the relay) included; what the registry sends
 * when idle (its sweep) is measured first and taken off pro rata.
 */
async function countRoundTrips(variant: Variant, redisUrl: string): Promise<RoundTrips> {
  const target = new URL(variant.url);
  const counter = new RoundTripCounter({ host: target.hostname, port: Number(target.port || 5432) });
  const port = await counter.open();
  const proxied = new URL(variant.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  const { base, child } = await startRegistry(variant, redisUrl, proxied.toString());
  try {
    const w = await workspaceOn(base, 'bench.counted');
    const prompts: string[] = [];
    const drafts: string[] = [];
    for (let i = 0; i < COUNTED_OPERATIONS; i++) {
      prompts.push((await w.createPrompt()).prompt.id);
      drafts.push(await w.draftOnLive());
    }
    await sleep(1_500);
    counter.take();
    const idleStarted = Date.now();
    await sleep(3_000);
    const idlePerSecond = counter.take().roundTrips / ((Date.now() - idleStarted) / 1000);
    const perOperation = async (operation: (i: number) => Promise<unknown>) => {
      counter.take();
      const started = Date.now();
      for (let i = 0; i < COUNTED_OPERATIONS; i++) await operation(i);
      await sleep(300);
      const counted = counter.take().roundTrips - idlePerSecond * ((Date.now() - started) / 1000);
      return counted / COUNTED_OPERATIONS;
    };
    return {
      idlePerSecond,
      proposal: await perOperation((i) => w.propose(prompts[i])),
      submit: await perOperation((i) => w.submit(drafts[i])),
      approve: await perOperation((i) => w.approve(drafts[i])),
    };
  } finally {
    await stopRegistry(child);
    await counter.close();
  }
}

/** One round on a running registry: a fresh workspace, CLIENTS prompts, the proposals then the cycles. */
async function round(variant: Variant, base: string, registryPid: number): Promise<Round> {
  const w = await workspaceOn(base, 'bench.writes');
  const promptIds: string[] = [];
  for (let i = 0; i < CLIENTS; i++) promptIds.push((await w.createPrompt()).prompt.id);
  const propose = (promptId: string) => w.propose(promptId);

  // (a) proposals: every client proposes on its own prompt until the time is up.
  const proposeFor = (ms: number, latencies: number[] | null) => Promise.all(promptIds.map(async (promptId) => {
    let done = 0;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const started = process.hrtime.bigint();
      await propose(promptId);
      latencies?.push(since(started));
      done++;
    }
    return done;
  })).then((counts) => counts.reduce((a, b) => a + b, 0));
  await proposeFor(PROPOSAL_WARMUP_MS, null);
  const proposals = await timed(variant, registryPid, (latencies) => proposeFor(PROPOSAL_MS, latencies));

  // (b) submit + approve: per cycle a prompt with a live version and a draft on it, made first (untimed);
  // then each client submits and approves its drafts in order, each superseding its prompt's live version.
  const cycle = async (versionId: string) => {
    await w.submit(versionId);
    await w.approve(versionId);
  };
  const drafts = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const ids: string[] = [];
    for (let i = 0; i < CYCLE_WARMUP + CYCLES_PER_CLIENT; i++) ids.push(await w.draftOnLive());
    return ids;
  }));
  await Promise.all(drafts.map(async (ids) => {
    for (const id of ids.slice(0, CYCLE_WARMUP)) await cycle(id);
  }));
  const cycles = await timed(variant, registryPid, (latencies) => Promise.all(drafts.map(async (ids) => {
    for (const id of ids.slice(CYCLE_WARMUP)) {
      const started = process.hrtime.bigint();
      await cycle(id);
      latencies.push(since(started));
    }
    return ids.length - CYCLE_WARMUP;
  })).then((counts) => counts.reduce((a, b) => a + b, 0)));
  return { proposals, cycles };
}

function describe(name: string, phase: Phase, unit: string): string {
  return `${name.padEnd(9)} ${phase.rate.toFixed(0).padStart(6)} ${unit}  (${phase.count} in ${phase.seconds.toFixed(2)} s, p50 ${phase.p50.toFixed(1)} ms, `
    + `p99 ${phase.p99.toFixed(1)} ms; advisory lock waits: mean ${phase.advisoryMean.toFixed(2)}, max ${phase.advisoryMax}, `
    + `in ${(phase.advisoryShare * 100).toFixed(0)}% of samples; CPU: registry ${(phase.registryCpu * 100).toFixed(0)}%, `
    + `bench clients ${(phase.clientCpu * 100).toFixed(0)}%, PostgreSQL ${(phase.postgresCpu * 100).toFixed(0)}% of a core; `
    + `machine ${(phase.machineBusy * 100).toFixed(0)}% busy)`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const baselineDist = process.env.BENCH_BASELINE_DIST ? resolve(process.env.BENCH_BASELINE_DIST) : null;
  const variant = (name: Variant['name'], dist: string): Variant => ({
    name, dist, url: databaseUrl(`promptgate_bench_${randomBytes(5).toString('hex')}`), redisPrefix: `pgbench_${randomBytes(5).toString('hex')}`,
  });
  const variants = [...(baselineDist ? [variant('baseline', baselineDist)] : []), variant('new', here)];
  console.log(`bench:registry-writes on node ${process.version}, ${new Date().toISOString()}: ${CLIENTS} clients, one workspace, `
    + `${ROUNDS} rounds, DATABASE_POOL_SIZE=${POOL_SIZE ?? 'its default'} (the baseline's pool is its fixed 10)`);
  if (!baselineDist) console.log('BENCH_BASELINE_DIST not set: the new figures only, no baseline in this run');
  const results = new Map<Variant['name'], Round[]>(variants.map((v) => [v.name, []]));
  try {
    for (const v of variants) {
      await ensureDatabase(v.url);
      await runMigrations(v.url);
    }
    // Counted first, one client at a time: figures the machine's load does not change.
    console.log(`round trips to PostgreSQL per operation (one client, ${COUNTED_OPERATIONS} of each in sequence, what the answer sets off `
      + 'included, the idle sweep taken off):');
    for (const v of variants) {
      const trips = await countRoundTrips(v, redisUrl);
      console.log(`  ${v.name.padEnd(8)} proposal ${trips.proposal.toFixed(1)}, submit ${trips.submit.toFixed(1)}, approve ${trips.approve.toFixed(1)} `
        + `(idle: ${trips.idlePerSecond.toFixed(1)} per second)`);
    }
    for (let r = 1; r <= ROUNDS; r++) {
      for (const v of r % 2 ? variants : [...variants].reverse()) {
        const { base, child } = await startRegistry(v, redisUrl);
        try {
          const result = await round(v, base, child.pid!);
          results.get(v.name)!.push(result);
          console.log(`round ${r}, ${v.name} (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
          console.log(`  ${describe('proposals', result.proposals, 'proposals/s')}`);
          console.log(`  ${describe('cycles', result.cycles, 'cycles/s   ')}`);
        } finally {
          await stopRegistry(child);
        }
      }
    }
    console.log('median over the rounds:');
    for (const v of variants) {
      const rounds = results.get(v.name)!;
      const proposals = median(rounds.map((x) => x.proposals.rate));
      const cycles = median(rounds.map((x) => x.cycles.rate));
      const waits = median(rounds.map((x) => x.proposals.advisoryMean));
      const cycleWaits = median(rounds.map((x) => x.cycles.advisoryMean));
      console.log(`  ${v.name.padEnd(8)} ${proposals.toFixed(0)} proposals/s (target >= 1000), ${cycles.toFixed(0)} submit+approve cycles/s (target >= 250); `
        + `mean connections waiting on Lock:advisory ${waits.toFixed(2)} (proposals), ${cycleWaits.toFixed(2)} (cycles)`);
    }
    if (baselineDist) {
      const ratio = (pick: (x: Round) => number) => median(results.get('new')!.map(pick)) / median(results.get('baseline')!.map(pick));
      console.log(`  new / baseline: proposals ${ratio((x) => x.proposals.rate).toFixed(2)}x, cycles ${ratio((x) => x.cycles.rate).toFixed(2)}x`);
    }
    console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  } finally {
    agent.destroy();
    for (const v of variants) {
      await dropDatabase(v.url);
      await dropRedisNamespace(redisUrl, v.redisPrefix);
    }
  }
}

runBench(main);
