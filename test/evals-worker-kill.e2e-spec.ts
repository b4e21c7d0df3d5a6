import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { QUEUES } from '#contracts';
import { JUDGE_CRITERION_NAMES } from '#domain';
import { bootRegistry, TEST_ENCRYPTION_KEY, type RegistryHarness } from '../apps/registry/test/support/registry.js';
import { api, auditOf, createPrompt, makeTeam } from '../apps/registry/test/support/review-flow.js';
import { builtFile } from './support/build.js';
import { openEvalQueues, redisNamespaceText, type EvalQueues } from './support/eval-queues.js';
import { judgeAnswerText, startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from './support/redis.js';

/**
 * The worker is killed (SIGKILL, no cleanup) in the middle of a judge call, ten times in a row; a
 * new worker process starts each time. The eval's BullMQ lock lapses (EVAL_LOCK_MS) and a later
 * worker takes it up again, so every eval still ends with exactly one final result.
 * The registry applies a final result once per eval id whatever arrives; a live worker whose event
 * loop stalls past its lock can send a second one, so the lock is long next to any stall on a loaded
 * machine (renewed every half lock) and still short enough for the killed evals to be taken up again.
 */
const ROUNDS = 10;
const EVAL_LOCK_MS = 8_000;
const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;

/** Eval-worker child processes sharing one environment, with their output kept. */
class WorkerProcesses {
  readonly output: string[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly env: Record<string, string>) {}

  start(): ChildProcess {
    const child = spawn(process.execPath, [builtFile('apps/eval-worker/src/main.js')], {
      env: { PATH: process.env.PATH, APP_ENV: 'test', LOG_LEVEL: 'info', WORKER_HEALTH_PORT: '0', EVAL_LOCK_MS: String(EVAL_LOCK_MS), JUDGE_TIMEOUT_MS: '10000', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async killAll(): Promise<void> {
    for (const child of [...this.children]) await this.kill(child);
  }
}

/** Runs ROUNDS rounds: start an eval, wait until the provider has its call, kill the worker, start another. */
async function killDuringCalls(fake: FakeProviders, workers: WorkerProcesses, startEval: (marker: string, round: number) => Promise<void>): Promise<void> {
  let worker = workers.start();
  for (let round = 0; round < ROUNDS; round++) {
    const marker = `kill-round-${round}-${randomUUID()}`;
    const called = fake.nextRequest((r) => r.text.includes(marker));
    await startEval(marker, round);
    await called;
    await workers.kill(worker);
    worker = workers.start();
  }
}

async function requestsLeft(redisUrl: string, prefix: string): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.evalRequests, { connection, prefix: `{${prefix}}` });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'waiting-children');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

describe('eval-worker killed mid-call', () => {
  let fake: FakeProviders;

  beforeAll(async () => {
    fake = await startFakeProviders();
    fake.answer = () => judgeAnswerText(JUDGE_CRITERION_NAMES, 7);
  });
  beforeEach(() => {
    fake.reset();
    fake.delayMs = 1500;
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe('seen on eval.results', () => {
    const prefix = testRedisPrefix();
    const encryptionKey = randomBytes(32);
    let workers: WorkerProcesses;
    let queues: EvalQueues;

    beforeAll(async () => {
      workers = new WorkerProcesses({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ENCRYPTION_KEY: encryptionKey.toString('hex'), ...fake.env });
      queues = await openEvalQueues(TEST_REDIS_URL, prefix);
    });
    afterAll(async () => {
      await workers?.killAll();
      await queues?.close();
      await dropRedisPrefix(prefix);
    });

    it('finishes every eval with exactly one final result however often its worker is killed', async () => {
      const evalIds: string[] = [];
      await killDuringCalls(fake, workers, async (marker, round) => {
        const evalId = randomUUID();
        evalIds.push(evalId);
        await queues.addJudge({
          evalId, provider: round % 2 ? 'openai' : 'anthropic', apiKey: CANARY, encryptionKey, content: `You are a support agent. (${evalId} ${marker})`,
        });
      });

      const finals = await Promise.all(evalIds.map((id) => queues.finalResult(id, 90_000)));
      // Long enough for a duplicate from a lapsed lock to show up, were there one.
      await new Promise((r) => setTimeout(r, EVAL_LOCK_MS + 1000));

      for (const [i, evalId] of evalIds.entries()) {
        expect(finals[i]).toMatchObject({ eval_id: evalId, status: 'succeeded', score: 7 });
        expect(queues.finals(evalId)).toEqual([finals[i]]);
        // Called by the killed worker and again by the one that finished it.
        expect(fake.requests.filter((r) => r.text.includes(evalId)).length).toBeGreaterThanOrEqual(2);
      }
      expect(await requestsLeft(TEST_REDIS_URL, prefix)).toBe(0);
      expect(workers.output.join('')).toContain('eval succeeded');
      expect(workers.output.join('')).not.toContain(CANARY);
      expect(await redisNamespaceText(TEST_REDIS_URL, prefix)).not.toContain(CANARY);
    }, 240_000);
  });

  describe('stored by the registry', () => {
    let registry: RegistryHarness;
    let workers: WorkerProcesses;

    beforeAll(async () => {
      registry = await bootRegistry();
      workers = new WorkerProcesses({
        DATABASE_URL: registry.config.DATABASE_URL, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: registry.redisPrefix, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...fake.env,
      });
    });
    afterAll(async () => {
      await workers?.killAll();
      await registry?.close();
    });

    it('stores ten succeeded eval runs, each audited once, however often the worker is killed', async () => {
      const t = await makeTeam(registry.http);
      const evalIds: string[] = [];
      await killDuringCalls(fake, workers, async (marker, round) => {
        const { versionId } = await createPrompt(registry.http, t.editor, t.env.development, `kill.prompt-${round}`, `You are a support agent. (${marker})`);
        const res = await request(registry.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
          .send({ mode: 'judge', provider: round % 2 ? 'groq' : 'mistral', api_key: CANARY });
        expect(res.status).toBe(202);
        evalIds.push(res.body.eval_id as string);
      });

      const deadline = Date.now() + 90_000;
      let rows: { id: string; status: string; score: number | null }[];
      do {
        await new Promise((r) => setTimeout(r, 200));
        rows = await registry.dataSource.query(`SELECT id, status, score FROM eval_runs WHERE workspace_id = $1`, [t.ws]);
      } while (rows.some((r) => r.status !== 'succeeded' && r.status !== 'failed') && Date.now() < deadline);

      expect(rows).toHaveLength(ROUNDS);
      expect(rows.map((r) => r.id).sort()).toEqual([...evalIds].sort());
      expect(rows.every((r) => r.status === 'succeeded' && r.score === 7)).toBe(true);
      for (const evalId of evalIds) {
        expect((await auditOf(registry.dataSource, t.ws, evalId)).map((a) => a.action)).toEqual(['eval.completed']);
      }
      expect(await requestsLeft(TEST_REDIS_URL, registry.redisPrefix)).toBe(0);
      expect(workers.output.join('')).not.toContain(CANARY);
    }, 240_000);
  });
});
