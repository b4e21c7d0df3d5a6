import 'reflect-metadata';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { WorkerConfig } from '#config';
import { createHealthServer } from './health/health-server.js';
import { Readiness } from './health/readiness.js';
import { createLogger, NestPinoLogger } from './logger.js';
import { WorkerModule } from './worker.module.js';

export interface RunningWorker {
  app: INestApplicationContext;
  healthServer: Server;
  close(): Promise<void>;
}

/** Boots the worker's application context and its health server on WORKER_HEALTH_PORT (0 picks a free port). */
export async function createWorker(config: WorkerConfig): Promise<RunningWorker> {
  const logger = createLogger(config.LOG_LEVEL, 'eval-worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, logger), {
    logger: new NestPinoLogger(logger),
  });
  await app.init();
  const healthServer = createHealthServer(app.get(Readiness));
  try {
    healthServer.listen(config.WORKER_HEALTH_PORT, '0.0.0.0');
    await once(healthServer, 'listening');
  } catch (err) {
    await app.close();
    throw err;
  }
  const close = async () => {
    const closed = new Promise((resolve) => healthServer.close(resolve));
    healthServer.closeIdleConnections();
    await closed;
    await app.close();
  };
  return { app, healthServer, close };
}
