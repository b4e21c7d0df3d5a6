import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { QUEUES, WEBHOOK_DELIVERY_JOB } from '#contracts';
import { QUEUE_CONNECTION, QueueProducer, type QueueConnection } from '#runtime';

/**
 * BullMQ's own attempts only cover a delivery row not yet visible (the relay commits just after
 * adding) or a database away; the retry schedule of an endpoint that fails is the processor's.
 */
const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Adds delivery jobs to `webhook.deliveries`, one per delivery row, the row's id as job id. */
@Injectable()
export class WebhookDeliveryQueue implements OnModuleDestroy {
  private readonly producer: QueueProducer<typeof QUEUES.webhookDeliveries>;

  constructor(@Inject(QUEUE_CONNECTION) connection: QueueConnection) {
    // Fail fast: a batch Redis cannot take now fails now, and the outbox keeps its events.
    this.producer = new QueueProducer({ ...connection, queue: QUEUES.webhookDeliveries });
  }

  /** Throws at once while Redis is away, and when Redis does not take every job in time (the relay then rolls back and tries later). */
  async add(deliveryIds: string[]): Promise<void> {
    await this.producer.addBulk(deliveryIds.map((id) => ({
      name: WEBHOOK_DELIVERY_JOB,
      data: { v: 1, delivery_id: id },
      opts: { ...DELIVERY_JOB_OPTIONS, jobId: id },
    })));
  }

  /**
   * Gives a job back to deliveries whose job is gone (Redis lost it) or failed for good (the
   * database was away through every BullMQ attempt); a job still waiting or delayed is left alone.
   */
  async requeue(deliveryIds: string[]): Promise<number> {
    if (!this.producer.ready) throw new Error('Redis is not connected');
    let requeued = 0;
    for (const id of deliveryIds) {
      const job = await this.producer.getJob(id);
      if (!job) {
        await this.add([id]);
        requeued += 1;
      } else if ((await job.getState()) === 'failed') {
        // Another replica may have retried it first: then it is no longer failed, which is enough.
        await job.retry().then(() => { requeued += 1; }, () => undefined);
      }
    }
    return requeued;
  }

  onModuleDestroy(): Promise<void> {
    return this.producer.close();
  }
}
