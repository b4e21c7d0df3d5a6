import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { WebhookAttempts } from './webhook-attempts.js';
import { WebhookDeliveryConsumer } from './webhook-delivery.consumer.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Webhook subscriptions (admin), and the worker that delivers their events, signed and retried. */
@Module({
  imports: [AccessModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookAttempts, WebhookDeliveryConsumer],
})
export class WebhooksModule {}
