import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { EVAL_RESULT_JOB, evalResultJobSchema, QUEUES, type EvalResultJob } from '#contracts';

const RESULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  stackTraceLimit: 0,
};

/** The final result's job id: a second send while the first still waits is ignored by BullMQ. */
export const finalResultJobId = (evalId: string) => `${evalId}.final`;

/** Sends results to `eval.results`. A result that does not match the contract is a bug and throws. */
export class EvalResultsPublisher {
  private readonly queue: Queue;

  constructor(connection: Redis, bullPrefix: string, onError: (err: Error) => void) {
    this.queue = new Queue(QUEUES.evalResults, { connection, prefix: bullPrefix });
    this.queue.on('error', onError);
  }

  async send(result: EvalResultJob): Promise<void> {
    const payload = evalResultJobSchema.parse(result);
    const jobId = payload.status === 'running' ? undefined : finalResultJobId(payload.eval_id);
    await this.queue.add(EVAL_RESULT_JOB, payload, { ...RESULT_JOB_OPTIONS, jobId });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
