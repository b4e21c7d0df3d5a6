import { createServer, type Server, type ServerResponse } from 'node:http';
import type { ReadinessReport } from '#runtime';

/** The worker has no HTTP API; this bare server only answers the probes of API.md. */
export function createHealthServer(checkReady: () => Promise<ReadinessReport>): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === '/ready') {
      void checkReady().then(({ ready, body }) => send(res, ready ? 200 : 503, body));
      return;
    }
    send(res, 404, { error: { code: 'not_found', message: `No route ${req.method} ${path}.` } });
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
