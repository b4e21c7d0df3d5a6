import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { codeForStatus, errorBody, internalErrorBody, type AppLogger, type ReadinessReport } from '#runtime';
import { registerHealthRoutes } from './health/health.routes.js';
import { registerHomeRoutes } from './home/home.routes.js';
import { GATEWAY_OPENAPI_PATH, registerGatewayOpenApiRoute } from './openapi/gateway-openapi.js';
import { SECURITY_HEADERS, sendJson, sendNoRoute } from './raw-reply.js';
import { registerServeRoutes, SERVE_PREFIX, type ServeDependencies, type ServeHitPath } from './serve/serve.routes.js';

export interface GatewayDependencies {
  serve: ServeDependencies;
  checkReady: () => Promise<ReadinessReport>;
  logger: AppLogger;
}

/** The routes off the serve path that answer GET (and HEAD) only. */
const PROBE_PATHS = ['/', '/health', '/ready', '/v1/prompts', GATEWAY_OPENAPI_PATH];
const PROBE_ALLOW = 'GET, HEAD';

/**
 * Every route of the gateway, and the answers where no route takes a request: the one place
 * routes are registered. Nothing here adds a hook to the instance, so a serve request runs only
 * its own handler. Returns the serve hit path, which the HTTP server runs before Fastify.
 */
export function registerGatewayRoutes(fastify: FastifyInstance, deps: GatewayDependencies): ServeHitPath {
  const serve = registerServeRoutes(fastify, deps.serve);
  registerHealthRoutes(fastify, deps.checkReady);
  registerHomeRoutes(fastify);
  registerGatewayOpenApiRoute(fastify);
  // A probe path refuses every other method before its body is read: the method, not the body, is what is wrong.
  const otherMethods = fastify.supportedMethods.filter((m) => m !== 'GET' && m !== 'HEAD');
  for (const url of PROBE_PATHS) {
    fastify.route({ method: otherMethods, url, config: { methodNotAllowed: true }, onRequest: methodNotAllowed, handler: methodNotAllowed });
  }

  fastify.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(SERVE_PREFIX)) return serve.notFound(request, reply);
    // Off the serve path: a probe path asked with a method Fastify has no routes for (PROPFIND...) is 405, anything else 404.
    methodNotAllowed(request, reply);
  });
  fastify.setErrorHandler((err: FastifyError, request, reply) => {
    if (request.url.startsWith(SERVE_PREFIX)) return serve.failed(reply, err);
    failed(reply, err, deps.logger);
  });
  return serve.hit;
}

/** 405 on a probe path; anything else (find-my-way also takes `OPTIONS *` for `/`) is no route. */
function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): void {
  if (!PROBE_PATHS.includes(request.url.split('?')[0])) return sendNoRoute(request, reply);
  sendJson(reply, 405, errorBody('method_not_allowed', `${request.method} is not allowed here; use ${PROBE_ALLOW}.`), ['allow', PROBE_ALLOW]);
}

/** A body Fastify refused off the serve path (bad JSON, over 1 MiB) is its 4xx; anything else a 500 with an id in the log. */
function failed(reply: FastifyReply, err: unknown, logger: AppLogger): void {
  if (reply.sent) return;
  for (let i = 0; i < SECURITY_HEADERS.length; i += 2) reply.raw.setHeader(SECURITY_HEADERS[i], SECURITY_HEADERS[i + 1]);
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    reply.status(status).send(errorBody(codeForStatus(status), err instanceof Error ? err.message : 'Request failed.'));
    return;
  }
  const errorId = randomUUID();
  logger.pino.error({ err, error_id: errorId }, 'unhandled error');
  reply.status(500).send(internalErrorBody(errorId));
}
