import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { ProviderKeysController } from './provider-keys.controller.js';
import { ProviderKeysRepository } from './provider-keys.repository.js';
import { ProviderKeysService } from './provider-keys.service.js';

/** Saved provider keys for judge evals: set, list (last four only), delete; sealed at rest. */
@Module({
  imports: [AccessModule],
  controllers: [ProviderKeysController],
  providers: [ProviderKeysService, ProviderKeysRepository],
  exports: [ProviderKeysService],
})
export class ProviderKeysModule {}
