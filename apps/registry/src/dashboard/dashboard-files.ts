import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { NotFoundException } from '@nestjs/common';
import type { HttpRequest as Request, HttpResponse as Response, NextFunction } from '../common/http.js';
import { contentTypeOf, dashboardCsp, dashboardRoute, isCompressible, pickEncoding, withNonce } from './dashboard-paths.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/** A file as last read from disk, with its compressed forms made once (the build's files do not change in place). */
interface CachedFile {
  key: string;
  body: Buffer;
  encoded: Map<'br' | 'gzip', Promise<Buffer>>;
}

/** Files above this are streamed as they are, never held in memory or compressed. */
const MAX_CACHED_BYTES = 8 * 1024 * 1024;

/**
 * The dashboard's static build (index.html and hashed assets under assets/, made by
 * `npm run build:dashboard`) served at `/`: GET and HEAD of any path that is not the registry's own
 * (`/api`, `/health`, `/ready`, `/metrics`). A file is answered with its content type, an etag and
 * compressed (brotli or gzip) when the client takes it; hashed assets are cached for a year, others
 * revalidated; a missing file is `404`, never index.html; any other path is a deep link of the app and
 * answered with index.html (`no-cache`, no validator, a fresh CSP nonce each time). A path that
 * tries to leave the directory, or names a hidden file, is `404`. Without a build (no index.html in
 * `dir`) everything passes through, and the registry's own page answers `/`.
 */
export function serveDashboard(dir: string) {
  const root = resolve(dir);
  const files = new Map<string, CachedFile>();

  const cached = async (path: string, size: number, mtimeMs: number): Promise<CachedFile> => {
    const key = `${size}-${mtimeMs}`;
    const hit = files.get(path);
    if (hit?.key === key) return hit;
    const entry: CachedFile = { key, body: await readFile(path), encoded: new Map() };
    files.set(path, entry);
    return entry;
  };

  const encode = (file: CachedFile, encoding: 'br' | 'gzip'): Promise<Buffer> => {
    let done = file.encoded.get(encoding);
    if (!done) {
      done = encoding === 'br'
        ? brotli(file.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: file.body.length } })
        : gzipAsync(file.body, { level: 9 });
      file.encoded.set(encoding, done);
    }
    return done;
  };

  /** The file at `path` when it is a regular file inside the build directory (symlinks resolved), else null. */
  const fileInside = async (path: string) => {
    try {
      const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
      if (!real.startsWith(realRoot + sep)) return null;
      const info = await stat(real);
      return info.isFile() ? { path: real, size: info.size, mtimeMs: info.mtimeMs } : null;
    } catch {
      return null;
    }
  };

  const sendApp = async (req: Request, res: Response, index: { path: string; size: number; mtimeMs: number }) => {
    const nonce = randomBytes(16).toString('base64');
    const html = withNonce((await cached(index.path, index.size, index.mtimeMs)).body.toString('utf8'), nonce);
    const body = Buffer.from(html, 'utf8');
    res.statusCode = 200;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', REVALIDATE);
    res.setHeader('content-security-policy', dashboardCsp(nonce));
    res.setHeader('content-length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const sendFile = async (req: Request, res: Response, file: { path: string; size: number; mtimeMs: number }, immutable: boolean) => {
    const type = contentTypeOf(file.path);
    const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', immutable ? IMMUTABLE : REVALIDATE);
    res.setHeader('content-security-policy', dashboardCsp(null));
    res.setHeader('etag', etag);
    const compressible = isCompressible(type) && file.size <= MAX_CACHED_BYTES;
    if (compressible) res.setHeader('vary', 'accept-encoding');
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    const encoding = compressible ? pickEncoding(req.headers['accept-encoding']) : null;
    if (encoding !== null) {
      const body = await encode(await cached(file.path, file.size, file.mtimeMs), encoding);
      res.setHeader('content-encoding', encoding);
      res.setHeader('content-length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.setHeader('content-length', file.size);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path).on('error', () => res.destroy()).pipe(res);
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const route = dashboardRoute(req.path);
    if (route.kind === 'pass') return next();
    void (async () => {
      const index = await fileInside(join(root, 'index.html'));
      // No build: the registry's own page answers `/`, and every other path is the router's.
      if (index === null) return next();
      if (route.kind === 'refuse') return next(new NotFoundException(`Cannot ${req.method} ${req.path}`));
      if (route.kind === 'app') return sendApp(req, res, index);
      const file = await fileInside(join(root, ...route.segments));
      if (file === null) return next(new NotFoundException(`No such file of the dashboard: ${req.path}`));
      return sendFile(req, res, file, route.immutable);
    })().catch(next);
  };
}
