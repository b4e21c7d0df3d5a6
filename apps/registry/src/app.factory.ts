import 'reflect-metadata';
import type { Duplex } from 'node:stream';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { SwaggerModule } from '@nestjs/swagger';
import type { RegistryConfig } from '#config';
import { AppModule } from './app.module.js';
import { ErrorResponseFilter } from './common/error-response.filter.js';
import { JSON_BODY_LIMIT, JSON_MEDIA_TYPES, requireJsonBody } from './common/json-body.js';
import { AppLogger, answerClientErrorAsJson } from '#runtime';
import { refuseUnsafeInput } from './common/input-guard.js';
import { requestLogging } from './common/request-logging.js';
import { routeGate, type ExpressApp } from './common/route-gate.js';
import { securityHeaders } from './common/security-headers.js';
import { RequestValidationPipe } from './common/validation.js';
import { serveDashboard } from './dashboard/dashboard-files.js';
import { buildRegistryOpenApiDocument, OPENAPI_JSON_PATH } from './openapi/registry-openapi.js';

export const API_PREFIX = 'api/v1';

/**
 * The registry, fully configured but not listening: main.ts calls listen(), e2e tests call
 * init() and drive getHttpServer() with supertest. `logDestination` (tests) receives the log lines
 * instead of stdout. `preview` (scripts/openapi-document.ts) builds the module graph without
 * instantiating a provider: no database, Redis or queue is connected, and the app can only describe itself.
 */
export async function createRegistryApp(
  config: RegistryConfig,
  options: { logDestination?: DestinationStream; preview?: boolean } = {},
): Promise<NestExpressApplication> {
  const logger = AppLogger.create(config.LOG_LEVEL, 'registry', options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, logger), {
    logger,
    bodyParser: false,
    preview: options.preview === true,
  });
  app.disable('x-powered-by');
  // Requests node's HTTP parser refuses (headers over 16 KiB, malformed HTTP) get the JSON error shape too.
  app.getHttpServer().on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientErrorAsJson(err, socket));
  // req.ip keys the per-client login limit: trust X-Forwarded-For only from the proxies TRUST_PROXY names.
  app.set('trust proxy', config.TRUST_PROXY);
  // Order matters: headers on every answer, log every request, the dashboard's files (GET and HEAD
  // outside the registry's own paths), answer unknown paths and methods, refuse non-JSON bodies,
  // parse JSON up to 1 MiB, then refuse input no column or field can hold.
  app.use(securityHeaders());
  app.use(requestLogging(logger));
  app.use(serveDashboard(config.DASHBOARD_DIR));
  // Express's own types are not installed: the instance is typed by the parts routeGate reads.
  app.use(routeGate(app.getHttpAdapter().getInstance() as ExpressApp, ['/api/docs']));
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT, type: JSON_MEDIA_TYPES });
  app.use(refuseUnsafeInput);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [{ path: 'health', method: RequestMethod.GET }, { path: 'ready', method: RequestMethod.GET }, { path: '/', method: RequestMethod.GET }],
  });
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new ErrorResponseFilter(logger));

  SwaggerModule.setup('api/docs', app, buildRegistryOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1) });
  return app;
}
