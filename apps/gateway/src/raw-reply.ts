import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '#runtime';

export const JSON_TYPE = 'application/json; charset=utf-8';
/** Node's idle timeout of a kept-alive connection, which the `keep-alive` header announces (in whole seconds). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

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

/** A flat name/value list as header lines (`name: value\r\n`...); only for the gateway's own, already valid values. */
export function headerLines(headers: readonly string[]): string {
  let lines = '';
  for (let i = 0; i < headers.length; i += 2) lines += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return lines;
}

export const SECURITY_LINES = headerLines(SECURITY_HEADERS);
const KEEP_ALIVE_END = `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(KEEP_ALIVE_TIMEOUT_MS / 1000)}\r\n\r\n`;
const REASONS: Record<number, string> = {
  200: 'OK', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** The status line and `date` of an answer, rebuilt once a second (the date's resolution) per status. */
const statusDate = new Map<number, { second: number; text: string }>();
function statusAndDate(status: number, now: number): string {
  const second = Math.floor(now / 1000);
  let cached = statusDate.get(status);
  if (cached === undefined) statusDate.set(status, (cached = { second: -1, text: '' }));
  if (cached.second !== second) {
    cached.second = second;
    cached.text = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\ndate: ${new Date(second * 1000).toUTCString()}\r\n`;
  }
  return cached.text;
}

/** Node's own fields of a response that the one-buffer write sets instead of writeHead (node:_http_outgoing). */
interface OutgoingInternals {
  _header: string | null;
}

/**
 * Writes an answer as one string, status line, headers and body, in one socket write: the head is
 * handed to Node as the response's header block (what writeHead would have built, without
 * validating each precomputed header again) and end() sends it with the body. Node still owns the
 * rest: HEAD gets no body, a pipelined answer waits for the ones before it, the connection is
 * kept for the next request. When Node would close the connection instead (HTTP/1.0 without
 * keep-alive, `connection: close`, or a header set by Fastify while closing), writeHead builds the
 * head as usual. `lines` are header lines (headerLines), the body's type and length among them.
 */
export function writeAnswer(res: ServerResponse, status: number, lines: string, body: string | undefined, now = Date.now()): void {
  if (!res.shouldKeepAlive || res.hasHeader('connection')) {
    res.writeHead(status, linesToList(lines));
    res.end(body);
    return;
  }
  res.statusCode = status;
  (res as unknown as OutgoingInternals)._header = statusAndDate(status, now) + lines + KEEP_ALIVE_END;
  res.end(body);
}

function linesToList(lines: string): string[] {
  const list: string[] = [];
  for (const line of lines.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(': ');
    list.push(line.slice(0, colon), line.slice(colon + 2));
  }
  return list;
}

/** writeAnswer through Fastify's reply, which stands aside (`hijack`): none of its per-reply header bookkeeping. */
export function writeRaw(reply: FastifyReply, status: number, headers: readonly string[], body: string | undefined): void {
  if (!reply.sent) reply.hijack();
  writeAnswer(reply.raw, status, headerLines(headers), body);
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
