import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { EventOutbox } from './event-outbox.js';
import { OutboxRelay } from './outbox-relay.js';
import { RelayWait } from './relay-wait.js';
import { RelayWaitInterceptor } from './relay-wait.interceptor.js';
import { WebhookDeliveryQueue } from './webhook-delivery-queue.js';

/**
 * Events written with the change they report, taken out of the registry once committed: by the
 * consumers that register with OutboxRelay (live and API-key snapshots, evals on submit) and by
 * the webhook relay to `webhook.deliveries`.
 */
@Module({
  providers: [EventOutbox, OutboxRelay, WebhookDeliveryQueue, RelayWait, { provide: APP_INTERCEPTOR, useClass: RelayWaitInterceptor }],
  exports: [EventOutbox, OutboxRelay],
})
export class OutboxModule {}
