import { Module } from '@nestjs/common';
import { ServeUsageConsumer } from './serve-usage.consumer.js';
import { ServeUsageLedger } from './serve-usage-ledger.js';

/** Serve counts sent by the gateways over the `serve.usage` queue, shown on versions and API keys. */
@Module({
  providers: [ServeUsageLedger, ServeUsageConsumer],
})
export class UsageModule {}
