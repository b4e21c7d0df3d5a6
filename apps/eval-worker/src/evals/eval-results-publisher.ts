import type { JobsOptions } from 'bullmq';
import { EVAL_RESULT_JOB, QUEUES, type EvalResultJob } from '#contracts';
import { QueueProducer, type QueueConnection } from '#runtime';

const RESULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  stackTraceLimit: 0,
};
/** How long a result waits for a Redis connection that is down before the request is left to BullMQ's retries. */
const READY_TIMEOUT_MS = 2000;

/** The final result's job id: a second send while the first still waits is ignored by BullMQ. */
export const finalResultJobId = (evalId: string) => `${evalId}.final`;

/** Sends results to `eval.results`. A result that does not match the contract is a bug and throws. */
export class EvalResultsPublisher {
  private readonly producer: QueueProducer<typeof QUEUES.evalResults>;

  constructor(connection: QueueConnection) {
    this.producer = new QueueProducer({ ...connection, queue: QUEUES.evalResults });
  }

  async send(result: EvalResultJob): Promise<void> {
    const jobId = result.status === 'running' ? undefined : finalResultJobId(result.eval_id);
    await this.producer.add(EVAL_RESULT_JOB, result, { ...RESULT_JOB_OPTIONS, jobId }, { waitReadyMs: READY_TIMEOUT_MS });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
