import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QUEUES, SERVE_USAGE_JOB, serveUsageJobSchema } from '#contracts';
import { AppLogger } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { readJob, RegistryWorker } from '../common/registry-worker.js';
import { ServeUsageLedger, type ServeUsageOutcome } from './serve-usage-ledger.js';

/**
 * Consumes `serve.usage`: the gateways' serve counts, one transaction per batch. A payload that
 * is not a v1 batch fails for good (retrying cannot fix it); a database error fails the attempt
 * and BullMQ retries it as the producer configured.
 */
@Injectable()
export class ServeUsageConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private worker: RegistryWorker | null = null;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly recorder: ServeUsageLedger,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = RegistryWorker.start({
      redisUrl: this.config.REDIS_URL, bullPrefix: this.names.bullPrefix, queue: QUEUES.serveUsage,
      subject: 'usage batch', concurrency: 1, process: (job) => this.process(job),
    }, this.logger);
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.close();
  }

  private async process(job: Job): Promise<ServeUsageOutcome> {
    const batch = readJob(job, SERVE_USAGE_JOB, serveUsageJobSchema, 'usage batch');
    // A job's id can repeat after its queue's keys are gone, so its creation time is part of the name.
    return this.recorder.record(batch, `${job.id}@${job.timestamp}`);
  }
}
