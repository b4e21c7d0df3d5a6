import type { JobsOptions } from 'bullmq';
import { QUEUES, TEST_CASE_RESULT_JOB, type TestCaseResultJob } from '#contracts';
import { QueueProducer, type QueueConnection } from '#runtime';

const RESULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  stackTraceLimit: 0,
};
/** How long a result waits for a Redis connection that is down before the case is left to BullMQ's retries. */
const READY_TIMEOUT_MS = 2000;

/** One result per case: a second send while the first still waits is ignored by BullMQ (the registry applies one anyway). */
export const caseResultJobId = (runId: string, caseId: string) => `${runId}.${caseId}`;

/** Sends results to `test.results`. A result that does not match the contract is a bug and throws. */
export class TestResultsPublisher {
  private readonly producer: QueueProducer<typeof QUEUES.testResults>;

  constructor(connection: QueueConnection) {
    this.producer = new QueueProducer({ ...connection, queue: QUEUES.testResults });
  }

  async send(result: TestCaseResultJob): Promise<void> {
    await this.producer.add(TEST_CASE_RESULT_JOB, result, { ...RESULT_JOB_OPTIONS, jobId: caseResultJobId(result.run_id, result.case_id) }, { waitReadyMs: READY_TIMEOUT_MS });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
