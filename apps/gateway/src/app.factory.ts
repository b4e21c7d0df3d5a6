import 'reflect-metadata';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import Fastify from 'fastify';
import type { GatewayConfig } from '#config';
import { answerClientErrorAsJson, AppLogger } from '#runtime';
import { GatewayModule } from './gateway.module.js';
import { GATEWAY_OPENAPI_PATH, registerGatewayOpenApiRoute } from './openapi/gateway-openapi.js';
import { ServeRuntime } from './serve/serve-runtime.js';
import { registerServeRoutes, SECURITY_HEADERS, serveFrameworkError } from './serve/serve.routes.js';

/** Prompt keys are up to 200 characters; Fastify's default cap on a path parameter is 100. */
const MAX_PARAM_LENGTH = 256;
const SERVE_PATH = '/v1/serve/';
/** Nest's routes here, and the OpenAPI document: each answers GET (and HEAD) only. */
const PROBE_PATHS = new Set(['/', '/health', '/ready', GATEWAY_OPENAPI_PATH]);
const PROBE_ALLOW = 'GET, HEAD';

/**
 * The gateway, configured and initialised but not listening: main.ts or a test calls listen().
 *
 * The serve routes live on a Fastify instance of their own, outside Nest: Nest's pipeline costs
 * about a third of the throughput (shared/TOOLCHAIN.md), and Nest's Fastify adapter adds seven
 * request hooks and its middleware engine to every route of its instance, which cost another
 * fifth. One HTTP server hands `/v1/serve/` to that instance and everything else (health,
 * readiness, 404s) to Nest.
 */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'gateway');
  const serve = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_PARAM_LENGTH }, frameworkErrors: serveFrameworkError });
  let serveRouting: RequestListener | undefined;
  const adapter = new FastifyAdapter({
    frameworkErrors: serveFrameworkError,
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => answerClientErrorAsJson(err, socket, SECURITY_HEADERS),
    serverFactory: (nestHandler: (req: IncomingMessage, res: ServerResponse) => void) =>
      createServer((req, res) => {
        if (serveRouting !== undefined && req.url !== undefined && req.url.startsWith(SERVE_PATH)) return serveRouting(req, res);
        // Off the hot path: the serve routes write the same headers in their single writeHead.
        for (let i = 0; i < SECURITY_HEADERS.length; i += 2) res.setHeader(SECURITY_HEADERS[i], SECURITY_HEADERS[i + 1]);
        if (req.method !== 'GET' && req.method !== 'HEAD' && PROBE_PATHS.has((req.url ?? '/').split('?')[0])) return methodNotAllowed(req, res);
        nestHandler(req, res);
      }),
  });
  // No Fastify request logging: a log line per request would cost the serve hot path; errors are logged.
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config, logger), adapter, { logger });
  registerServeRoutes(serve, app.get(ServeRuntime));
  registerGatewayOpenApiRoute(app.getHttpAdapter().getInstance());
  await serve.ready();
  serveRouting = serve.routing as RequestListener;
  app.get(ServeRuntime).onClose(() => serve.close());
  await app.init();
  return app;
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({ error: { code: 'method_not_allowed', message: `${req.method ?? ''} is not allowed here; use ${PROBE_ALLOW}.` } });
  res.writeHead(405, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), allow: PROBE_ALLOW });
  res.end(body);
}
