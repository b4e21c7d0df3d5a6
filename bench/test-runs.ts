/**
 * Test-run benchmark (docs/BENCHMARKS.md "Test runs"): a 50-case suite through the real eval worker
 * (in process, real BullMQ and Redis) against the fake providers on 127.0.0.1, each case a
 * candidate and a baseline answer plus the case judge (three SDK calls). The registry's run
 * endpoints are not on this branch, so the bench drives `test.requests` directly as the registry
 * would and collects `test.results`. It times enqueue -> all 50 results, alternating rounds of
 * TEST_RUN_MAX_PARALLEL=1 (the baseline: one case of a run at a time) and the default 4.
 * Run: flock /work/notes/bench.lock npm run bench:test-runs
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadWorkerConfig, workerSchema } from '#config';
import { dropRedisNamespace } from '#runtime';
import { createWorker, type RunningWorker } from '../apps/eval-worker/src/app.factory.js';
import { startFakeProviders } from '../test/support/fake-providers.js';
import { caseJob, openTestRunQueues, type TestRunQueues } from '../test/support/test-run-queues.js';
import { runBench } from './support/throwaway.js';

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
  } finally {
    for (const setup of setups) {
      await setup.queues.close();
      await setup.worker.close();
      await dropRedisNamespace(REDIS_URL, setup.prefix);
    }
    await fake.close();
  }
}

runBench(main);
