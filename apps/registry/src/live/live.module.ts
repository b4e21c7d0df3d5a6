import { Module } from '@nestjs/common';
import { PromptsModule } from '../prompts/prompts.module.js';
import { AfterCommitRedis } from './after-commit-redis.js';
import { ApiKeyPublisher } from './api-key-publisher.js';
import { LiveHistory } from './live-history.js';
import { LivePublisher } from './live-publisher.js';
import { LiveController } from './live.controller.js';

/**
 * What the gateways must know at once: live versions (LivePublisher) and API keys
 * (ApiKeyPublisher), written to Redis after commit; and what was live at any instant.
 */
@Module({
  imports: [PromptsModule],
  controllers: [LiveController],
  providers: [AfterCommitRedis, LivePublisher, ApiKeyPublisher, LiveHistory],
  exports: [LivePublisher, ApiKeyPublisher],
})
export class LiveModule {}
