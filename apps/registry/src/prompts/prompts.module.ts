import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { PromptsController } from './prompts.controller.js';
import { PromptsService } from './prompts.service.js';

/** Prompts and versions; exports PromptsService for the review gate, which writes through it. */
@Module({
  imports: [AccessModule],
  controllers: [PromptsController],
  providers: [PromptsService],
  exports: [PromptsService],
})
export class PromptsModule {}
