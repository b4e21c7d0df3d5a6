import Fastify from 'fastify';
import type { GatewayConfig } from '#config';
import { answerClientErrorAsJson, AppLogger, checkReadiness, closeRedis, createDatabasePool, createRedisClient } from '#runtime';
import { GatewayApp } from './gateway-app.js';
import { registerGatewayRoutes } from './gateway.routes.js';
import { SECURITY_HEADERS } from './raw-reply.js';
import { ServeRuntime } from './serve/serve-runtime.js';
import { serveFrameworkError } from './serve/serve.routes.js';

/** Prompt keys are up to 200 characters; Fastify's default cap on a path parameter is 100. */
const MAX_PARAM_LENGTH = 256;

/**
 * The gateway's composition root: its connections, the serve runtime and one plain Fastify app
 * answering every route (gateway.routes.ts), built and started but not listening. No framework
 * sits between Fastify and the serve handlers: a cache hit does no I/O, and a pipeline of hooks
 * and middleware would cost a third of its throughput (bench/serve.ts).
 */
export async function createGatewayApp(config: GatewayConfig): Promise<GatewayApp> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'gateway');
  // Cache misses read through the replica when one is configured.
  const pool = createDatabasePool(config.DATABASE_READ_URL || config.DATABASE_URL, logger, 'promptgate-gateway');
  const redis = createRedisClient(config.REDIS_URL, logger, 'promptgate-gateway');
  const runtime = new ServeRuntime(config, pool, redis, logger);
  // No request logging: a log line per request would cost the serve hot path; errors are logged.
  const http = Fastify({
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: serveFrameworkError,
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => answerClientErrorAsJson(err, socket, SECURITY_HEADERS),
    // Node's own timeouts, which the gateway has always had (Fastify's keep idle connections 72 s and never time a request out).
    keepAliveTimeout: 5_000,
    requestTimeout: 300_000,
    // While closing, a request already on a kept-alive connection is still served (with connection: close), not
    // refused with Fastify's own 503 body: the serve routes always answered until their connections went.
    return503OnClosing: false,
  });
  registerGatewayRoutes(http, {
    serve: runtime,
    checkReady: () => checkReadiness(() => pool.query('SELECT 1'), redis, logger),
    logger,
  });
  // HTTP first (in-flight answers finish), then the last usage flush, then the connections.
  const shutdown = async () => {
    await http.close();
    await runtime.close();
    await closeRedis(redis);
    await pool.end();
  };
  try {
    await http.ready();
  } catch (err) {
    await shutdown();
    throw err;
  }
  runtime.start();
  return new GatewayApp(http, runtime, logger, shutdown);
}
