import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { HttpRequest as Request, HttpResponse as Response, NextFunction } from './http.js';

export const JSON_BODY_LIMIT = '1mb';
/** Media types the JSON body parser reads: application/json and any `+json` type (RFC 6839). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/** A POST, PUT or PATCH that carries a body must say it is JSON: anything else is `415`. */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (!METHODS_WITH_BODY.has(req.method) || !hasBody(req)) return next();
  const contentType = req.headers['content-type'];
  if (contentType !== undefined && isJsonMediaType(contentType)) return next();
  next(new UnsupportedMediaTypeException('The request body must be JSON (Content-Type: application/json).'));
}
