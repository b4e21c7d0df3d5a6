import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from '#config';
import { AppLogger } from '#runtime';
import { GatewayModule } from './gateway.module.js';
import { ServeRuntime } from './serve/serve-runtime.js';
import { registerServeRoutes } from './serve/serve.routes.js';

/** Prompt keys are up to 200 characters; Fastify's default cap on a path parameter is 100. */
const MAX_PARAM_LENGTH = 256;

/** The gateway, configured and initialised but not listening: main.ts or a test calls listen(). */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'gateway');
  // No Fastify request logging: a log line per request would cost the serve hot path; the filter logs errors.
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register(config, logger),
    new FastifyAdapter({ routerOptions: { maxParamLength: MAX_PARAM_LENGTH } }),
    { logger },
  );
  // The serve routes sit on Fastify itself, outside Nest's pipeline; health and readiness stay on Nest.
  registerServeRoutes(app.getHttpAdapter().getInstance(), app.get(ServeRuntime));
  await app.init();
  return app;
}
