import { Inject, Injectable } from '@nestjs/common';
import { EVAL_RESULT_JOB, QUEUES, type EvalResultJob } from '#contracts';
import { AppLogger, QUEUE_CONNECTION, QueueConsumer, type JobHandlers, type QueueConnection } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { EvalOutcomes, type EvalOutcome } from './eval-outcomes.js';

/**
 * Consumes `eval.results` from the eval worker: `running` marks a queued run started, a final
 * result is stored once per eval id. A payload that breaks the contract fails for good; a
 * database error fails the attempt and BullMQ retries it. `EVAL_RESULTS_CONCURRENCY` results are
 * applied at once.
 */
@Injectable()
export class EvalResultsConsumer extends QueueConsumer<typeof QUEUES.evalResults> {
  constructor(
    @Inject(QUEUE_CONNECTION) connection: QueueConnection,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    logger: AppLogger,
    private readonly outcomes: EvalOutcomes,
  ) {
    super({ ...connection, queue: QUEUES.evalResults, concurrency: config.EVAL_RESULTS_CONCURRENCY }, logger);
  }

  protected handlers(): JobHandlers<typeof QUEUES.evalResults> {
    return { [EVAL_RESULT_JOB]: (result) => this.apply(result) };
  }

  private async apply(result: EvalResultJob): Promise<EvalOutcome> {
    if (result.status === 'running') return this.outcomes.start(result.eval_id, result.started_at);
    return this.outcomes.finish(result);
  }
}
