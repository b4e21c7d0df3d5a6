#!/usr/bin/env node
// The `promptgate` command: a committed launcher, so npm links the bin at install time, before
// the TypeScript is built into dist/ (`npm run build` at the repository root, or this package's own).
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
try {
  await import(main.href);
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(fileURLToPath(main))) {
    process.stderr.write('promptgate: the CLI is not built yet: run `npm run build` (at the repository root, or in apps/cli)\n');
    process.exit(2);
  }
  throw error;
}
