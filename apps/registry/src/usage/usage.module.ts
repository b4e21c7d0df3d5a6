import { Module } from '@nestjs/common';
import { ServeUsageConsumer } from './serve-usage.consumer.js';
import { ServeUsageLedger } from './serve-usage-ledger.js';
import { ServeUsageRepository } from './serve-usage.repository.js';

/** Serve counts sent by the gateways over the `serve.usage` queue, shown on versions and API keys. */
@Module({
  providers: [ServeUsageRepository, ServeUsageLedger, ServeUsageConsumer],
})
export class UsageModule {}
