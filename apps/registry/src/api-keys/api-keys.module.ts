import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';

/** API keys for the gateway: create (shown once), list, revoke (pushed to every gateway through the outbox). */
@Module({
  imports: [AccessModule, OutboxModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService],
})
export class ApiKeysModule {}
