import type { IncomingMessage, ServerResponse } from 'node:http';

// @types/express is not installed: these name the few parts of Express's request and response used here.
export interface HttpRequest extends IncomingMessage {
  method: string;
  originalUrl: string;
  path: string;
  query: Record<string, unknown>;
  body?: unknown;
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}

export type NextFunction = (err?: unknown) => void;
