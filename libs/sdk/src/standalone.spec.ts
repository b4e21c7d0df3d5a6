import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = fileURLToPath(new URL('..', import.meta.url));
const SPECIFIER = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** @promptgate/sdk is published on its own: it may not reach into the monorepo nor need runtime packages. */
describe('@promptgate/sdk stands alone', () => {
  const sources = readdirSync(join(SDK, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

  it.each(sources)('%s imports only files of its own package', (file) => {
    const text = readFileSync(join(SDK, 'src', file), 'utf8');
    const specifiers = [...text.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2]);
    expect(specifiers.filter((s) => !s.startsWith('./'))).toEqual([]);
  });

  it('declares no runtime dependency and exports its built entry point with types', () => {
    const pkg = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({
      name: '@promptgate/sdk',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      files: ['dist', 'README.md'],
    });
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toBeUndefined();
  });
});
