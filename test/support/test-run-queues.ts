import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, TEST_CASE_JOB, TEST_CASE_RESULT_JOB, testCaseResultJobSchema, type Provider, type TestCaseJob, type TestCaseResultJob } from '#contracts';
import { evalJobKeyBinding, sealSecret } from '#domain';

/**
 * Both ends of the worker's test-run queues for tests that stand in for the registry: add cases
 * to `test.requests` as the registry does (keys sealed to the run), and collect `test.results`.
 */
export interface TestRunQueues {
  requests: Queue;
  /** Every result received, in arrival order. */
  results: TestCaseResultJob[];
  /** Resolves once every one of `caseIds` of `runId` has a result. */
  resultsOf(runId: string, caseIds: readonly string[], timeoutMs?: number): Promise<TestCaseResultJob[]>;
  add(job: TestCaseJob, options?: { attempts?: number }): Promise<void>;
  close(): Promise<void>;
}

export interface CaseOptions {
  runId?: string;
  caseId?: string;
  index?: number;
  provider?: Provider;
  model?: string;
  judge?: { provider: Provider; model: string };
  apiKey: string;
  judgeKey?: string;
  encryptionKey: Buffer;
  content?: string;
  config?: Record<string, unknown>;
  baseline?: string | null;
  baselineConfig?: Record<string, unknown>;
  baselineOutput?: string | null;
  input?: string | null;
  assertions?: TestCaseJob['case']['assertions'];
  expiresAt?: string;
}

/** A `test.case.v1` job for one case of a text prompt, keys sealed as the registry seals them. */
export function caseJob(options: CaseOptions): TestCaseJob {
  const runId = options.runId ?? randomUUID();
  const expiresAt = options.expiresAt ?? new Date(Date.now() + 30 * 60_000).toISOString();
  const binding = evalJobKeyBinding(runId, expiresAt);
  const provider = options.provider ?? 'openai';
  const baseline = options.baseline ?? null;
  return {
    v: 1, run_id: runId, case_id: options.caseId ?? randomUUID(), workspace_id: randomUUID(), index: options.index ?? 0,
    case: { name: 'a case', variables: {}, input: options.input === undefined ? 'Where is my invoice for March?' : options.input, placeholders: {}, assertions: options.assertions ?? [] },
    candidate: { version_id: randomUUID(), type: 'text', content: options.content ?? 'You are a formal support agent.', messages: null, config: options.config ?? {} },
    baseline: baseline === null ? null : { version_id: randomUUID(), type: 'text', content: baseline, messages: null, config: options.baselineConfig ?? {} },
    baseline_output: options.baselineOutput ?? null,
    answer: { provider, model: options.model ?? 'gpt-4o-mini' },
    judge: options.judge ?? { provider, model: options.model ?? 'gpt-4o-mini' },
    sealed_key: sealSecret(options.encryptionKey, options.apiKey, binding),
    sealed_judge_key: options.judgeKey === undefined ? null : sealSecret(options.encryptionKey, options.judgeKey, binding),
    key_expires_at: expiresAt,
  };
}

export async function openTestRunQueues(redisUrl: string, prefix: string): Promise<TestRunQueues> {
  const bullPrefix = `{${prefix}}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const requests = new Queue(QUEUES.testRequests, { connection, prefix: bullPrefix });
  const results: TestCaseResultJob[] = [];
  let waiters: (() => void)[] = [];
  const consumer = new Worker(QUEUES.testResults, async (job) => {
    if (job.name !== TEST_CASE_RESULT_JOB) throw new Error(`unexpected result job ${job.name}`);
    results.push(testCaseResultJobSchema.parse(job.data));
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  }, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: bullPrefix, concurrency: 20 });

  return {
    requests,
    results,
    async resultsOf(runId, caseIds, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = results.filter((r) => r.run_id === runId);
        if (caseIds.every((id) => seen.some((r) => r.case_id === id))) return caseIds.map((id) => seen.find((r) => r.case_id === id) as TestCaseResultJob);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`run ${runId}: ${seen.length} of ${caseIds.length} results within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    async add(job, options = {}) {
      await requests.add(TEST_CASE_JOB, job, {
        jobId: `${job.run_id}.${job.case_id}`, attempts: options.attempts ?? 3, backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true, removeOnFail: true, stackTraceLimit: 0,
      });
    },
    async close() {
      await consumer.close();
      await consumer.disconnect();
      await requests.close();
      connection.disconnect();
    },
  };
}
