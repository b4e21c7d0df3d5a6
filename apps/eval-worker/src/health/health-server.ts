import { createServer, type Server, type ServerResponse } from 'node:http';
import { errorBody, type ReadinessReport } from '#runtime';
import { HEALTH } from './instance.js';

/** helmet's defaults, framing denied and nothing allowed to load: this server only ever answers JSON. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const ALLOW = 'GET, HEAD';

/** The worker has no HTTP API; this bare server only answers the probes of API.md. */
export function createHealthServer(checkReady: () => Promise<ReadinessReport>): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const probe = path === '/health' || path === '/ready';
    if (probe && req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, errorBody('method_not_allowed', `${req.method ?? ''} is not allowed here; use ${ALLOW}.`), { allow: ALLOW });
    }
    if (path === '/health') return send(res, 200, HEALTH);
    if (path === '/ready') {
      checkReady().then(
        ({ ready, body }) => send(res, ready ? 200 : 503, body),
        () => send(res, 503, { status: 'unavailable' }),
      ).catch(() => res.destroy());
      return;
    }
    send(res, 404, errorBody('not_found', `No route ${req.method ?? ''} ${path}.`));
  });
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) {
  const json = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
