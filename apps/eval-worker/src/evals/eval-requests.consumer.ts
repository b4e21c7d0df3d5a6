import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { dbId, EVAL_REQUEST_JOB, QUEUES, type EvalRequestJob } from '#contracts';
import type { WorkerConfig } from '#config';
import { scrubProviderKeys } from '#domain';
import { AppLogger, QUEUE_CONNECTION, QueueConsumer, type JobHandlers, type QueueConnection } from '#runtime';
import { WORKER_CONFIG } from '../worker-config.js';
import { EvalResultsPublisher } from './eval-results-publisher.js';
import { EvalRunner } from './eval-runner.js';

/** A worker killed mid-eval leaves the eval stalled; it is handed out again this many times before BullMQ gives up. */
const MAX_STALLED_COUNT = 20;

export type EvalRequestOutcome = 'succeeded' | 'failed';

/**
 * Consumes `eval.requests`: sends `running`, computes the eval, sends the final result to
 * `eval.results`. Expected failures are a `failed` result and the request completes; only a result
 * that cannot be sent (Redis away) throws, so BullMQ retries the request.
 */
@Injectable()
export class EvalRequestsConsumer extends QueueConsumer<typeof QUEUES.evalRequests> {
  private readonly results: EvalResultsPublisher;

  constructor(
    @Inject(WORKER_CONFIG) config: WorkerConfig,
    @Inject(QUEUE_CONNECTION) connection: QueueConnection,
    logger: AppLogger,
    private readonly runner: EvalRunner,
  ) {
    super({
      ...connection, queue: QUEUES.evalRequests, concurrency: config.EVAL_CONCURRENCY,
      locks: { lockDuration: config.EVAL_LOCK_MS, stalledInterval: config.EVAL_LOCK_MS, maxStalledCount: MAX_STALLED_COUNT },
      // Error messages can quote a provider's answer, and with it a key.
      redact: (message) => scrubProviderKeys(message),
    }, logger);
    this.results = new EvalResultsPublisher(connection);
  }

  protected handlers(): JobHandlers<typeof QUEUES.evalRequests> {
    return { [EVAL_REQUEST_JOB]: (request, job) => this.evaluate(request, job) };
  }

  /** Closes the consumer first, so the evals in hand can still send their results. */
  override async onModuleDestroy(): Promise<void> {
    await super.onModuleDestroy();
    await this.results.close();
  }

  /** A refused request whose eval id is readable gets a `failed` result, so its eval never sits queued forever. */
  protected override async onMalformed(data: unknown, reason: string): Promise<void> {
    const evalId = evalIdOf(data);
    if (evalId === null) return;
    const now = new Date().toISOString();
    await this.results.send({ v: 1, status: 'failed', eval_id: evalId, model: null, error: reason, started_at: now, finished_at: now });
  }

  private async evaluate(request: EvalRequestJob, job: Job): Promise<EvalRequestOutcome> {
    const startedAt = new Date().toISOString();
    await this.results.send({ v: 1, status: 'running', eval_id: request.eval_id, started_at: startedAt });
    const result = await this.runner.run(request, job.id ?? request.eval_id, startedAt);
    await this.results.send(result);
    const log = { eval_id: request.eval_id, mode: request.mode, provider: request.mode === 'judge' ? request.provider : undefined, model: result.model };
    if (result.status === 'succeeded') this.logger.pino.info({ ...log, score: result.score }, 'eval succeeded');
    else this.logger.pino.info({ ...log, error: result.error }, 'eval failed');
    return result.status;
  }
}

function evalIdOf(data: unknown): string | null {
  const id = typeof data === 'object' && data !== null ? (data as { eval_id?: unknown }).eval_id : undefined;
  return dbId().safeParse(id).success ? (id as string) : null;
}
