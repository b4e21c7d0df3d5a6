import { startGateway, useGateway } from './support/gateway.js';

/** The answers the gateway gives itself where no route takes a request: 405 on a known path, 404 elsewhere, all in the error shape. */
describe('the gateway where no route answers', () => {
  const gateway = useGateway();

  async function answer(path: string, init: RequestInit = {}) {
    const res = await fetch(`${gateway.url}${path}`, init);
    const text = await res.text();
    return { status: res.status, allow: res.headers.get('allow'), nosniff: res.headers.get('x-content-type-options'), body: text === '' ? null : JSON.parse(text) as unknown };
  }

  it('refuses any other method on a probe 405 with allow, before reading a body that would be refused itself', async () => {
    const cases: Array<[string, RequestInit]> = [
      ['/health', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not json' }],
      ['/ready?x=1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '[' }],
      ['/', { method: 'DELETE' }],
      ['/health', { method: 'PROPFIND' }],
      ['/ready', { method: 'QUERY' }],
    ];
    for (const [path, init] of cases) {
      expect([path, init.method, await answer(path, init)]).toEqual([path, init.method, {
        status: 405, allow: 'GET, HEAD', nosniff: 'nosniff',
        body: { error: { code: 'method_not_allowed', message: `${init.method} is not allowed here; use GET, HEAD.` } },
      }]);
    }
  });

  it('answers a path no route takes 404 naming it, and a body refused on the way with its own 4xx', async () => {
    expect(await answer('/nowhere?x=1')).toEqual({ status: 404, allow: null, nosniff: 'nosniff', body: { error: { code: 'not_found', message: 'Cannot GET /nowhere?x=1' } } });
    expect(await answer('/health/', { method: 'PATCH' })).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'Cannot PATCH /health/' } } });
    expect(await answer('/v1/serve', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).toMatchObject({
      status: 400, nosniff: 'nosniff', body: { error: { code: 'validation_failed' } },
    });
    expect(await answer('/v1/serve/a/b')).toEqual({ status: 404, allow: null, nosniff: 'nosniff', body: { error: { code: 'not_found', message: 'No such route.' } } });
    expect(await answer('/v1/serve/some.prompt', { method: 'DELETE' })).toMatchObject({ status: 405, allow: 'GET, HEAD, POST', body: { error: { code: 'method_not_allowed' } } });
  });

  it('stops for good: a second close waits for the first, and the port is let go', async () => {
    const { app: other, url: otherUrl } = await startGateway({ DATABASE_URL: gateway.db.url });
    expect((await fetch(`${otherUrl}/health`)).status).toBe(200);
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`${otherUrl}/health`)).rejects.toThrow();
  });
});
