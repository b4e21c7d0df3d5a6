import { once } from 'node:events';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { EVAL_REQUEST_JOB, evalRequestJobSchema, QUEUES, type EvalRequestJob } from '#contracts';
import { closeRedis, withTimeout } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';

/** How long a request waits for Redis to take an eval job before the eval counts as not queued. */
const ADD_TIMEOUT_MS = 2000;

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
  private readonly connection: Redis;
  private readonly queue: Queue<EvalRequestJob>;

  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    @Inject(REDIS_NAMES) names: RedisNames,
  ) {
    // No offline queue: a job Redis cannot take now fails now, instead of arriving after its run was marked failed.
    this.connection = new Redis(config.REDIS_URL, {
      connectionName: 'promptgate-registry:eval-requests',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Bounds how long a closed connection that never connected keeps a timer (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // The request that finds Redis away reports it; the connection keeps retrying quietly.
    this.connection.on('error', () => undefined);
    this.queue = new Queue<EvalRequestJob>(QUEUES.evalRequests, { connection: this.connection, prefix: names.bullPrefix });
    this.queue.on('error', () => undefined);
  }

  /** Checks the job against its contract and adds it; throws when Redis does not take it in time. */
  async add(job: EvalRequestJob): Promise<void> {
    const payload = evalRequestJobSchema.parse(job);
    if (this.connection.status !== 'ready') {
      await once(this.connection, 'ready', { signal: AbortSignal.timeout(ADD_TIMEOUT_MS) });
    }
    await withTimeout(this.queue.add(EVAL_REQUEST_JOB, payload, { ...EVAL_REQUEST_JOB_OPTIONS, jobId: payload.eval_id }), ADD_TIMEOUT_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await closeRedis(this.connection);
  }
}
