import { Global, Module, type DynamicModule } from '@nestjs/common';
import { REGISTRY_CONFIG, type RegistryConfig } from './config.js';
import { AppLogger } from '#runtime';

/** The validated config (REGISTRY_CONFIG) and the logger (AppLogger), available to every module. */
@Global()
@Module({})
export class CoreModule {
  static register(config: RegistryConfig, logger: AppLogger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: REGISTRY_CONFIG, useValue: config },
        { provide: AppLogger, useValue: logger },
      ],
      exports: [REGISTRY_CONFIG, AppLogger],
    };
  }
}
