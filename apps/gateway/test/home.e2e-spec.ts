import { useGateway } from './support/gateway.js';

describe('the gateway at /', () => {
  const gateway = useGateway();

  it('answers JSON pointing to the serve routes and to the OpenAPI document, with the security headers', async () => {
    const res = await fetch(`${gateway.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await res.json()) as { service: string; routes: Record<string, string>; docs: Record<string, string>; probes: string[] };
    expect(body.service).toBe('gateway');
    expect(body.routes.serve).toMatch(/^GET \/v1\/serve\/\{key\}/);
    expect(body.routes.serve_long).toMatch(/^POST \/v1\/serve\/\{key\}/);
    expect(body.docs.registry_openapi).toContain('/api/docs-json');
    expect(body.docs.serve).toContain('docs/API.md');
    expect(body.docs.openapi).toContain('/openapi.json');
    expect(body.probes).toEqual(['/health', '/ready']);
  });

  it('names only routes the gateway answers', async () => {
    for (const path of ['/health', '/ready']) expect((await fetch(`${gateway.url}${path}`)).status).toBe(200);
    // Without an API key: 401 from the serve routes themselves, not a 404 for an unknown path.
    for (const path of ['/v1/serve/any.prompt']) expect([path, (await fetch(`${gateway.url}${path}`)).status]).toEqual([path, 401]);
  });

  it('answers HEAD, and 405 with allow for other methods', async () => {
    expect((await fetch(`${gateway.url}/`, { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(`${gateway.url}/`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});
