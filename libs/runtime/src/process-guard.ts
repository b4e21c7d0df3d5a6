import { randomUUID } from 'node:crypto';
import type { AppLogger } from './logger.js';

let installedFor: AppLogger | undefined;

/**
 * Logs every unhandled rejection and uncaught exception with an error id and keeps the process
 * serving: one forgotten promise must not stop a service (and, under `npm start`, all three).
 * The sources still catch their own errors; this is the net under them. Installed once per process.
 */
export function installProcessGuard(logger: AppLogger): void {
  if (installedFor !== undefined) return;
  installedFor = logger;
  process.on('unhandledRejection', (reason: unknown) => {
    logger.pino.error({ err: reason, error_id: randomUUID() }, 'unhandled promise rejection; still serving');
  });
  process.on('uncaughtException', (err: Error, origin: string) => {
    logger.pino.error({ err, error_id: randomUUID(), origin }, 'uncaught exception; still serving');
  });
}
