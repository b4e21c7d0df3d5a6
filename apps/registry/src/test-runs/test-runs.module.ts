import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PromptsModule } from '../prompts/prompts.module.js';
import { ProviderKeysModule } from '../provider-keys/provider-keys.module.js';
import { TestCaseQueue } from './test-case-queue.js';
import { TestResultsConsumer } from './test-results.consumer.js';
import { TestRunOutcomes } from './test-run-outcomes.js';
import { TestRunSweeper } from './test-run-sweeper.js';
import { TestRunsController } from './test-runs.controller.js';
import { TestRunsRepository } from './test-runs.repository.js';
import { TestRunsService } from './test-runs.service.js';

/**
 * Test runs: requested by a user and queued on `test.requests` one job per case, results written
 * back from `test.results`, stalled runs failed by the sweeper.
 */
@Module({
  imports: [AccessModule, PromptsModule, ProviderKeysModule, OutboxModule],
  controllers: [TestRunsController],
  providers: [TestRunsService, TestRunsRepository, TestCaseQueue, TestRunOutcomes, TestResultsConsumer, TestRunSweeper],
})
export class TestRunsModule {}
