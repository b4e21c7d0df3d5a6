import { ConfigError, listenHost, loadWorkerConfig, prepareEnvironment, type WorkerConfig } from '#config';
import { createWorker } from './app.factory.js';
import { AppLogger, installProcessGuard } from '#runtime';

async function main() {
  prepareEnvironment();
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`eval-worker: ${err.message}`);
    process.exit(1);
  }
  const worker = await createWorker(config);
  installProcessGuard(worker.app.get(AppLogger));
  const logger = worker.app.get(AppLogger).pino;
  logger.info({ health: `http://localhost:${config.WORKER_HEALTH_PORT}/health`, host: listenHost(config, config.WORKER_HEALTH_HOST) }, 'eval-worker started');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'eval-worker stopping');
    worker.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'eval-worker did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`eval-worker failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
