import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { JUDGE_CRITERION_NAMES } from '#domain';
import { builtFile } from './support/build.js';
import { openEvalQueues, redisNamespaceText, type EvalQueues } from './support/eval-queues.js';
import { judgeAnswerText, startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from './support/redis.js';

const ROUNDS = 10;
const ENCRYPTION_KEY = randomBytes(32);
const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;

/**
 * The worker is killed (SIGKILL, no cleanup) in the middle of a judge call, ten times in a row; a
 * new worker process starts each time. The eval's BullMQ lock lapses and the next worker takes it
 * up again, so every eval still ends with exactly one final result.
 */
describe('eval-worker killed mid-call', () => {
  const prefix = testRedisPrefix();
  const output: string[] = [];
  const children = new Set<ChildProcess>();
  let fake: FakeProviders;
  let queues: EvalQueues;

  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, [builtFile('apps/eval-worker/src/main.js')], {
      env: {
        PATH: process.env.PATH,
        APP_ENV: 'test',
        LOG_LEVEL: 'info',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        ENCRYPTION_KEY: ENCRYPTION_KEY.toString('hex'),
        WORKER_HEALTH_PORT: '0',
        EVAL_LOCK_MS: '2000',
        JUDGE_TIMEOUT_MS: '10000',
        ...fake.env,
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
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    fake = await startFakeProviders();
    fake.answer = () => judgeAnswerText(JUDGE_CRITERION_NAMES, 7);
    fake.delayMs = 1500;
    queues = await openEvalQueues(TEST_REDIS_URL, prefix);
  });

  afterAll(async () => {
    for (const child of [...children]) await kill(child);
    await queues?.close();
    await fake?.close();
    await dropRedisPrefix(prefix);
  });

  it('finishes every eval exactly once however often its worker is killed', async () => {
    const evalIds: string[] = [];
    let worker = startWorker();
    for (let round = 0; round < ROUNDS; round++) {
      const evalId = randomUUID();
      evalIds.push(evalId);
      const called = fake.nextRequest((r) => r.text.includes(evalId));
      await queues.addJudge({ evalId, provider: round % 2 ? 'openai' : 'anthropic', apiKey: CANARY, encryptionKey: ENCRYPTION_KEY });
      await called;
      await kill(worker);
      worker = startWorker();
    }

    const finals = await Promise.all(evalIds.map((id) => queues.finalResult(id, 90_000)));
    // Long enough for a duplicate from a stale lock to show up, were there one.
    await new Promise((r) => setTimeout(r, 3000));

    for (const [i, evalId] of evalIds.entries()) {
      expect(finals[i]).toMatchObject({ eval_id: evalId, status: 'succeeded', score: 7 });
      expect(queues.finals(evalId)).toEqual([finals[i]]);
      // Each eval was called by the killed worker and again by the one that finished it.
      expect(fake.requests.filter((r) => r.text.includes(evalId)).length).toBeGreaterThanOrEqual(2);
    }
    const left = await queues.requests.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'waiting-children');
    expect(Object.values(left).reduce((a, b) => a + b, 0)).toBe(0);

    expect(output.join('')).toContain('eval succeeded');
    expect(output.join('')).not.toContain(CANARY);
    expect(await redisNamespaceText(TEST_REDIS_URL, prefix)).not.toContain(CANARY);
  }, 240_000);
});
