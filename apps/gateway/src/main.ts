import { ConfigError, listenHost, loadGatewayConfig, prepareEnvironment, type GatewayConfig } from '#config';
import { createGatewayApp } from './app.factory.js';
import { installProcessGuard } from '#runtime';

async function main() {
  prepareEnvironment();
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`gateway: ${err.message}`);
    process.exit(1);
  }
  const app = await createGatewayApp(config);
  installProcessGuard(app.logger);
  const logger = app.logger.pino;
  const host = listenHost(config, config.GATEWAY_HOST);
  await app.listen(config.GATEWAY_PORT, host);
  logger.info({ url: `http://localhost:${config.GATEWAY_PORT}`, host }, 'gateway listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway stopping');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'gateway did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
