import { contentTypeOf, dashboardCsp, dashboardRoute, isCompressible, pickEncoding, withNonce } from './dashboard-paths.js';

describe('dashboardRoute', () => {
  it.each([
    ['/api', { kind: 'pass' }],
    ['/api/v1/me', { kind: 'pass' }],
    ['/api/docs/', { kind: 'pass' }],
    ['/health', { kind: 'pass' }],
    ['/ready', { kind: 'pass' }],
    ['/metrics', { kind: 'pass' }],
    ['/metrics/x', { kind: 'pass' }],
    ['/', { kind: 'app' }],
    ['/index.html', { kind: 'app' }],
    ['/prompts', { kind: 'app' }],
    ['/prompts/', { kind: 'app' }],
    ['/apis', { kind: 'app' }],
    ['/healthy', { kind: 'app' }],
    ['/prompts/8c5e/versions/2', { kind: 'app' }],
    ['/assets/index-Ab12.js', { kind: 'file', segments: ['assets', 'index-Ab12.js'], immutable: true }],
    ['/assets', { kind: 'file', segments: ['assets'], immutable: true }],
    ['/assets/', { kind: 'file', segments: ['assets'], immutable: true }],
    ['/robots.txt', { kind: 'file', segments: ['robots.txt'], immutable: false }],
    ['/prompts/x/logo.png', { kind: 'file', segments: ['prompts', 'x', 'logo.png'], immutable: false }],
    ['/assets/a%20b.js', { kind: 'file', segments: ['assets', 'a b.js'], immutable: true }],
    ['/../etc/passwd', { kind: 'refuse' }],
    ['/assets/../../x', { kind: 'refuse' }],
    ['/%2e%2e/x.txt', { kind: 'refuse' }],
    ['/assets/%2e%2e%2fx.js', { kind: 'refuse' }],
    ['/a%5cb.js', { kind: 'refuse' }],
    ['/%00.js', { kind: 'refuse' }],
    ['/.env', { kind: 'refuse' }],
    ['/assets/.hidden.js', { kind: 'refuse' }],
    ['/a//b', { kind: 'refuse' }],
    ['/%E0%A4%A', { kind: 'refuse' }],
    ['/./index.html', { kind: 'refuse' }],
  ])('%s -> %j', (path, route) => {
    expect(dashboardRoute(path)).toEqual(route);
  });
});

describe('contentTypeOf and isCompressible', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8', true],
    ['a.js', 'text/javascript; charset=utf-8', true],
    ['a.MJS', 'text/javascript; charset=utf-8', true],
    ['a.css', 'text/css; charset=utf-8', true],
    ['a.js.map', 'application/json; charset=utf-8', true],
    ['logo.svg', 'image/svg+xml', true],
    ['logo.png', 'image/png', false],
    ['font.woff2', 'font/woff2', false],
    ['noext', 'application/octet-stream', false],
    ['data.bin', 'application/octet-stream', false],
  ])('%s is %s (compressed: %s)', (name, type, compressible) => {
    expect(contentTypeOf(name)).toBe(type);
    expect(isCompressible(type)).toBe(compressible);
  });
});

describe('pickEncoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', null],
    ['identity', null],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['GZIP;q=0.5', 'gzip'],
  ])('%s -> %s', (header, encoding) => {
    expect(pickEncoding(header)).toBe(encoding);
  });
});

describe('dashboardCsp and withNonce', () => {
  it('allows only the app\'s origin, with the nonce for style elements and nothing inline', () => {
    const csp = dashboardCsp('abc');
    expect(csp).toContain("script-src 'self'; ");
    expect(csp).toContain("style-src 'self' 'nonce-abc'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe|\*/);
    expect(dashboardCsp(null)).toContain("style-src 'self'; ");
  });

  it.each([
    ['<html><head><title>x</title></head></html>', '<html><head><meta property="csp-nonce" nonce="n1"><title>x</title></head></html>'],
    ['<HEAD lang="en">x', '<HEAD lang="en"><meta property="csp-nonce" nonce="n1">x'],
    ['<body>no head</body>', '<meta property="csp-nonce" nonce="n1"><body>no head</body>'],
    ['<header>not a head</header><head>', '<header>not a head</header><head><meta property="csp-nonce" nonce="n1">'],
  ])('puts the nonce meta first in <head>: %s', (html, expected) => {
    expect(withNonce(html, 'n1')).toBe(expected);
  });
});
