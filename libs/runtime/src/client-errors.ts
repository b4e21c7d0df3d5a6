import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './error-body.js';

const ANSWERS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'request_headers_too_large', message: 'The request line and headers are larger than 16 KiB.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'The request was not received in time.' },
};
const MALFORMED = { status: 400, code: 'validation_failed', message: 'The request is not valid HTTP.' };

/**
 * A `clientError` handler (Fastify's `clientErrorHandler`): requests node's HTTP parser refuses
 * before any route sees them (a request line or headers over 16 KiB, malformed HTTP) are answered
 * in the JSON error shape, with `extraHeaders` (a flat name, value list, such as the security headers).
 */
export function answerClientErrorAsJson(err: NodeJS.ErrnoException, socket: Duplex, extraHeaders: readonly string[] = []): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const answer = ANSWERS[err.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(errorBody(answer.code, answer.message));
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\ncontent-type: application/json; charset=utf-8\r\n`;
  for (let i = 0; i + 1 < extraHeaders.length; i += 2) head += `${extraHeaders[i]}: ${extraHeaders[i + 1]}\r\n`;
  socket.end(`${head}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
