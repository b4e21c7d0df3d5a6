import { Module } from '@nestjs/common';
import { PromptsModule } from '../prompts/prompts.module.js';
import { LiveHistory } from './live-history.service.js';
import { LivePublisher } from './live-publisher.service.js';
import { LiveController } from './live.controller.js';

/** What is live: telling the gateways when it changes (LivePublisher) and what it was at any instant. */
@Module({
  imports: [PromptsModule],
  controllers: [LiveController],
  providers: [LivePublisher, LiveHistory],
  exports: [LivePublisher],
})
export class LiveModule {}
