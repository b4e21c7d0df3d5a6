import { ConfigError, listenHost, loadRegistryConfig, prepareEnvironment, type RegistryConfig } from '#config';
import { API_PREFIX, createRegistryApp } from './app.factory.js';
import { AppLogger, installProcessGuard } from '#runtime';

async function main(): Promise<void> {
  prepareEnvironment();
  let config: RegistryConfig;
  try {
    config = loadRegistryConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const app = await createRegistryApp(config);
  const logger = app.get(AppLogger);
  installProcessGuard(logger);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => logger.pino.info({ signal }, 'registry shutting down'));
  }
  // Closes the HTTP server, the database pool and Redis on SIGINT/SIGTERM, then exits.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
  if (config.APP_ENV === 'development' && config.DEV_AUTH_BYPASS) {
    logger.pino.warn('DEV_AUTH_BYPASS=true: requests without a token act as the dev admin; never expose this registry to a network');
  }
  const host = listenHost(config, config.REGISTRY_HOST);
  await app.listen(config.REGISTRY_PORT, host);
  const base = `http://localhost:${config.REGISTRY_PORT}`;
  logger.pino.info({ url: `${base}/${API_PREFIX}`, docs: `${base}/api/docs`, host }, `registry listening on ${base}/${API_PREFIX}`);
}

main().catch((err: unknown) => {
  console.error('registry failed to start:', err);
  process.exit(1);
});
