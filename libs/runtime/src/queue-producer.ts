import { once } from 'node:events';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, type JobName, type JobNameOf, type JobPayload, type QueueName } from '#contracts';
import { closeRedis, withTimeout } from './connections.js';
import type { QueueConnection } from './queue-connection.js';

/** How long one add (or batch of adds) may take before it counts as not queued. */
const ADD_TIMEOUT_MS = 2000;
/** How long close waits for the queue before it drops the connection. */
const CLOSE_TIMEOUT_MS = 5000;

export interface QueueProducerSpec<Q extends QueueName> extends QueueConnection {
  queue: Q;
  defaultJobOptions?: JobsOptions;
}

export interface AddOptions {
  /** How long an add waits for a connection that is not up yet; 0 (the default) fails at once. */
  waitReadyMs?: number;
}

export interface JobToAdd<N extends JobName> {
  name: N;
  data: JobPayload<N>;
  opts?: JobsOptions;
}

/**
 * A BullMQ producer on a connection of its own whose adds fail at once while Redis is away (no
 * offline queue, one retry), so the caller can report or roll back instead of a job arriving long
 * after its moment. Every payload is checked against its job's contract before it is added: one
 * that does not match is a bug and throws. The connection keeps reconnecting quietly; callers
 * report outages where they happen.
 */
export class QueueProducer<Q extends QueueName> {
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(spec: QueueProducerSpec<Q>) {
    this.connection = new Redis(spec.redisUrl, {
      connectionName: `${spec.client}:${spec.queue}:producer`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Bounds how long a closed connection that never connected keeps a timer (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.connection.on('error', () => undefined);
    this.queue = new Queue(spec.queue, { connection: this.connection, prefix: spec.bullPrefix, defaultJobOptions: spec.defaultJobOptions });
    this.queue.on('error', () => undefined);
  }

  get ready(): boolean {
    return this.connection.status === 'ready';
  }

  /** Checks the payload and adds the job; throws when Redis does not take it in time. */
  async add<N extends JobNameOf<Q>>(name: N, data: JobPayload<N>, opts?: JobsOptions, options: AddOptions = {}): Promise<void> {
    const payload = JOBS[name].schema.parse(data);
    await this.untilReady(options.waitReadyMs ?? 0);
    await withTimeout(this.queue.add(name, payload, opts), ADD_TIMEOUT_MS);
  }

  /** Checks every payload and adds the jobs in one round trip; throws when Redis does not take them all in time. */
  async addBulk<N extends JobNameOf<Q>>(jobs: JobToAdd<N>[], options: AddOptions = {}): Promise<void> {
    if (jobs.length === 0) return;
    const checked = jobs.map((job) => ({ name: job.name, data: JOBS[job.name].schema.parse(job.data), opts: job.opts }));
    await this.untilReady(options.waitReadyMs ?? 0);
    await withTimeout(this.queue.addBulk(checked), ADD_TIMEOUT_MS);
  }

  /** The job of this id still in Redis (waiting, delayed, active, failed or kept completed), if any. */
  async getJob(id: string): Promise<Job | undefined> {
    await this.untilReady(0);
    return this.queue.getJob(id);
  }

  async close(): Promise<void> {
    await withTimeout(this.queue.close(), CLOSE_TIMEOUT_MS).catch(() => undefined);
    await closeRedis(this.connection);
  }

  private async untilReady(waitMs: number): Promise<void> {
    if (this.ready) return;
    if (waitMs <= 0) throw new Error('Redis is not connected');
    await once(this.connection, 'ready', { signal: AbortSignal.timeout(waitMs) });
  }
}
