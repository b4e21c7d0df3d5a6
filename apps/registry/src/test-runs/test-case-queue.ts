import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { QUEUES, TEST_CASE_JOB, type TestCaseJob } from '#contracts';
import { QUEUE_CONNECTION, QueueProducer, type QueueConnection } from '#runtime';

/** How long a request waits for a Redis connection that is down before the run counts as not queued. */
const READY_TIMEOUT_MS = 2000;
/** Jobs added in one round trip: a run has at most 200 cases, so usually one batch. */
const BATCH = 100;

/**
 * A job holds sealed provider keys: removed as soon as it completes or fails, with no stack trace
 * that could quote it. The worker bounds its own provider retries and sends a failed result on
 * its last attempt; BullMQ's attempts cover a worker that died mid-job.
 */
export const TEST_CASE_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
  stackTraceLimit: 0,
};

/** The job id of one case of one run: a case is queued once per run however often the add is retried. */
export const testCaseJobId = (runId: string, caseId: string) => `${runId}_${caseId}`;

/** Adds test case jobs to `test.requests` for the eval worker, one job per case of a run. */
@Injectable()
export class TestCaseQueue implements OnModuleDestroy {
  private readonly producer: QueueProducer<typeof QUEUES.testRequests>;

  constructor(@Inject(QUEUE_CONNECTION) connection: QueueConnection) {
    this.producer = new QueueProducer({ ...connection, queue: QUEUES.testRequests });
  }

  /** Checks every job against its contract and adds them; throws when Redis does not take them in time. */
  async addAll(jobs: TestCaseJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += BATCH) {
      await this.producer.addBulk(jobs.slice(i, i + BATCH).map((data) => ({
        name: TEST_CASE_JOB, data, opts: { ...TEST_CASE_JOB_OPTIONS, jobId: testCaseJobId(data.run_id, data.case_id) },
      })), { waitReadyMs: READY_TIMEOUT_MS });
    }
  }

  onModuleDestroy(): Promise<void> {
    return this.producer.close();
  }
}
