import { Module } from '@nestjs/common';
import { EventOutbox } from './event-outbox.js';
import { OutboxRelay } from './outbox-relay.js';
import { WebhookDeliveryQueue } from './webhook-delivery-queue.js';

/** Events written with the change they report, relayed to `webhook.deliveries` once committed. */
@Module({
  providers: [EventOutbox, OutboxRelay, WebhookDeliveryQueue],
  exports: [EventOutbox, OutboxRelay],
})
export class OutboxModule {}
