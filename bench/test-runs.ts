/**
 * Test-run benchmark (docs/BENCHMARKS.md "Test runs"): a 50-case suite through the real eval worker
 * (in process, real BullMQ and Redis) against the fake providers on 127.0.0.1, each case a
 * candidate and a baseline answer plus the case judge (three SDK calls). The registry's run
 * endpoints are not on this branch, so the bench drives `test.requests` directly as the registry
 * would and collects `test.results`. It times enqueue -> all 50 results, alternating rounds of
 * TEST_RUN_MAX_PARALLEL=1 (the baseline: one case of a run at a time) and the default 4.
 * Then, through the registry (issue 14's figure): the registry in-process on a throwaway database,
 * the worker beside it, a prompt with a live baseline and 50 test cases, and the time from
 * `POST /versions/:id/test-runs` to the run's `succeeded` (polled every 20 ms), three rounds.
 * Run: flock /work/notes/bench.lock npm run bench:test-runs
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadWorkerConfig, workerSchema } from '#config';
import type { AddressInfo } from 'node:net';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { dropRedisNamespace } from '#runtime';
import { createRegistryApp } from '../apps/registry/src/app.factory.js';
import { json, keepAliveAgent, send } from './support/measure.js';
import { createWorker, type RunningWorker } from '../apps/eval-worker/src/app.factory.js';
import { startFakeProviders } from '../test/support/fake-providers.js';
import { caseJob, openTestRunQueues, type TestRunQueues } from '../test/support/test-run-queues.js';
import { runBench, throwaway } from './support/throwaway.js';

const CASES = 50;
const ROUNDS = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DEFAULT_PARALLEL = workerSchema.shape.TEST_RUN_MAX_PARALLEL.parse(undefined);
const SETTINGS = [1, DEFAULT_PARALLEL];

interface Setup {
  parallel: number;
  prefix: string;
  worker: RunningWorker;
  queues: TestRunQueues;
  times: number[];
}

async function oneRun(setup: Setup, encryptionKey: Buffer): Promise<number> {
  const runId = randomUUID();
  const jobs = Array.from({ length: CASES }, (_, i) => caseJob({
    runId, index: i, apiKey: `sk-bench-${i}`, encryptionKey, provider: 'openai', model: 'gpt-4o-mini',
    content: 'You are a formal support agent. Always mention "our billing team".', baseline: 'You are a casual support agent.',
    input: `Question ${i}: where is my invoice for order ${i}?`,
    assertions: [{ type: 'contains', value: 'billing team' }, { type: 'max_chars', value: 400 }, { type: 'judge', value: 'The answer is formal.' }],
  }));
  const started = process.hrtime.bigint();
  for (const job of jobs) await setup.queues.add(job);
  const results = await setup.queues.resultsOf(runId, jobs.map((j) => j.case_id), 120_000);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const failed = results.filter((r) => r.status !== 'succeeded');
  if (failed.length > 0) throw new Error(`${failed.length} cases failed: ${JSON.stringify(failed[0])}`);
  return elapsed;
}

async function main(): Promise<void> {
  const fake = await startFakeProviders();
  const encryptionKey = randomBytes(32);
  const setups: Setup[] = [];
  try {
    for (const parallel of SETTINGS) {
      const prefix = `pgbench_${randomBytes(5).toString('hex')}`;
      const worker = await createWorker(loadWorkerConfig({
        APP_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL, REDIS_PREFIX: prefix, ENCRYPTION_KEY: encryptionKey.toString('hex'),
        WORKER_HEALTH_PORT: '0', TEST_RUN_MAX_PARALLEL: String(parallel), ...fake.env,
      }));
      setups.push({ parallel, prefix, worker, queues: await openTestRunQueues(REDIS_URL, prefix), times: [] });
    }
    // One warm-up run each (SDK clients, Lua script load, JIT), then alternating measured rounds.
    for (const setup of setups) await oneRun(setup, encryptionKey);
    for (let round = 0; round < ROUNDS; round++) {
      for (const setup of setups) setup.times.push(await oneRun(setup, encryptionKey));
    }
    const calls = fake.requests.length / ((ROUNDS + 1) * SETTINGS.length * CASES);
    console.log(`test runs: ${CASES} cases, ${calls.toFixed(0)} provider calls a case (candidate, baseline, judge), TEST_CASE_CONCURRENCY=${workerSchema.shape.TEST_CASE_CONCURRENCY.parse(undefined)}, one worker, fake providers answering at once`);
    const medians = new Map<number, number>();
    for (const setup of setups) {
      const sorted = [...setup.times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      medians.set(setup.parallel, median);
      console.log(`  TEST_RUN_MAX_PARALLEL=${setup.parallel}${setup.parallel === DEFAULT_PARALLEL ? ' (default)' : ' (baseline)'}: enqueue -> ${CASES} results ${setup.times.map((t) => t.toFixed(0)).join(' / ')} ms, median ${median.toFixed(0)} ms = ${(CASES / (median / 1000)).toFixed(1)} cases/s`);
    }
    console.log(`  default vs baseline: ${((medians.get(1) as number) / (medians.get(DEFAULT_PARALLEL) as number)).toFixed(2)}x faster`);
    await throughRegistry(fake.env);
  } finally {
    for (const setup of setups) {
      await setup.queues.close();
      await setup.worker.close();
      await dropRedisNamespace(REDIS_URL, setup.prefix);
    }
    await fake.close();
  }
}

/** Request to succeeded run through the registry's API, the queues and the worker. */
async function throughRegistry(providerEnv: Record<string, string>): Promise<void> {
  const { url, redisPrefix, registryConfig } = throwaway();
  const encryptionKey = randomBytes(32).toString('hex');
  const config = registryConfig({ ENCRYPTION_KEY: encryptionKey });
  let registry: Awaited<ReturnType<typeof createRegistryApp>> | undefined;
  let worker: RunningWorker | undefined;
  try {
    await ensureDatabase(url);
    await runMigrations(url);
    registry = await createRegistryApp(config);
    await registry.listen(0, '127.0.0.1');
    worker = await createWorker(loadWorkerConfig({
      APP_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: config.REDIS_URL, REDIS_PREFIX: redisPrefix, ENCRYPTION_KEY: encryptionKey,
      WORKER_HEALTH_PORT: '0', ...providerEnv,
    }));
    const base = `http://127.0.0.1:${(registry.getHttpServer().address() as AddressInfo).port}/api/v1`;
    const signedUp = await json<{ access_token: string }>(send(`${base}/auth/signup`, {
      method: 'POST', body: { email: `bench.${randomBytes(4).toString('hex')}@example.com`, password: 'bench-password-123' },
    }), 201);
    const headers = { authorization: `Bearer ${signedUp.access_token}` };
    const me = await json<{ memberships: Array<{ workspace: { id: string } }> }>(send(`${base}/me`, { headers }), 200);
    const envs = await json<{ items: Array<{ id: string; name: string }> }>(send(`${base}/workspaces/${me.memberships[0].workspace.id}/environments`, { headers }), 200);
    const dev = envs.items.find((e) => e.name === 'development')!.id;
    const created = await json<{ prompt: { id: string }; version: { id: string } }>(send(`${base}/environments/${dev}/prompts`, {
      method: 'POST', headers, body: { key: 'bench.tests', content: 'You are a casual support agent.', config: { provider: 'openai', model: 'gpt-4o-mini' } },
    }), 201);
    await json(send(`${base}/versions/${created.version.id}/submit`, { method: 'POST', headers }), 200);
    await json(send(`${base}/versions/${created.version.id}/approve`, { method: 'POST', headers, body: {} }), 200);
    for (let i = 0; i < CASES; i++) {
      await json(send(`${base}/prompts/${created.prompt.id}/test-cases`, {
        method: 'POST', headers, body: {
          name: `case ${String(i).padStart(2, '0')}`, input: `Question ${i}: where is my invoice for order ${i}?`,
          assertions: [{ type: 'contains', value: 'billing team' }, { type: 'max_chars', value: 400 }, { type: 'judge', value: 'The answer is formal.' }],
        },
      }), 201);
    }
    const times: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      // A new candidate each round, so no candidate answer is reused; the live baseline's answers are after the first round.
      const candidate = await json<{ version: { id: string } }>(send(`${base}/prompts/${created.prompt.id}/versions`, {
        method: 'POST', headers, body: { content: `You are a formal support agent (round ${round}). Always mention "our billing team".` },
      }), 201);
      const started = process.hrtime.bigint();
      const queued = await json<{ test_run_id: string }>(send(`${base}/versions/${candidate.version.id}/test-runs`, {
        method: 'POST', headers, body: { api_key: `sk-bench-${round}` },
      }), 202);
      for (;;) {
        const run = await json<{ status: string; cases_passed: number }>(send(`${base}/test-runs/${queued.test_run_id}`, { headers }), 200);
        if (run.status === 'succeeded') break;
        if (run.status === 'failed') throw new Error(`the run failed: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (round > 0) times.push(elapsed); // round 0 warms up and answers the baseline once
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`through the registry: POST /versions/:id/test-runs -> run succeeded, ${CASES} cases (baseline answers reused after the warm-up round): ` +
      `${times.map((t) => t.toFixed(0)).join(' / ')} ms, median ${median.toFixed(0)} ms = ${(CASES / (median / 1000)).toFixed(1)} cases/s`);
  } finally {
    keepAliveAgent.destroy();
    await worker?.close();
    await registry?.close();
    await dropDatabase(url);
    await dropRedisNamespace(config.REDIS_URL, redisPrefix);
  }
}

runBench(main);
