import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { encodeCursor } from '../src/common/pagination.js';
import { api, livePrompt, makeTeam, type Team } from './support/review-flow.js';
import { signup, uniqueEmail, useRegistry } from './support/registry.js';

/** Sends `json` as the raw body, so that lone surrogates and `__proto__` keys reach the parser as written. */
const rawJson = (req: request.Test, json: string) => req.set('Content-Type', 'application/json').send(json);

function expectRefused(res: request.Response, field: string | RegExp): void {
  expect([res.status, res.body.error?.code]).toEqual([400, 'validation_failed']);
  expect(res.body.error.details).toEqual([{ field: expect.stringMatching(field), messages: expect.arrayContaining([expect.any(String)]) }]);
}

describe('registry: input no column can hold is 400 validation_failed naming the field (issue 9, item 12)', () => {
  const h = useRegistry();
  let t: Team;
  let promptId: string;
  let versionId: string;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    ({ promptId, versionId } = await livePrompt(h.http, t, 'development', 'hardening.one'));
  });

  it('refuses NUL in a text field, a query value and a path segment', async () => {
    expectRefused(await request(h.http).post(api('/workspaces')).set(t.owner.auth).send({ name: 'a\u0000b' }), /^name$/);
    expectRefused(await request(h.http).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth).send({ content: 'x\u0000' }), /^content$/);
    expectRefused(await request(h.http).get(api(`/workspaces/${t.ws}/audit?actor=a%00b`)).set(t.owner.auth), /^actor$/);
    expectRefused(await request(h.http).get(api(`/environments/${t.env.development}/prompts?search=%00`)).set(t.owner.auth), /^search$/);
    expectRefused(await request(h.http).get(api(`/environments/${t.env.development}/prompts/by-key/a%00b`)).set(t.owner.auth), /^key$/);
  });

  it('refuses an audit time filter with a signed or zero year, which Date would misread', async () => {
    for (const [name, value] of [['from', '-4714-01-01'], ['to', '-9999-01-01'], ['from', '0000-01-01T00:00:00Z']]) {
      expectRefused(await request(h.http).get(api(`/workspaces/${t.ws}/audit?${name}=${value}`)).set(t.viewer.auth), new RegExp(`^${name}$`));
    }
    await request(h.http).get(api(`/workspaces/${t.ws}/audit?from=2020-01-01&to=9999-12-31T23:59:59Z`)).set(t.viewer.auth).expect(200);
  });

  it('refuses lone surrogates in names, emails, notes and nested values', async () => {
    expectRefused(await rawJson(request(h.http).post(api('/workspaces')).set(t.owner.auth), '{"name":"team \\ud800"}'), /^name$/);
    expectRefused(await rawJson(request(h.http).post(api('/auth/signup')), `{"email":"a\\udc00${uniqueEmail()}","password":"correct-horse-battery"}`), /^email$/);
    expectRefused(await rawJson(request(h.http).post(api(`/versions/${versionId}/reject`)).set(t.reviewer.auth), '{"note":"\\ud83d"}'), /^note$/);
    expectRefused(await rawJson(request(h.http).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth), '{"content":"ok","extra":{"k":["\\udfff"]}}'), /^extra\.k\.0$/);
    const astral = await request(h.http).post(api('/workspaces')).set(t.owner.auth).send({ name: 'team 😀' }).expect(201);
    expect(astral.body.workspace.name).toBe('team 😀');
  });

  it.each(['2147483648', '9007199254740993', '1e308', '0', '-1', '1.5', '"1"'])('refuses version_num %s, which no int4 holds or names', async (n) => {
    const res = await rawJson(request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth), `{"version_num":${n}}`);
    expectRefused(res, /^version_num$/);
  });

  it('refuses a versions cursor past int4, and reads one inside it', async () => {
    for (const position of [9007199254740991, 2147483648]) {
      const res = await request(h.http).get(api(`/prompts/${promptId}/versions?cursor=${encodeCursor([position])}`)).set(t.viewer.auth);
      expectRefused(res, /^cursor$/);
    }
    await request(h.http).get(api(`/prompts/${promptId}/versions?cursor=${encodeCursor([2147483647])}`)).set(t.viewer.auth).expect(200);
  });

  it('refuses a provider key that last4 could cut inside a character (keys are printable ASCII)', async () => {
    for (const key of ['sk-abcdefgh1😀', 'sk-abcdef😀123', 'sk-abcd efgh']) {
      const res = await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/openai`)).set(t.owner.auth).send({ api_key: key });
      expectRefused(res, /^api_key$/);
    }
    const saved = await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/openai`)).set(t.owner.auth).send({ api_key: 'sk-abcdefgh1234' }).expect(200);
    expect(saved.body.last4).toBe('1234');
  });

  it('refuses JSON nested deeper than 32 levels, 100,000 deep included, and keeps serving', async () => {
    const arrays = '['.repeat(100_000) + ']'.repeat(100_000);
    expectRefused(await rawJson(request(h.http).post(api('/workspaces')).set(t.owner.auth), arrays), /^(0\.)+0$/);
    const objects = `{"name":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    expectRefused(await rawJson(request(h.http).post(api('/workspaces')).set(t.owner.auth), objects), /^name(\.a)+$/);
    await request(h.http).get('/health').expect(200);
  });

  it('refuses __proto__, constructor and prototype keys as unknown fields, at any depth, and writes nothing', async () => {
    const [{ n: before }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM workspaces`);
    expectRefused(await rawJson(request(h.http).post(api('/workspaces')).set(t.owner.auth), '{"name":"x","__proto__":{"is_personal":true}}'), /^__proto__$/);
    expectRefused(await request(h.http).post(api('/workspaces')).set(t.owner.auth).send({ name: 'x', constructor: { name: 'y' } }), /^constructor$/);
    expectRefused(await rawJson(request(h.http).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth), '{"content":"x","meta":{"prototype":{}}}'), /^meta\.prototype$/);
    const [{ n: after }] = await h.dataSource.query(`SELECT count(*)::int AS n FROM workspaces`);
    expect(after).toBe(before);
  });
});

