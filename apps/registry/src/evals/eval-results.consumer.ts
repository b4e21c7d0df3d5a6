import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EVAL_RESULT_JOB, evalResultJobSchema, QUEUES } from '#contracts';
import { AppLogger } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { readJob, RegistryWorker } from '../common/registry-worker.js';
import { EvalOutcomes, type EvalOutcome } from './eval-outcomes.js';

/**
 * Consumes `eval.results` from the eval worker: `running` marks a queued run started, a final
 * result is stored once per eval id. A payload that breaks the contract fails for good; a
 * database error fails the attempt and BullMQ retries it.
 */
@Injectable()
export class EvalResultsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private worker: RegistryWorker | null = null;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly outcomes: EvalOutcomes,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = RegistryWorker.start({
      redisUrl: this.config.REDIS_URL, bullPrefix: this.names.bullPrefix, queue: QUEUES.evalResults,
      subject: 'eval result', concurrency: 4, process: (job) => this.process(job),
    }, this.logger);
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.close();
  }

  private async process(job: Job): Promise<EvalOutcome> {
    const result = readJob(job, EVAL_RESULT_JOB, evalResultJobSchema, 'eval result');
    if (result.status === 'running') return this.outcomes.start(result.eval_id, result.started_at);
    return this.outcomes.finish(result);
  }
}
