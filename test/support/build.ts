import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Tests that run the services as real processes use the compiled dist/, which `npm test` builds
 * once before Jest starts (building from several test files at once would race on dist/).
 */
export function builtFile(relative: string): string {
  const file = join(ROOT, 'dist', relative);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  return file;
}
