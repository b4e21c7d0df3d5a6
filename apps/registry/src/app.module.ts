import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from '#persistence';
import { AccessModule } from './access/access.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import type { RegistryConfig } from './common/config.js';
import { CoreModule } from './common/core.module.js';
import type { AppLogger } from '#runtime';
import { RedisModule } from './common/redis.module.js';
import { EvalsModule } from './evals/evals.module.js';
import { EnvironmentsModule } from './environments/environments.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { LiveModule } from './live/live.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { PromptsModule } from './prompts/prompts.module.js';
import { ProviderKeysModule } from './provider-keys/provider-keys.module.js';
import { ReviewModule } from './review/review.module.js';
import { TestCasesModule } from './test-cases/test-cases.module.js';
import { TestRunsModule } from './test-runs/test-runs.module.js';
import { UsageModule } from './usage/usage.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';

@Module({})
export class AppModule {
  static register(config: RegistryConfig, logger: AppLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(config, logger),
        TypeOrmModule.forRoot({
          ...dataSourceOptions({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: 'promptgate-registry' }),
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        RedisModule.forRoot(config.REDIS_URL, config.REDIS_PREFIX),
        AuditModule,
        AccessModule,
        HealthModule,
        IdentityModule,
        WorkspacesModule,
        EnvironmentsModule,
        PromptsModule,
        ReviewModule,
        LiveModule,
        ApiKeysModule,
        UsageModule,
        OutboxModule,
        WebhooksModule,
        EvalsModule,
        ProviderKeysModule,
        TestCasesModule,
        TestRunsModule,
      ],
    };
  }
}
