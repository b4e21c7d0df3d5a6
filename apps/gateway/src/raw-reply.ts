import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '#runtime';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Fixed security headers on every answer, one precomputed list so the hot path does no work for
 * them. The gateway answers only JSON and text to API clients, never a document: of helmet's
 * defaults it keeps those that bind such answers (no sniffing, no framing, nothing loaded, no
 * referrer, no cross-origin embedding); the rest only concern HTML pages, and every header costs
 * the hot path bytes.
 */
export const SECURITY_HEADERS: readonly string[] = [
  'content-security-policy', "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy', 'same-origin',
  'referrer-policy', 'no-referrer',
  'x-content-type-options', 'nosniff',
  'x-frame-options', 'DENY',
];

/**
 * Writes the answer on Node's response directly (Fastify stands aside: `hijack`): a flat header
 * list and a string body go out in one write, with none of Fastify's per-reply header bookkeeping.
 * Node itself leaves the body out of an answer to HEAD.
 */
export function writeRaw(reply: FastifyReply, status: number, headers: string[], body: string | undefined): void {
  if (!reply.sent) reply.hijack();
  reply.raw.writeHead(status, headers);
  reply.raw.end(body);
}

/** A JSON answer off the serve path (probes, home, refusals): the security headers, then the body's type and length. */
export function sendJson(reply: FastifyReply, status: number, body: unknown, extraHeaders: readonly string[] = []): void {
  const json = JSON.stringify(body);
  writeRaw(reply, status, [...SECURITY_HEADERS, 'content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(json)), ...extraHeaders], json);
}

/** 404 for a request no route takes, off the serve path. */
export function sendNoRoute(request: FastifyRequest, reply: FastifyReply): void {
  sendJson(reply, 404, errorBody('not_found', `Cannot ${request.method} ${request.url}`));
}
