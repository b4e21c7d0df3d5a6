import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ReadinessReport } from '#runtime';
import { createHealthServer } from './health-server.js';

const READY: ReadinessReport = { ready: true, body: { status: 'ready', checks: { redis: 'ok' } } };

async function listen(checkReady: () => Promise<ReadinessReport>): Promise<{ server: Server; url: string }> {
  const server = createHealthServer(checkReady).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('the eval worker health server', () => {
  let failing = false;
  let s: { server: Server; url: string };
  beforeAll(async () => {
    s = await listen(() => (failing ? Promise.reject(new Error('the check itself failed')) : Promise.resolve(READY)));
  });
  afterAll(async () => {
    s.server.close();
    await once(s.server, 'close');
  });

  it('sends the security headers on every answer', async () => {
    for (const path of ['/health', '/ready', '/nowhere']) {
      const res = await fetch(`${s.url}${path}`);
      expect([path, res.headers.get('x-content-type-options'), res.headers.get('x-frame-options'), res.headers.get('referrer-policy')])
        .toEqual([path, 'nosniff', 'DENY', 'no-referrer']);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    }
  });

  it('answers 405 with allow for a wrong method on a probe', async () => {
    const res = await fetch(`${s.url}/health`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
  });

  it('answers 503 when the readiness check rejects, and keeps answering', async () => {
    failing = true;
    const res = await fetch(`${s.url}/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable' });
    failing = false;
    expect((await fetch(`${s.url}/ready`)).status).toBe(200);
  });
});
