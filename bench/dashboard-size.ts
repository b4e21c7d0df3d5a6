/**
 * The dashboard's JavaScript budget (issue 15): the first load transfers under 500 KiB of JavaScript,
 * compressed. Reads the build (DASHBOARD_DIR, default dist/dashboard, which `npm run build` makes),
 * follows index.html's scripts and module preloads and their static imports (lazy chunks are later
 * loads), and prints each file raw, gzip and brotli. The registry answers brotli to a browser that
 * takes it, else gzip; the budget is held on gzip, the larger. Exits 1 over budget.
 * Run: npm run bench:dashboard-size
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JS_BUDGET_BYTES, measureFirstLoad, type FileSize } from './support/first-load.js';

const dir = resolve(process.env.DASHBOARD_DIR ?? 'dist/dashboard');
if (!existsSync(join(dir, 'index.html'))) {
  console.error(`dashboard-size: no build in ${dir} (run npm run build)`);
  process.exit(1);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`.padStart(11);
const row = (f: FileSize) => `${f.url.padEnd(44)} ${kib(f.raw)} ${kib(f.gzip)} ${kib(f.brotli)}`;

const sizes = measureFirstLoad(dir);
console.log(`${'first load of'.padEnd(44)} ${'raw'.padStart(11)} ${'gzip -9'.padStart(11)} ${'brotli 11'.padStart(11)}`);
for (const f of sizes.scripts) console.log(row(f));
console.log(`${'JavaScript, total'.padEnd(44)} ${kib(sizes.js.raw)} ${kib(sizes.js.gzip)} ${kib(sizes.js.brotli)}`);
for (const f of sizes.stylesheets) console.log(`${row(f)}  (stylesheet, not in the JS budget)`);
const over = sizes.js.gzip >= JS_BUDGET_BYTES;
console.log(`budget: under ${kib(JS_BUDGET_BYTES).trim()} of JavaScript compressed (gzip): ${over ? 'OVER' : 'met'}, `
  + `${((sizes.js.gzip / JS_BUDGET_BYTES) * 100).toFixed(0)}% used (brotli ${((sizes.js.brotli / JS_BUDGET_BYTES) * 100).toFixed(0)}%)`);
process.exit(over ? 1 : 0);
