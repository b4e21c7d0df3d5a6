import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { useRegistry } from './support/registry.js';

// A directory without a dashboard build: the registry's own page answers `/` (dashboard-serving.e2e-spec.ts has the build).
const noBuild = mkdtempSync(join(tmpdir(), 'promptgate-no-dashboard-'));
afterAll(() => rmSync(noBuild, { recursive: true, force: true }));

describe('the registry at / without a dashboard build (what a browser sees)', () => {
  const h = useRegistry({ DASHBOARD_DIR: noBuild });

  it('answers a small HTML page that says what Promptgate is and links the API docs, without auth', async () => {
    const res = await request(h.http).get('/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<h1>Promptgate</h1>');
    expect(res.text).toMatch(/Prompt governance/);
    expect(res.text).toContain('<a href="/api/docs">');
    expect(res.text).toContain('<a href="/api/docs-json">');
    expect(res.text).toContain('npm run build');
    expect(res.text).toContain('DASHBOARD_DIR');
  });

  it('answers a deep link of the dashboard with 404 in the JSON error shape, not with the page', async () => {
    const res = await request(h.http).get('/prompts/anything').expect(404);
    expect(res.body.error.code).toBe('not_found');
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
