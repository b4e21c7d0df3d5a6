import { randomUUID } from 'node:crypto';
import type { HttpRequest as Request, HttpResponse as Response, NextFunction } from './http.js';
import type { AppLogger } from '#runtime';

const REQUEST_ID = Symbol('requestId');
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes arrive every few seconds from orchestrators and `npm start`: a line each would drown the rest. */
const PROBES = new Set(['/health', '/ready']);

export function requestIdOf(req: Request): string | undefined {
  return (req as unknown as Record<symbol, string | undefined>)[REQUEST_ID];
}

/**
 * One log line per request (method, path without query string, status, ms, request id), and an
 * `x-request-id` on every answer: the caller's when it sent a sane one, else a fresh uuid.
 */
export function requestLogging(logger: AppLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as unknown as Record<symbol, string>)[REQUEST_ID] = id;
    res.setHeader('x-request-id', id);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.writableFinished ? res.statusCode : 499;
      const line = {
        request_id: id, method: req.method, path: req.originalUrl.split('?')[0], status, ms: Math.round(ms * 10) / 10,
      };
      if (status >= 500) logger.pino.error(line, 'request');
      else if (PROBES.has(line.path)) logger.pino.debug(line, 'request');
      else logger.pino.info(line, 'request');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}
