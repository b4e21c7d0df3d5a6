import request from 'supertest';
import { useRegistry } from './support/registry.js';

describe('the registry at / (what a browser sees)', () => {
  const h = useRegistry();

  it('answers a small HTML page that says what Promptgate is and links the API docs, without auth', async () => {
    const res = await request(h.http).get('/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<h1>Promptgate</h1>');
    expect(res.text).toMatch(/Prompt governance/);
    expect(res.text).toContain('<a href="/api/docs">');
    expect(res.text).toContain('<a href="/api/docs-json">');
  });

  it('works under the registry CSP: no script at all, only inline style, which the policy allows', async () => {
    const res = await request(h.http).get('/').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
    expect(res.text).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    // Every link it shows is answered.
    for (const href of [...res.text.matchAll(/href="([^"]+)"/g)].map((m) => m[1])) {
      const { status } = await request(h.http).get(href);
      expect([href, status < 400]).toEqual([href, true]);
    }
  });

  it('answers HEAD, refuses other methods with 405 and allow, and keeps /api/v1 to itself', async () => {
    await request(h.http).head('/').expect(200);
    const post = await request(h.http).post('/').send({}).expect(405);
    expect([post.headers.allow, post.body.error.code]).toEqual(['GET, HEAD', 'method_not_allowed']);
    await request(h.http).get('/api/v1').expect(404);
    await request(h.http).get('/api/v1/').expect(404);
  });

  it('is not an operation of the OpenAPI document (it is not part of the API)', async () => {
    const doc = (await request(h.http).get('/api/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/');
  });
});
