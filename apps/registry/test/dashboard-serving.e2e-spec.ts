import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { useRegistry } from './support/registry.js';

// The registry serves the dashboard's static build at `/`. A small fixture build stands in for
// `npm run build:dashboard`'s output here; the last block reads the real build.

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request exactly as written (no path normalisation, no decompression), to the listening registry. */
async function raw(server: Server, method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

const json = (a: RawAnswer) => JSON.parse(a.body.toString('utf8')) as { error: { code: string } };

const DIRECTIVES = [
  "default-src 'self'", "base-uri 'self'", "connect-src 'self'", "font-src 'self'", "form-action 'self'", "frame-ancestors 'none'",
  "img-src 'self' data:", "manifest-src 'self'", "object-src 'none'", "script-src 'self'", "script-src-attr 'none'",
];

/** A build as Vite writes it: index.html, hashed files under assets/, a few unhashed files at the top. */
function fixtureBuild(): { root: string; build: string; appJs: string; appCss: string } {
  const root = mkdtempSync(join(tmpdir(), 'promptgate-dashboard-'));
  const build = join(root, 'build');
  mkdirSync(join(build, 'assets'), { recursive: true });
  // Big and repetitive enough that compression shows.
  const appJs = `export const pages = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ name: `page-${i}`, title: 'Prompts and reviews' })))};\n`;
  const appCss = 'body { margin: 0 }\n'.repeat(200);
  writeFileSync(join(build, 'index.html'), [
    '<!doctype html>', '<html lang="en">', '<head>', '<meta charset="UTF-8" />', '<title>Promptgate</title>',
    '<script type="module" crossorigin src="/assets/index-Ab12Cd34.js"></script>',
    '<link rel="stylesheet" crossorigin href="/assets/index-Ef56Gh78.css">', '</head>',
    '<body><div id="root"></div></body>', '</html>', '',
  ].join('\n'));
  writeFileSync(join(build, 'assets', 'index-Ab12Cd34.js'), appJs);
  writeFileSync(join(build, 'assets', 'index-Ef56Gh78.css'), appCss);
  writeFileSync(join(build, 'assets', 'logo-Zz99.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(build, 'assets', 'data-Yy88.bin'), Buffer.from([0, 1, 2, 3]));
  writeFileSync(join(build, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  writeFileSync(join(build, '.env'), 'SECRET=hidden-file-contents');
  writeFileSync(join(root, 'outside.txt'), 'outside-the-build-contents');
  symlinkSync(join(root, 'outside.txt'), join(build, 'assets', 'escape.txt'));
  return { root, build, appJs, appCss };
}

describe('the dashboard served at /', () => {
  const fixture = fixtureBuild();
  const h = useRegistry({ DASHBOARD_DIR: fixture.build });
  afterAll(() => rmSync(fixture.root, { recursive: true, force: true }));

  describe('index.html', () => {
    it('answers / with index.html: html, no-cache without a validator, the CSP of the app\'s origin with a fresh nonce', async () => {
      const first = await raw(h.http, 'GET', '/');
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(first.headers['cache-control']).toBe('no-cache');
      expect(first.headers.etag).toBeUndefined();
      expect(first.headers['last-modified']).toBeUndefined();
      const html = first.body.toString('utf8');
      expect(html).toContain('<script type="module" crossorigin src="/assets/index-Ab12Cd34.js"></script>');
      const nonce = /<head><meta property="csp-nonce" nonce="([A-Za-z0-9+/=]{24})">/.exec(html)?.[1];
      expect(nonce).toBeDefined();
      const csp = String(first.headers['content-security-policy']).split('; ');
      expect(csp).toEqual(expect.arrayContaining([...DIRECTIVES, `style-src 'self' 'nonce-${nonce}'`]));
      expect(csp.join('; ')).not.toContain('unsafe');
      expect(first.headers['x-content-type-options']).toBe('nosniff');
      expect(first.headers['x-frame-options']).toBe('DENY');

      const second = await raw(h.http, 'GET', '/index.html');
      const again = /nonce="([^"]+)"/.exec(second.body.toString('utf8'))?.[1];
      expect(again).toBeDefined();
      expect(again).not.toBe(nonce);
      expect(String(second.headers['content-security-policy'])).toContain(`'nonce-${again}'`);
    });

    it.each(['/prompts', '/prompts/', '/prompts/0b7c/versions/3', '/review?environment=production', '/audit-log'])(
      'answers the deep link %s with index.html, so a reload or a shared link opens the app there', async (path) => {
        const res = await raw(h.http, 'GET', path);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.body.toString('utf8')).toContain('<div id="root"></div>');
      });

    it('answers HEAD as GET without a body', async () => {
      const res = await raw(h.http, 'HEAD', '/prompts/x');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(Number(res.headers['content-length'])).toBeGreaterThan(100);
      expect(res.body.length).toBe(0);
    });
  });

  describe('files', () => {
    it('answers a hashed asset with its type, cached for a year as immutable, with an etag and a 304 on it', async () => {
      const res = await raw(h.http, 'GET', '/assets/index-Ab12Cd34.js');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.toString('utf8')).toBe(fixture.appJs);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(fixture.appJs));
      const etag = String(res.headers.etag);
      expect(etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
      const revalidated = await raw(h.http, 'GET', '/assets/index-Ab12Cd34.js', { 'if-none-match': etag });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body.length).toBe(0);

      const css = await raw(h.http, 'GET', '/assets/index-Ef56Gh78.css');
      expect([css.status, css.headers['content-type'], css.body.toString('utf8')]).toEqual([200, 'text/css; charset=utf-8', fixture.appCss]);
      const svg = await raw(h.http, 'GET', '/assets/logo-Zz99.svg');
      expect([svg.status, svg.headers['content-type']]).toEqual([200, 'image/svg+xml']);
      const bin = await raw(h.http, 'GET', '/assets/data-Yy88.bin');
      expect([bin.status, bin.headers['content-type'], [...bin.body]]).toEqual([200, 'application/octet-stream', [0, 1, 2, 3]]);
    });

    it('compresses text with brotli or gzip as the client accepts, and says so in vary', async () => {
      const br = await raw(h.http, 'GET', '/assets/index-Ab12Cd34.js', { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(br.body).toString('utf8')).toBe(fixture.appJs);
      expect(br.body.length).toBeLessThan(Buffer.byteLength(fixture.appJs) / 4);
      const gz = await raw(h.http, 'GET', '/assets/index-Ab12Cd34.js', { 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).toString('utf8')).toBe(fixture.appJs);
      expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
      const refused = await raw(h.http, 'GET', '/assets/index-Ab12Cd34.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
      expect(refused.headers['content-encoding']).toBeUndefined();
      // Bytes that are compressed already are sent as they are.
      const bin = await raw(h.http, 'GET', '/assets/data-Yy88.bin', { 'accept-encoding': 'br' });
      expect(bin.headers['content-encoding']).toBeUndefined();
      const head = await raw(h.http, 'HEAD', '/assets/index-Ab12Cd34.js', { 'accept-encoding': 'br' });
      expect([head.status, head.headers['content-encoding'], head.headers['content-length'], head.body.length])
        .toEqual([200, 'br', String(br.body.length), 0]);
    });

    it('answers an unhashed file at the top with no-cache', async () => {
      const res = await raw(h.http, 'GET', '/robots.txt');
      expect([res.status, res.headers['content-type'], res.headers['cache-control']]).toEqual([200, 'text/plain; charset=utf-8', 'no-cache']);
    });

    it.each(['/assets/index-Missing.js', '/assets/nope.css', '/favicon.ico', '/prompts/x/logo.png', '/assets', '/assets/'])(
      'answers the missing file %s with 404 in the JSON error shape, never with index.html or a listing', async (path) => {
        const res = await raw(h.http, 'GET', path);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(json(res).error.code).toBe('not_found');
        expect(res.body.toString('utf8')).not.toContain('index-Ab12Cd34');
      });

    it.each([
      '/../outside.txt', '/assets/../../outside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e%2f%2e%2e%2foutside.txt', '/..%5coutside.txt',
      '/assets/escape.txt', '/.env', '/assets/.%2e/.env', '/%00.js', '/assets/%E0%A4%A.js', '/a//b',
    ])('refuses %s (out of the build, hidden, a link out, NUL, bad encoding) with 404', async (path) => {
      const res = await raw(h.http, 'GET', path);
      expect(res.status).toBe(404);
      expect(json(res).error.code).toBe('not_found');
      const text = res.body.toString('utf8');
      expect(text).not.toContain('outside-the-build-contents');
      expect(text).not.toContain('hidden-file-contents');
    });
  });

  describe('the registry\'s own paths', () => {
    it('keeps /api, /health, /ready and /metrics to the registry: JSON answers and errors, never index.html', async () => {
      const health = await raw(h.http, 'GET', '/health');
      expect([health.status, JSON.parse(health.body.toString('utf8')).service]).toEqual([200, 'registry']);
      const me = await raw(h.http, 'GET', '/api/v1/me');
      expect([me.status, json(me).error.code]).toEqual([401, 'unauthorized']);
      const docs = await raw(h.http, 'GET', '/api/docs-json');
      expect(JSON.parse(docs.body.toString('utf8')).openapi).toMatch(/^3\./);
      for (const path of ['/api/v1/nothing', '/api', '/api/nothing.js', '/metrics', '/health/x']) {
        const res = await raw(h.http, 'GET', path);
        expect([path, res.status, json(res).error.code]).toEqual([path, 404, 'not_found']);
      }
      // Swagger UI keeps the registry's own policy.
      const swagger = await raw(h.http, 'GET', '/api/docs/');
      expect(swagger.status).toBe(200);
      expect(String(swagger.headers['content-security-policy'])).not.toContain('nonce-');
    });

    it('leaves other methods to the registry: 405 on /, 404 on a deep link', async () => {
      const post = await raw(h.http, 'POST', '/', { 'content-type': 'application/json' });
      expect([post.status, post.headers.allow, json(post).error.code]).toEqual([405, 'GET, HEAD', 'method_not_allowed']);
      const put = await raw(h.http, 'PUT', '/prompts/x');
      expect([put.status, json(put).error.code]).toEqual([404, 'not_found']);
    });
  });
});

describe('the dashboard of the real build (npm run build:dashboard)', () => {
  const build = resolve('dist/dashboard');
  const h = useRegistry({ DASHBOARD_DIR: build });

  it('serves index.html and every script, module preload and stylesheet it names, each with its type and cached for good', async () => {
    if (!existsSync(join(build, 'index.html'))) {
      throw new Error(`No dashboard build in ${build}: run npm run build (npm test builds it first).`);
    }
    const page = await raw(h.http, 'GET', '/');
    expect(page.status).toBe(200);
    const html = page.body.toString('utf8');
    expect(html).toContain('<meta property="csp-nonce"');
    const refs = [...html.matchAll(/<(script|link)\b[^>]*\b(?:src|href)="([^"]+)"[^>]*>/g)].map((m) => ({ tag: m[1], url: m[2] }));
    expect(refs.some((r) => r.tag === 'script')).toBe(true);
    for (const { tag, url } of refs) {
      expect(url).toMatch(/^\/assets\//);
      const res = await raw(h.http, 'GET', url, { 'accept-encoding': 'br' });
      expect([url, res.status, res.headers['cache-control']]).toEqual([url, 200, 'public, max-age=31536000, immutable']);
      const type = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' }[url.split('.').pop() as string];
      if (tag === 'script' || url.endsWith('.css')) expect(type).toBeDefined();
      if (type) expect([url, res.headers['content-type']]).toEqual([url, type]);
      const body = res.headers['content-encoding'] === 'br' ? brotliDecompressSync(res.body) : res.body;
      expect(body.equals(readFileSync(join(build, url)))).toBe(true);
    }
    const deep = await raw(h.http, 'GET', '/prompts/00000000-0000-4000-8000-000000000000');
    expect([deep.status, deep.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
  });

  it('renders in Chromium under its CSP without a single violation (Mantine\'s <style> elements carry the nonce)', async () => {
    if (!existsSync('/usr/bin/chromium')) throw new Error('No /usr/bin/chromium: apt-get install -y chromium (.ci/run does).');
    await raw(h.http, 'GET', '/health');
    const { port } = h.http.address() as AddressInfo;
    const profile = mkdtempSync(join(tmpdir(), 'promptgate-chromium-'));
    try {
      // Asynchronous: the registry answering the browser runs in this very process.
      const child = spawn('/usr/bin/chromium', [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--virtual-time-budget=10000', '--dump-dom',
        `http://127.0.0.1:${port}/prompts`,
      ]);
      let dom = '';
      let log = '';
      child.stdout.on('data', (d: Buffer) => { dom += d.toString('utf8'); });
      child.stderr.on('data', (d: Buffer) => { log += d.toString('utf8'); });
      const code = await new Promise<number | null>((done) => child.on('exit', done));
      expect(code).toBe(0);
      expect(log.split('\n').filter((line) => /Content Security Policy|Refused to/.test(line))).toEqual([]);
      // The app ran: React rendered into #root, and Mantine inserted its style element.
      expect(dom).toMatch(/<div id="root"><.+/s);
      expect(dom).toContain('data-mantine-styles');
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
