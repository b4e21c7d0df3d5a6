import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, redisNames, WEBHOOK_DELIVERY_JOB, type WebhookDeliveryJob } from '#contracts';
import { AppLogger, QueueConsumer, QueueProducer, type JobHandlers, type QueueConnection } from '#runtime';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from './support/redis.js';

/** The queue plumbing of libs/runtime on a real Redis, with a consumer of its own on `webhook.deliveries`. */
class DeliveryRecorder extends QueueConsumer<typeof QUEUES.webhookDeliveries> {
  readonly handled: WebhookDeliveryJob[] = [];
  readonly malformed: string[] = [];

  constructor(connection: QueueConnection) {
    super({ ...connection, queue: QUEUES.webhookDeliveries, concurrency: 1 }, AppLogger.create('silent', 'queue-plumbing'));
  }

  protected handlers(): JobHandlers<typeof QUEUES.webhookDeliveries> {
    return {
      [WEBHOOK_DELIVERY_JOB]: async (delivery) => {
        this.handled.push(delivery);
        return 'recorded';
      },
    };
  }

  protected override async onMalformed(_data: unknown, reason: string): Promise<void> {
    this.malformed.push(reason);
  }
}

describe('the queue producer and consumer of libs/runtime', () => {
  const prefix = testRedisPrefix();
  const connection: QueueConnection = { redisUrl: TEST_REDIS_URL, bullPrefix: redisNames(prefix).bullPrefix, client: 'queue-plumbing-test' };
  let producer: QueueProducer<typeof QUEUES.webhookDeliveries>;
  let consumer: DeliveryRecorder;
  let raw: Queue;
  let rawConnection: Redis;

  beforeAll(async () => {
    producer = new QueueProducer({ ...connection, queue: QUEUES.webhookDeliveries });
    consumer = new DeliveryRecorder(connection);
    consumer.onApplicationBootstrap();
    rawConnection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    raw = new Queue(QUEUES.webhookDeliveries, { connection: rawConnection, prefix: connection.bullPrefix });
  });
  afterAll(async () => {
    await consumer?.onModuleDestroy();
    await producer?.close();
    await raw?.close();
    rawConnection?.disconnect();
    await dropRedisPrefix(prefix);
  });

  const settled = async (job: Job): Promise<Job> => {
    for (let i = 0; i < 400; i += 1) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return (await raw.getJob(job.id!))!;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${job.id} did not settle`);
  };

  it('hands a job the producer added to the handler of its name, and keeps the status it returned', async () => {
    const delivery = { v: 1 as const, delivery_id: randomUUID() };
    // A new producer's connection may not be up yet, and an add fails fast unless told to wait.
    await producer.add(WEBHOOK_DELIVERY_JOB, delivery, { jobId: delivery.delivery_id }, { waitReadyMs: 10_000 });
    const job = await settled((await raw.getJob(delivery.delivery_id))!);
    expect(job.returnvalue).toBe('recorded');
    expect(consumer.handled).toContainEqual(delivery);
  });

  it('refuses, for good and at the first attempt, a job that breaks its contract, naming the field and never its value', async () => {
    const secret = `not-an-id-${randomUUID()}`;
    const job = await settled(await raw.add(WEBHOOK_DELIVERY_JOB, { v: 1, delivery_id: secret }, { attempts: 3 }));
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe('malformed webhook delivery: delivery_id: invalid_format');
    expect(consumer.malformed).toContain('malformed webhook delivery: delivery_id: invalid_format');
    expect(job.failedReason).not.toContain(secret);
  });

  it('refuses, for good, a job of a name its queue does not carry', async () => {
    const job = await settled(await raw.add('webhook.delivery.v0', { v: 1, delivery_id: randomUUID() }, { attempts: 3 }));
    expect([await job.getState(), job.attemptsMade, job.failedReason]).toEqual(['failed', 1, 'unknown job name "webhook.delivery.v0"']);
  });

  it('never adds a payload that breaks its contract', async () => {
    const before = await raw.count();
    await expect(producer.add(WEBHOOK_DELIVERY_JOB, { v: 1, delivery_id: 'nope' })).rejects.toThrow(/delivery_id/);
    await expect(producer.addBulk([{ name: WEBHOOK_DELIVERY_JOB, data: { v: 2 as 1, delivery_id: randomUUID() } }])).rejects.toThrow(/v/);
    expect(await raw.count()).toBe(before);
  });

  it('fails an add at once while Redis is away, and after the wait it was given when asked to wait', async () => {
    const away = new QueueProducer({ ...connection, redisUrl: 'redis://127.0.0.1:1', queue: QUEUES.webhookDeliveries });
    try {
      const delivery = { v: 1 as const, delivery_id: randomUUID() };
      await expect(away.add(WEBHOOK_DELIVERY_JOB, delivery)).rejects.toThrow('Redis is not connected');
      await expect(away.add(WEBHOOK_DELIVERY_JOB, delivery, {}, { waitReadyMs: 300 })).rejects.toThrow();
      expect(away.ready).toBe(false);
    } finally {
      await away.close();
    }
  });
});
