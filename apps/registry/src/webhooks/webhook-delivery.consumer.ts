import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { QUEUES, WEBHOOK_DELIVERY_JOB, type WebhookDeliveryJob } from '#contracts';
import { AppLogger, QUEUE_CONNECTION, QueueConsumer, type JobHandlers, type QueueConnection } from '#runtime';
import { DeliveryNotFoundError, WebhookAttempts, type AttemptSummary } from './webhook-attempts.js';

/** Deliveries in flight per registry: each waits on a subscriber for up to 10 s. */
const CONCURRENCY = 16;
/**
 * A delivery row missing from a job this old was deleted with its subscription; a younger job may
 * only be ahead of the relay's commit and is tried again.
 */
const GONE_AFTER_MS = 30_000;

/**
 * Consumes `webhook.deliveries`. A retry keeps the same job (and so the same `webhook-id`): the
 * job is moved to BullMQ's delayed set for the wait the schedule gives, and comes back as itself.
 */
@Injectable()
export class WebhookDeliveryConsumer extends QueueConsumer<typeof QUEUES.webhookDeliveries> {
  constructor(@Inject(QUEUE_CONNECTION) connection: QueueConnection, logger: AppLogger, private readonly attempts: WebhookAttempts) {
    super({ ...connection, queue: QUEUES.webhookDeliveries, concurrency: CONCURRENCY }, logger);
  }

  protected handlers(): JobHandlers<typeof QUEUES.webhookDeliveries> {
    return { [WEBHOOK_DELIVERY_JOB]: (delivery, job) => this.deliver(delivery, job) };
  }

  private async deliver({ delivery_id: deliveryId }: WebhookDeliveryJob, job: Job): Promise<AttemptSummary> {
    let summary: AttemptSummary;
    try {
      summary = await this.attempts.attempt(deliveryId);
    } catch (err) {
      if (!(err instanceof DeliveryNotFoundError) || Date.now() - job.timestamp < GONE_AFTER_MS) throw err;
      this.logger.pino.info({ delivery_id: deliveryId }, 'webhook delivery dropped: its subscription was deleted');
      return { outcome: 'already_settled' };
    }
    if (summary.outcome !== 'retry') return summary;
    await job.moveToDelayed(Date.now() + summary.delaySeconds * 1000, job.token);
    throw new DelayedError();
  }
}
