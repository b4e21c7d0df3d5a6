import { Inject, Injectable } from '@nestjs/common';
import { QUEUES, TEST_CASE_RESULT_JOB } from '#contracts';
import { AppLogger, QUEUE_CONNECTION, QueueConsumer, type JobHandlers, type QueueConnection } from '#runtime';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { TestRunOutcomes } from './test-run-outcomes.js';

/**
 * Consumes `test.results` from the eval worker: each case's result is stored once per (run,
 * case), and the last one finishes the run. A payload that breaks the contract fails for good; a
 * database error fails the attempt and BullMQ retries it. `TEST_RESULTS_CONCURRENCY` results are
 * applied at once (results of one run wait for each other on the run's row lock).
 */
@Injectable()
export class TestResultsConsumer extends QueueConsumer<typeof QUEUES.testResults> {
  constructor(
    @Inject(QUEUE_CONNECTION) connection: QueueConnection,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    logger: AppLogger,
    private readonly outcomes: TestRunOutcomes,
  ) {
    super({ ...connection, queue: QUEUES.testResults, concurrency: config.TEST_RESULTS_CONCURRENCY }, logger);
  }

  protected handlers(): JobHandlers<typeof QUEUES.testResults> {
    return { [TEST_CASE_RESULT_JOB]: (result) => this.outcomes.apply(result) };
  }
}
