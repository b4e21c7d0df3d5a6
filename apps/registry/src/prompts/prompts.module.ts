import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { PromptsController } from './prompts.controller.js';
import { PromptsRepository } from './prompts.repository.js';
import { PromptsService } from './prompts.service.js';

/**
 * Prompts and versions; exports PromptsService for the review gate, which writes through it, and
 * PromptsRepository for the reads of other features (what was live when).
 */
@Module({
  imports: [AccessModule],
  controllers: [PromptsController],
  providers: [PromptsService, PromptsRepository],
  exports: [PromptsService, PromptsRepository],
})
export class PromptsModule {}
