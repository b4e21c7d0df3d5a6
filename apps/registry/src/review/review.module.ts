import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PromptsModule } from '../prompts/prompts.module.js';
import { TestCasesModule } from '../test-cases/test-cases.module.js';
import { TestRunsReader } from '../test-runs/test-runs.reader.js';
import { ReviewController } from './review.controller.js';
import { ReviewService } from './review.service.js';

/** The review gate: submit, approve, reject, quick-approve, rollback and promote. */
@Module({
  imports: [AccessModule, PromptsModule, OutboxModule, TestCasesModule],
  controllers: [ReviewController],
  providers: [ReviewService, TestRunsReader],
})
export class ReviewModule {}
