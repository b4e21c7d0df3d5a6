import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { EVAL_REQUEST_JOB, QUEUES, type EvalRequestJob } from '#contracts';
import { QUEUE_CONNECTION, QueueProducer, type QueueConnection } from '#runtime';

/** How long a request waits for a Redis connection that is down before the eval counts as not queued. */
const READY_TIMEOUT_MS = 2000;

/**
 * A job may hold a sealed provider key: it is removed as soon as it completes or fails, and a
 * failure keeps no stack trace that could quote it.
 */
export const EVAL_REQUEST_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
  stackTraceLimit: 0,
};

/** Adds eval jobs to `eval.requests` for the eval worker, one job per eval run, the run's id as job id. */
@Injectable()
export class EvalRequestQueue implements OnModuleDestroy {
  private readonly producer: QueueProducer<typeof QUEUES.evalRequests>;

  constructor(@Inject(QUEUE_CONNECTION) connection: QueueConnection) {
    // Fail fast: a job Redis cannot take now must not arrive after its run was marked failed.
    this.producer = new QueueProducer({ ...connection, queue: QUEUES.evalRequests });
  }

  /** Checks the job against its contract and adds it; throws when Redis does not take it in time. */
  async add(job: EvalRequestJob): Promise<void> {
    await this.producer.add(EVAL_REQUEST_JOB, job, { ...EVAL_REQUEST_JOB_OPTIONS, jobId: job.eval_id }, { waitReadyMs: READY_TIMEOUT_MS });
  }

  onModuleDestroy(): Promise<void> {
    return this.producer.close();
  }
}
