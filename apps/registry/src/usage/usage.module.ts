import { Module } from '@nestjs/common';
import { ServeUsageConsumer } from './serve-usage.consumer.js';
import { ServeUsageRecorder } from './serve-usage.recorder.js';

/** Serve counts sent by the gateways over the `serve.usage` queue, shown on versions and API keys. */
@Module({
  providers: [ServeUsageRecorder, ServeUsageConsumer],
})
export class UsageModule {}
