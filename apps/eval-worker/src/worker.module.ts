import { Module, type DynamicModule } from '@nestjs/common';
import type { WorkerConfig } from '#config';
import { redisNames } from '#contracts';
import { AppLogger, createRedisClient, QUEUE_CONNECTION, REDIS, type QueueConnection } from '#runtime';
import { ConnectionsLifecycle } from './connections.js';
import { EvalRequestsConsumer } from './evals/eval-requests.consumer.js';
import { EvalRunner } from './evals/eval-runner.js';
import { JudgeService } from './judge/judge.service.js';
import { GenerationService } from './test-runs/generation.service.js';
import { TestCaseRunner } from './test-runs/test-case-runner.js';
import { TestRequestsConsumer } from './test-runs/test-requests.consumer.js';
import { WORKER_CONFIG } from './worker-config.js';

export { WORKER_CONFIG };

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig, logger: AppLogger): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: AppLogger, useValue: logger },
        { provide: REDIS, useFactory: () => createRedisClient(config.REDIS_URL, logger, 'promptgate-eval-worker') },
        {
          provide: QUEUE_CONNECTION,
          useValue: { redisUrl: config.REDIS_URL, bullPrefix: redisNames(config.REDIS_PREFIX).bullPrefix, client: 'promptgate-eval-worker' } satisfies QueueConnection,
        },
        ConnectionsLifecycle,
        JudgeService,
        EvalRunner,
        EvalRequestsConsumer,
        GenerationService,
        TestCaseRunner,
        TestRequestsConsumer,
      ],
    };
  }
}
