import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PromptsModule } from '../prompts/prompts.module.js';
import { ProviderKeysModule } from '../provider-keys/provider-keys.module.js';
import { EvalOutcomes } from './eval-outcomes.js';
import { EvalRequestQueue } from './eval-request-queue.js';
import { EvalResultsConsumer } from './eval-results.consumer.js';
import { EvalRunsRepository } from './eval-runs.repository.js';
import { EvalsOnSubmitConsumer } from './evals-on-submit.consumer.js';
import { EvalsController } from './evals.controller.js';
import { EvalsService } from './evals.service.js';

/**
 * Eval runs: requested (by a user, or by the outbox after a submit) and queued on `eval.requests`,
 * results written back from `eval.results`.
 */
@Module({
  imports: [AccessModule, PromptsModule, ProviderKeysModule, OutboxModule],
  controllers: [EvalsController],
  providers: [EvalsService, EvalRequestQueue, EvalRunsRepository, EvalOutcomes, EvalResultsConsumer, EvalsOnSubmitConsumer],
})
export class EvalsModule {}
