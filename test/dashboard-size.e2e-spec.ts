import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstLoadOf, JS_BUDGET_BYTES, measureFirstLoad, staticImports } from '../bench/support/first-load.js';
import { ROOT } from './support/build.js';

// Issue 15's budget, held in npm test: the dashboard's first load transfers under 500 KiB of
// JavaScript compressed. bench/dashboard-size.ts prints the figures (docs/BENCHMARKS.md).

describe('what the first load of the dashboard fetches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'promptgate-first-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows index.html\'s scripts and module preloads and their static imports, never a lazy chunk', () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), [
      '<head><script type="module" crossorigin src="/assets/index-A1.js"></script>',
      '<link rel="modulepreload" crossorigin href="/assets/vendor-B2.js">',
      '<link rel="stylesheet" href="/assets/index-C3.css"></head>',
    ].join('\n'));
    writeFileSync(join(dir, 'assets/index-A1.js'), 'import{a as t}from"./vendor-B2.js";import"./shared-D4.js";const l=()=>import("./lazy-E5.js");t(l);');
    writeFileSync(join(dir, 'assets/vendor-B2.js'), 'export*from"./shared-D4.js";export const a=1;');
    writeFileSync(join(dir, 'assets/shared-D4.js'), 'export const s=2;');
    writeFileSync(join(dir, 'assets/lazy-E5.js'), 'export const big="never on the first load";');
    writeFileSync(join(dir, 'assets/index-C3.css'), 'body{margin:0}');
    expect(firstLoadOf(dir)).toEqual({
      scripts: ['/assets/index-A1.js', '/assets/vendor-B2.js', '/assets/shared-D4.js'],
      stylesheets: ['/assets/index-C3.css'],
    });
    const sizes = measureFirstLoad(dir);
    expect(sizes.scripts.map((f) => f.url)).not.toContain('/assets/lazy-E5.js');
    expect(sizes.js.raw).toBe(sizes.scripts.reduce((n, f) => n + f.raw, 0));
  });

  it('reads static imports and re-exports but not dynamic imports', () => {
    expect(staticImports('import"./a.js";import {b} from "../b.js";export{c}from"/assets/c.js";import("./d.js");x.import("./e.js")')).toEqual([
      './a.js', '../b.js', '/assets/c.js',
    ]);
  });

  it('counts the compressed sizes, so incompressible bytes over the budget fail it', () => {
    writeFileSync(join(dir, 'assets/index-A1.js'), randomBytes(JS_BUDGET_BYTES).toString('base64'));
    writeFileSync(join(dir, 'assets/vendor-B2.js'), 'export const a=1;');
    expect(measureFirstLoad(dir).js.gzip).toBeGreaterThan(JS_BUDGET_BYTES);
  });
});

describe('the dashboard\'s JavaScript budget', () => {
  it('the real build\'s first load is under 500 KiB of JavaScript compressed (gzip, and so brotli)', () => {
    const build = join(ROOT, 'dist/dashboard');
    if (!existsSync(join(build, 'index.html'))) throw new Error(`No dashboard build in ${build}: run npm run build (npm test builds it first).`);
    const sizes = measureFirstLoad(build);
    expect(sizes.scripts.length).toBeGreaterThan(0);
    expect(sizes.js.gzip).toBeLessThan(JS_BUDGET_BYTES);
    expect(sizes.js.brotli).toBeLessThan(sizes.js.gzip);
  });
});
