import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from '#config';
import { GatewayModule } from './gateway.module.js';
import { AppLogger } from '#runtime';

/** The gateway, configured and initialised but not listening: main.ts or a test calls listen(). */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'gateway');
  // No Fastify request logging: a log line per request would cost the serve hot path; the filter logs errors.
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config, logger), new FastifyAdapter(), {
    logger,
  });
  await app.init();
  return app;
}
