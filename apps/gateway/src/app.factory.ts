import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify from 'fastify';
import type { GatewayConfig } from '#config';
import { answerClientErrorAsJson, AppLogger, checkReadiness, closeRedis, createDatabasePool, createRedisClient } from '#runtime';
import { GatewayApp } from './gateway-app.js';
import { registerGatewayRoutes } from './gateway.routes.js';
import { KEEP_ALIVE_TIMEOUT_MS, SECURITY_HEADERS } from './raw-reply.js';
import { ServeRuntime } from './serve/serve-runtime.js';
import { serveFrameworkError, type ServeHitPath } from './serve/serve.routes.js';

/** Prompt keys are up to 200 characters; Fastify's default cap on a path parameter is 100. */
const MAX_PARAM_LENGTH = 256;
/** Node's timeouts, which the gateway has always had (Fastify's keep idle connections 72 s and never time a request out). */
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * The gateway's composition root: its connections, the serve runtime and one plain Fastify app
 * answering every route (gateway.routes.ts), built and started but not listening. No framework
 * sits between Fastify and the serve handlers: a cache hit does no I/O, and a pipeline of hooks
 * and middleware would cost a third of its throughput (bench/serve.ts). A request both caches hit
 * does not even reach Fastify: the HTTP server's listener answers it first (the serve hit path),
 * and hands everything else to Fastify.
 */
export async function createGatewayApp(config: GatewayConfig): Promise<GatewayApp> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'gateway');
  // Cache misses read through the replica when one is configured.
  const pool = createDatabasePool(config.DATABASE_READ_URL || config.DATABASE_URL, logger, 'promptgate-gateway');
  const redis = createRedisClient(config.REDIS_URL, logger, 'promptgate-gateway');
  const runtime = new ServeRuntime(config, pool, redis, logger);
  let hit: ServeHitPath = () => false;
  let closing = false;
  // No request logging: a log line per request would cost the serve hot path; errors are logged.
  const http = Fastify({
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: serveFrameworkError,
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => answerClientErrorAsJson(err, socket, SECURITY_HEADERS),
    // While closing, every request goes to Fastify, which answers it with `connection: close`.
    serverFactory: (fastifyHandler) => {
      const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        if (closing || !hit(request, response)) fastifyHandler(request, response);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = REQUEST_TIMEOUT_MS;
      return server;
    },
    // While closing, a request already on a kept-alive connection is still served (with connection: close), not
    // refused with Fastify's own 503 body: the serve routes always answered until their connections went.
    return503OnClosing: false,
  });
  hit = registerGatewayRoutes(http, {
    serve: runtime,
    checkReady: () => checkReadiness(() => pool.query('SELECT 1'), redis, logger),
    logger,
  });
  // HTTP first (in-flight answers finish), then the last usage flush, then the connections.
  const shutdown = async () => {
    closing = true;
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
