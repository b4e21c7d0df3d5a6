import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES } from '#contracts';
import { builtFile } from './support/build.js';
import { redisNamespaceText } from './support/eval-queues.js';
import { startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from './support/redis.js';
import { caseJob, openTestRunQueues, type TestRunQueues } from './support/test-run-queues.js';

/**
 * The worker (from dist/) is SIGKILLed in the middle of a test run five times, a new process
 * started each time. A killed worker's cases stall; once their lock (TEST_LOCK_MS) and their run
 * slots lapse another worker runs them from the start, so every case still gets its result.
 */
const ROUNDS = 5;
const CASES = 10;
const TEST_LOCK_MS = 4000;
const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;

describe('eval-worker killed mid test run', () => {
  const prefix = testRedisPrefix();
  const encryptionKey = randomBytes(32);
  const output: string[] = [];
  const children = new Set<ChildProcess>();
  let fake: FakeProviders;
  let queues: TestRunQueues;

  const start = (): ChildProcess => {
    const child = spawn(process.execPath, [builtFile('apps/eval-worker/src/main.js')], {
      env: {
        PATH: process.env.PATH, APP_ENV: 'test', LOG_LEVEL: 'info', WORKER_HEALTH_PORT: '0', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix,
        ENCRYPTION_KEY: encryptionKey.toString('hex'), TEST_LOCK_MS: String(TEST_LOCK_MS), TEST_CALL_TIMEOUT_MS: '10000', TEST_CASE_CONCURRENCY: '3', ...fake.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };
  const kill = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    fake = await startFakeProviders();
    fake.delayMs = 700;
    queues = await openTestRunQueues(TEST_REDIS_URL, prefix);
  });
  afterAll(async () => {
    for (const child of [...children]) await kill(child);
    await queues?.close();
    await fake?.close();
    await dropRedisPrefix(prefix);
  });

  it(`gives each of ${CASES} cases exactly one result however often its worker is killed`, async () => {
    const runId = randomUUID();
    const jobs = Array.from({ length: CASES }, (_, i) => caseJob({
      runId, index: i, apiKey: CANARY, encryptionKey, provider: i % 2 ? 'anthropic' : 'groq', model: i % 2 ? 'claude-haiku-4-5' : 'llama-3.3-70b-versatile',
      content: 'You are a formal support agent.', baseline: 'You are a casual support agent.', input: `case-${i} invoice question`,
      assertions: [{ type: 'judge', value: 'The answer is formal.' }],
    }));
    let worker = start();
    for (const job of jobs) await queues.add(job);
    for (let round = 0; round < ROUNDS; round++) {
      // Wait for this worker's first provider call, then kill it mid-call.
      await fake.nextRequest();
      await kill(worker);
      worker = start();
    }
    await queues.resultsOf(runId, jobs.map((j) => j.case_id), 120_000);
    // Long enough for a duplicate from a lapsed lock to show up, were there one.
    await new Promise((r) => setTimeout(r, TEST_LOCK_MS + 1000));

    const ofRun = queues.results.filter((r) => r.run_id === runId);
    expect(new Set(ofRun.map((r) => `${r.run_id}/${r.case_id}`)).size).toBe(CASES);
    expect(ofRun).toHaveLength(CASES);
    expect(ofRun.every((r) => r.status === 'succeeded' && r.verdict === 'improved' && r.assertions[0].passed)).toBe(true);
    expect(ofRun.map((r) => r.index).sort((a, b) => a - b)).toEqual(jobs.map((j) => j.index));
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const requests = new Queue(QUEUES.testRequests, { connection, prefix: `{${prefix}}` });
    try {
      const counts = await requests.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await requests.close();
      connection.disconnect();
    }
    expect(output.join('')).toContain('test case succeeded');
    expect(output.join('')).not.toContain(CANARY);
    expect(await redisNamespaceText(TEST_REDIS_URL, prefix)).not.toContain(CANARY);
  }, 240_000);
});
