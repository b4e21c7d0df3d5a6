import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, TEST_CASE_RESULT_JOB, redisNames, type TestCaseJob, type TestCaseResultJob } from '#contracts';
import { TEST_REDIS_URL } from '../../../../test/support/redis.js';
import { addAndAwaitConsumed } from './consumed-job.js';

/** A test case job as the eval worker receives it from Redis. */
export interface TakenTestJob {
  id: string;
  name: string;
  data: TestCaseJob;
  opts: JobsOptions;
}

/**
 * Plays the eval worker's part for test runs with BullMQ itself: takes every job from
 * `test.requests` and sends results on `test.results`.
 */
export class TestQueuesDouble {
  readonly taken: TakenTestJob[] = [];
  private readonly connection: Redis;
  private readonly worker: Worker;
  private readonly results: Queue;

  constructor(redisPrefix: string) {
    const prefix = redisNames(redisPrefix).bullPrefix;
    this.connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    this.worker = new Worker(QUEUES.testRequests, async (job: Job) => {
      this.taken.push({ id: job.id!, name: job.name, data: job.data as TestCaseJob, opts: job.opts });
    }, { connection: this.connection, prefix });
    this.results = new Queue(QUEUES.testResults, { connection: this.connection, prefix });
  }

  /** The run's jobs, in index order, once the worker double has taken `count` of them. */
  async jobsOf(runId: string, count: number): Promise<TakenTestJob[]> {
    for (let i = 0; i < 200; i += 1) {
      const jobs = this.taken.filter((j) => j.data.run_id === runId);
      if (jobs.length >= count) return jobs.sort((a, b) => a.data.index - b.data.index);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`fewer than ${count} test case jobs of run ${runId} were queued`);
  }

  /** Sends a result and waits until the registry has consumed it: 'completed' or 'failed'. */
  sendResult(data: TestCaseResultJob | Record<string, unknown>, name = TEST_CASE_RESULT_JOB): Promise<{ state: string; job: Job }> {
    return addAndAwaitConsumed(this.results, name, data);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.results.close();
    this.connection.disconnect();
  }
}

/** A succeeded result for the job: the answer, every assertion passed, and the verdict. */
export function answered(job: TestCaseJob, extra: Partial<Extract<TestCaseResultJob, { status: 'succeeded' }>> = {}): TestCaseResultJob {
  return {
    v: 1, status: 'succeeded', run_id: job.run_id, case_id: job.case_id, index: job.index,
    output: `answer to ${job.case.name}`, baseline_output: job.baseline ? job.baseline_output ?? `baseline answer to ${job.case.name}` : null,
    assertions: job.case.assertions.map((a) => ({ type: a.type, value: a.value, passed: true, detail: a.type === 'judge' ? 'fine' : null })),
    verdict: job.baseline ? 'same' : null, reason: job.baseline ? 'No change a user would notice.' : null,
    started_at: '2025-05-01T10:00:00.000Z', finished_at: '2025-05-01T10:00:01.000Z',
    ...extra,
  } as TestCaseResultJob;
}

export function failedCase(job: TestCaseJob, error: string): TestCaseResultJob {
  return {
    v: 1, status: 'failed', run_id: job.run_id, case_id: job.case_id, index: job.index, error,
    started_at: '2025-05-01T10:00:00.000Z', finished_at: '2025-05-01T10:00:02.000Z',
  };
}
