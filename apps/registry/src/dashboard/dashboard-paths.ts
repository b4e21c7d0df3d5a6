/**
 * Which answer a GET or HEAD under `/` gets from the dashboard's static files, decided from the
 * path alone (no file system): the registry's own paths are left to it, a file is looked up, a deep
 * link of the single-page app is answered with index.html, and a path that tries to leave the build
 * directory, names a hidden file or does not decode is refused.
 */
export type DashboardRoute =
  /** Not the dashboard's: the API, Swagger UI, the probes. */
  | { kind: 'pass' }
  /** index.html: `/`, `/index.html`, or a deep link such as `/prompts/abc`. */
  | { kind: 'app' }
  /** A file of the build, by its path segments under the build directory; missing is `404`, never index.html. */
  | { kind: 'file'; segments: string[]; immutable: boolean }
  /** Traversal, a hidden file, a NUL, a backslash or bad percent-encoding: `404`. */
  | { kind: 'refuse' };

/** Paths the registry answers itself, and their subpaths. */
export const REGISTRY_PATHS = ['/api', '/health', '/ready', '/metrics'] as const;

/** Vite writes content-hashed files here: their names change when their bytes do, so they are cached for good. */
export const HASHED_ASSETS_DIR = 'assets';

export function dashboardRoute(path: string): DashboardRoute {
  if (REGISTRY_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return { kind: 'pass' };
  const segments: string[] = [];
  for (const raw of path.split('/').slice(1)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { kind: 'refuse' };
    }
    if (/[/\\\0]/.test(segment) || segment.startsWith('.')) return { kind: 'refuse' };
    segments.push(segment);
  }
  // A trailing slash leaves an empty last segment: `/prompts/` is the deep link `/prompts`.
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  if (segments.includes('')) return { kind: 'refuse' };
  if (segments.length === 0 || (segments.length === 1 && segments[0] === 'index.html')) return { kind: 'app' };
  const immutable = segments[0] === HASHED_ASSETS_DIR;
  // A name with an extension, or anything under assets/, is a file; the app's routes have neither.
  if (immutable || segments[segments.length - 1].includes('.')) return { kind: 'file', segments, immutable };
  return { kind: 'app' };
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
};

/** The content type of a file by its extension; an unknown one is bytes, never sniffed (nosniff). */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

/** Text worth compressing; images and fonts are compressed already. */
export function isCompressible(contentType: string): boolean {
  return /^(text\/|application\/(json|manifest\+json|wasm)|image\/svg\+xml)/.test(contentType);
}

/** The encoding to answer with for an `accept-encoding` header: brotli, else gzip, else none. */
export function pickEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? (accepted.has('*') ? accepted.get('*') as number : 0);
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return null;
}

/**
 * The dashboard's Content-Security-Policy: everything from the app's own origin only. Scripts have
 * no exception at all. Styles: the bundled stylesheet, plus the `<style>` elements Mantine inserts
 * at run time (its global classes and responsive style props), which carry the per-page `nonce`
 * (index.html's `<meta property="csp-nonce">`); React sets style props through the CSSOM, which CSP
 * does not govern, so no 'unsafe-inline' is needed.
 */
export function dashboardCsp(nonce: string | null): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['base-uri', ["'self'"]],
    ['connect-src', ["'self'"]],
    ['font-src', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
    ['img-src', ["'self'", 'data:']],
    ['manifest-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['script-src-attr', ["'none'"]],
    ['style-src', ["'self'", ...(nonce ? [`'nonce-${nonce}'`] : [])]],
    ['worker-src', ["'self'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** The meta tag index.html gets, right after `<head>`, so the app can hand the page's nonce to Mantine. */
export const NONCE_META = (nonce: string) => `<meta property="csp-nonce" nonce="${nonce}">`;

/** index.html with the page's nonce: the meta tag first in `<head>` (or first of all without one). */
export function withNonce(indexHtml: string, nonce: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(indexHtml);
  if (!head) return NONCE_META(nonce) + indexHtml;
  const at = head.index + head[0].length;
  return indexHtml.slice(0, at) + NONCE_META(nonce) + indexHtml.slice(at);
}
