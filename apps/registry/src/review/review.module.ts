import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PromptsModule } from '../prompts/prompts.module.js';
import { TestCasesModule } from '../test-cases/test-cases.module.js';
import { TestRunsReader } from '../test-runs/test-runs.reader.js';
import { ReviewQueueController } from './review-queue.controller.js';
import { ReviewQueueQuery } from './review-queue.query.js';
import { ReviewQueueService } from './review-queue.service.js';
import { ReviewController } from './review.controller.js';
import { ReviewService } from './review.service.js';

/** The review gate: submit, approve, reject, quick-approve, rollback and promote; and the queue of what waits for review. */
@Module({
  imports: [AccessModule, PromptsModule, OutboxModule, TestCasesModule],
  controllers: [ReviewController, ReviewQueueController],
  providers: [ReviewService, TestRunsReader, ReviewQueueService, ReviewQueueQuery],
})
export class ReviewModule {}
