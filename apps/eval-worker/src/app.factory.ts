import 'reflect-metadata';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { listenHost, type WorkerConfig } from '#config';
import { createHealthServer } from './health/health-server.js';
import type { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { AppLogger, checkReadiness, REDIS } from '#runtime';
import { WorkerModule } from './worker.module.js';

export interface RunningWorker {
  app: INestApplicationContext;
  healthServer: Server;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Where log lines go instead of stdout (tests capture them). */
  logDestination?: DestinationStream;
}

/** Boots the worker's application context and its health server on WORKER_HEALTH_PORT (0 picks a free port). */
export async function createWorker(config: WorkerConfig, options: WorkerOptions = {}): Promise<RunningWorker> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'eval-worker', options.logDestination);
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config, logger), { logger });
  await app.init();
  const redis = app.get<Redis>(REDIS);
  // The worker never reads the database (jobs carry what it needs), so ready is Redis answering.
  const healthServer = createHealthServer(() => checkReadiness(null, redis, logger));
  try {
    healthServer.listen(config.WORKER_HEALTH_PORT, listenHost(config, config.WORKER_HEALTH_HOST));
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
