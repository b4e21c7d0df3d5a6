import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PromptsModule } from '../prompts/prompts.module.js';
import { ApiKeyPublisher } from './api-key-publisher.js';
import { LiveHistory } from './live-history.js';
import { LivePublisher } from './live-publisher.js';
import { LiveController } from './live.controller.js';

/**
 * What the gateways must know at once: live versions (LivePublisher) and API keys
 * (ApiKeyPublisher), written to Redis by the outbox consumers they register; and what was live
 * at any instant.
 */
@Module({
  imports: [PromptsModule, OutboxModule],
  controllers: [LiveController],
  providers: [LivePublisher, ApiKeyPublisher, LiveHistory],
})
export class LiveModule {}
