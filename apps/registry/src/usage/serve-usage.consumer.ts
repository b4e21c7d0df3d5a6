import { Inject, Injectable } from '@nestjs/common';
import { QUEUES, SERVE_USAGE_JOB } from '#contracts';
import { AppLogger, QUEUE_CONNECTION, QueueConsumer, type JobHandlers, type QueueConnection } from '#runtime';
import { ServeUsageLedger } from './serve-usage-ledger.js';

/**
 * Consumes `serve.usage`: the gateways' serve counts, one transaction per batch. A payload that
 * is not a v1 batch fails for good (retrying cannot fix it); a database error fails the attempt
 * and BullMQ retries it as the producer configured.
 */
@Injectable()
export class ServeUsageConsumer extends QueueConsumer<typeof QUEUES.serveUsage> {
  constructor(@Inject(QUEUE_CONNECTION) connection: QueueConnection, logger: AppLogger, private readonly ledger: ServeUsageLedger) {
    super({ ...connection, queue: QUEUES.serveUsage, concurrency: 1 }, logger);
  }

  protected handlers(): JobHandlers<typeof QUEUES.serveUsage> {
    // A job's id can repeat after its queue's keys are gone, so its creation time is part of the name.
    return { [SERVE_USAGE_JOB]: (batch, job) => this.ledger.record(batch, `${job.id}@${job.timestamp}`) };
  }
}