describe('registry: methods, unknown paths and security headers (issue 9, items 10 and 12)', () => {
  const h = useRegistry();

  it('answers a wrong method on a known path with 405 method_not_allowed and allow', async () => {
    const ana = await signup(h.http);
    const put = await request(h.http).put(api('/workspaces')).set(ana.auth).expect(405);
    expect(put.body).toEqual({ error: { code: 'method_not_allowed', message: expect.any(String) } });
    expect(put.headers.allow).toBe('POST');
    const del = await request(h.http).delete(api(`/workspaces/${ana.workspaceId}/members`)).expect(405);
    expect(del.headers.allow).toBe('GET, HEAD, POST');
    const health = await request(h.http).post('/health').expect(405);
    expect([health.headers.allow, health.body.error.code]).toEqual(['GET, HEAD', 'method_not_allowed']);
    await request(h.http).get(api(`/workspaces/${ana.workspaceId}/members`)).set(ana.auth).expect(200);
    await request(h.http).head('/health').expect(200);
    const options = await request(h.http).options(api('/workspaces')).expect(204);
    expect(options.headers.allow).toBe('POST');
  });

  it('answers unknown paths anywhere with 404 in the JSON error shape, never an HTML page', async () => {
    // A GET elsewhere under / is the dashboard's (a deep link, when it is built): dashboard-serving.e2e-spec.ts and home.e2e-spec.ts.
    const unknown = [
      ['post', '/nowhere'], ['delete', '/api'], ['get', '/api/v2/workspaces'], ['get', api('/nope')], ['get', '/health/nowhere'], ['get', '/metrics'],
    ] as const;
    for (const [method, path] of unknown) {
      const res = await request(h.http)[method](path).expect(404);
      expect([path, res.headers['content-type']]).toEqual([path, expect.stringContaining('application/json')]);
      expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('answers requests the HTTP parser refuses (a 17 KiB URL, malformed HTTP) in the JSON error shape', async () => {
    if (!h.http.listening) await new Promise<void>((resolve) => h.http.listen(0, '127.0.0.1', resolve));
    const { port } = h.http.address() as AddressInfo;
    const long = await fetch(`http://127.0.0.1:${port}/api/v1/workspaces?x=${'a'.repeat(17 * 1024)}`);
    expect([long.status, long.headers.get('content-type')]).toEqual([431, 'application/json; charset=utf-8']);
    expect(((await long.json()) as { error: unknown }).error).toEqual({ code: 'request_headers_too_large', message: expect.any(String) });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => { text += chunk.toString(); });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'validation_failed', message: 'The request is not valid HTTP.' } });
  });

  it('sends security headers on every answer, API and errors alike', async () => {
    for (const res of [await request(h.http).get('/health'), await request(h.http).get(api('/me')), await request(h.http).get('/nowhere')]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'strict-transport-security': expect.stringContaining('max-age='),
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'content-security-policy': expect.stringContaining("default-src 'self'"),
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('keeps Swagger UI working under the CSP: its page, scripts and the document load from this origin', async () => {
    const page = await request(h.http).get('/api/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Every script the page loads is a same-origin file (no inline script), and each is served.
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      await request(h.http).get(new URL(src, 'http://x/api/docs/').pathname).expect(200);
    }
    const doc = await request(h.http).get('/api/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
  });
});
