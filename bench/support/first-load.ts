import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** Issue 15's budget: the dashboard's first load transfers under 500 KiB of JavaScript, compressed. */
export const JS_BUDGET_BYTES = 500 * 1024;

/** What a browser fetches on the first load of index.html: its scripts and module preloads, and what they import statically. */
export interface FirstLoad {
  /** URL paths of the JavaScript, in the order found: index.html's tags, then static imports, each once. */
  scripts: string[];
  /** URL paths of the stylesheets index.html links (not JavaScript: reported, not budgeted). */
  stylesheets: string[];
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];

/**
 * Static imports and re-exports of a module (`import{a}from"./x.js"`, `import"./y.js"`,
 * `export*from"./z.js"`); a dynamic `import("./lazy.js")` is a later load, not the first.
 */
export function staticImports(code: string): string[] {
  return [...code.matchAll(/\b(?:import|export)\s*(?:[^"'();=]*?\bfrom\s*)?["']((?:\.{1,2})?\/[^"']+\.m?js)["']/g)].map((m) => m[1]);
}

/** The first load of the build in `dir`, read from its index.html and the modules it names. */
export function firstLoadOf(dir: string): FirstLoad {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const scripts: string[] = [];
  const stylesheets: string[] = [];
  const pending: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const rel = attr(tag, 'rel')?.toLowerCase();
    if (/^<script/i.test(tag) && attr(tag, 'src')) pending.push(attr(tag, 'src') as string);
    else if (rel === 'modulepreload' && attr(tag, 'href')) pending.push(attr(tag, 'href') as string);
    else if (rel === 'stylesheet' && attr(tag, 'href')) stylesheets.push(attr(tag, 'href') as string);
  }
  while (pending.length > 0) {
    const url = posix.normalize(pending.shift() as string);
    if (scripts.includes(url)) continue;
    scripts.push(url);
    const code = readFileSync(join(dir, url), 'utf8');
    for (const spec of staticImports(code)) pending.push(spec.startsWith('/') ? spec : posix.join(posix.dirname(url), spec));
  }
  return { scripts, stylesheets };
}

export interface FileSize {
  url: string;
  raw: number;
  gzip: number;
  brotli: number;
}

/** Sizes as the registry sends them: raw, gzip level 9 and brotli quality 11 (dashboard/dashboard-files.ts). */
export function sizeOf(dir: string, url: string): FileSize {
  const body = readFileSync(join(dir, url));
  return {
    url,
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
    brotli: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }).length,
  };
}

export interface FirstLoadSizes {
  scripts: FileSize[];
  stylesheets: FileSize[];
  js: { raw: number; gzip: number; brotli: number };
}

export function measureFirstLoad(dir: string): FirstLoadSizes {
  const load = firstLoadOf(dir);
  const scripts = load.scripts.map((url) => sizeOf(dir, url));
  const sum = (key: 'raw' | 'gzip' | 'brotli') => scripts.reduce((total, f) => total + f[key], 0);
  return { scripts, stylesheets: load.stylesheets.map((url) => sizeOf(dir, url)), js: { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') } };
}
