import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QUEUES, SERVE_USAGE_JOB, type ServeUsageJob } from '#contracts';
import { AppLogger, QueueConsumer } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { ServeUsageLedger, type ServeUsageOutcome } from './serve-usage-ledger.js';

/**
 * Consumes `serve.usage`: the gateways' serve counts, one transaction per batch. A payload that
 * is not a v1 batch fails for good (retrying cannot fix it); a database error fails the attempt
 * and BullMQ retries it as the producer configured.
 */
@Injectable()
export class ServeUsageConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: QueueConsumer<typeof QUEUES.serveUsage>;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    @Inject(REDIS_NAMES) names: RedisNames,
    private readonly recorder: ServeUsageLedger,
    logger: AppLogger,
  ) {
    this.consumer = new QueueConsumer({
      redisUrl: config.REDIS_URL, bullPrefix: names.bullPrefix, queue: QUEUES.serveUsage,
      connectionName: `promptgate-registry:${QUEUES.serveUsage}`, concurrency: 1,
      handlers: { [SERVE_USAGE_JOB]: (batch, job) => this.record(batch, job) },
    }, logger);
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.consumer.close();
  }

  private async record(batch: ServeUsageJob, job: Job): Promise<ServeUsageOutcome> {
    // A job's id can repeat after its queue's keys are gone, so its creation time is part of the name.
    return this.recorder.record(batch, `${job.id}@${job.timestamp}`);
  }
}
