import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { closeRedis } from '#runtime';

/**
 * A BullMQ producer whose adds fail at once while Redis is away (no offline queue, one retry),
 * so the caller can report or roll back instead of a job arriving long after its moment. The
 * connection keeps reconnecting quietly; callers report outages where they happen.
 */
export class FailFastQueue<T> {
  readonly connection: Redis;
  readonly queue: Queue<T>;

  constructor(redisUrl: string, bullPrefix: string, queueName: string, connectionName: string) {
    this.connection = new Redis(redisUrl, {
      connectionName,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Bounds how long a closed connection that never connected keeps a timer (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.connection.on('error', () => undefined);
    this.queue = new Queue<T>(queueName, { connection: this.connection, prefix: bullPrefix });
    this.queue.on('error', () => undefined);
  }

  get ready(): boolean {
    return this.connection.status === 'ready';
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await closeRedis(this.connection);
  }
}
