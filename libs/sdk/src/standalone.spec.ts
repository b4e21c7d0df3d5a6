import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = fileURLToPath(new URL('..', import.meta.url));
const SPECIFIER = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** @promptgate/sdk is published on its own: it may not reach into the monorepo nor need runtime packages. */
describe('@promptgate/sdk stands alone', () => {
  const sources = [
    ...readdirSync(join(SDK, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')),
    ...readdirSync(join(SDK, 'src/portable')).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).map((f) => `portable/${f}`),
  ];

  it.each(sources)('%s imports only files of its own package', (file) => {
    const text = readFileSync(join(SDK, 'src', file), 'utf8');
    const specifiers = [...text.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2]);
    expect(specifiers.filter((s) => !s.startsWith('./'))).toEqual([]);
  });

  // The gateway and the SDK substitute with the same code: the SDK ships libs/domain/src/portable as is.
  const portable = readdirSync(join(SDK, '../domain/src/portable')).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  it.each(portable)('src/portable/%s is a byte-for-byte copy of libs/domain/src/portable (cp libs/domain/src/portable/*.ts libs/sdk/src/portable/ after a change)', (file) => {
    expect(readFileSync(join(SDK, 'src/portable', file), 'utf8')).toBe(readFileSync(join(SDK, '../domain/src/portable', file), 'utf8'));
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
