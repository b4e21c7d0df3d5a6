import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVAL_RESULT_JOB, QUEUES, type EvalResultJob } from '#contracts';
import { AppLogger, QueueConsumer } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { EvalOutcomes, type EvalOutcome } from './eval-outcomes.js';

/**
 * Consumes `eval.results` from the eval worker: `running` marks a queued run started, a final
 * result is stored once per eval id. A payload that breaks the contract fails for good; a
 * database error fails the attempt and BullMQ retries it.
 */
@Injectable()
export class EvalResultsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: QueueConsumer<typeof QUEUES.evalResults>;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    @Inject(REDIS_NAMES) names: RedisNames,
    private readonly outcomes: EvalOutcomes,
    logger: AppLogger,
  ) {
    this.consumer = new QueueConsumer({
      redisUrl: config.REDIS_URL, bullPrefix: names.bullPrefix, queue: QUEUES.evalResults,
      connectionName: `promptgate-registry:${QUEUES.evalResults}`, concurrency: 4,
      handlers: { [EVAL_RESULT_JOB]: (result) => this.apply(result) },
    }, logger);
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.consumer.close();
  }

  private async apply(result: EvalResultJob): Promise<EvalOutcome> {
    if (result.status === 'running') return this.outcomes.start(result.eval_id, result.started_at);
    return this.outcomes.finish(result);
  }
}
