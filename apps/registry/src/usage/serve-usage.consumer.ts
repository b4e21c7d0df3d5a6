import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, SERVE_USAGE_JOB, serveUsageJobSchema } from '#contracts';
import { AppLogger, closeRedis, withTimeout } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { ServeUsageRecorder, type ServeUsageOutcome } from './serve-usage.recorder.js';

/** How long shutdown waits for the batch in hand before dropping it (BullMQ hands it out again). */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Consumes `serve.usage`: the gateways' serve counts, one transaction per batch. A payload that
 * is not a v1 batch fails for good (retrying cannot fix it); a database error fails the attempt
 * and BullMQ retries it as the producer configured.
 */
@Injectable()
export class ServeUsageConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private connection: Redis | null = null;
  private worker: Worker | null = null;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly recorder: ServeUsageRecorder,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    // BullMQ's blocking reads need a connection of their own that retries commands without limit.
    const connection = new Redis(this.config.REDIS_URL, {
      connectionName: 'promptgate-registry-usage',
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let reported = false;
    const reportOutage = (err: Error) => {
      if (reported) return;
      reported = true;
      this.logger.pino.warn({ err: { message: err.message }, queue: QUEUES.serveUsage }, 'usage queue unreachable; retrying');
    };
    connection.on('error', reportOutage);
    connection.on('ready', () => { reported = false; });

    const worker = new Worker(QUEUES.serveUsage, (job: Job) => this.process(job), {
      connection, prefix: this.names.bullPrefix, concurrency: 1,
    });
    worker.on('error', reportOutage);
    worker.on('failed', (job, err) => {
      const context = { queue: QUEUES.serveUsage, job_id: job?.id, attempts_made: job?.attemptsMade, err: { message: err.message } };
      if (err instanceof UnrecoverableError) this.logger.pino.error(context, 'usage batch refused; not retried');
      else this.logger.pino.warn(context, 'usage batch not recorded; BullMQ retries it if attempts remain');
    });
    this.connection = connection;
    this.worker = worker;
  }

  async onModuleDestroy(): Promise<void> {
    // Before the database closes (onApplicationShutdown), so the batch in hand can finish.
    const { worker, connection } = this;
    this.worker = null;
    this.connection = null;
    if (worker && connection) {
      // A graceful close waits on Redis forever when Redis is away, and a second close only joins it.
      if (connection.status === 'ready') await withTimeout(worker.close(), CLOSE_TIMEOUT_MS).catch(() => worker.disconnect());
      else await worker.close(true);
    }
    if (connection) await closeRedis(connection);
  }

  private async process(job: Job): Promise<ServeUsageOutcome> {
    if (job.name !== SERVE_USAGE_JOB) throw new UnrecoverableError(`unknown job name "${job.name}"`);
    const parsed = serveUsageJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
      throw new UnrecoverableError(`malformed usage batch: ${problems.join('; ')}`);
    }
    // A job's id can repeat after its queue's keys are gone, so its creation time is part of the name.
    return this.recorder.record(parsed.data, `${job.id}@${job.timestamp}`);
  }
}
