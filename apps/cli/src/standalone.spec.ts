import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(CLI, '../..');
const SPECIFIER = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

const sourcesUnder = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const path = join(dir, f);
  return statSync(path).isDirectory() ? sourcesUnder(path) : f.endsWith('.ts') && !f.endsWith('.spec.ts') ? [path] : [];
});

/** @promptgate/cli installs on its own: it reaches into no other part of the monorepo, and needs only yaml besides Node. */
describe('@promptgate/cli stands alone', () => {
  const sources = sourcesUnder(join(CLI, 'src')).map((p) => relative(join(CLI, 'src'), p));

  it.each(sources)('src/%s imports only its own files, node: modules and yaml', (file) => {
    const text = readFileSync(join(CLI, 'src', file), 'utf8');
    const specifiers = [...text.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2]);
    const outside = specifiers.filter((s) => !s.startsWith('./') && !s.startsWith('../') && s !== 'yaml' && !(s.startsWith('node:') && builtinModules.includes(s.slice(5))));
    expect(outside).toEqual([]);
    const upward = specifiers.filter((s) => s.startsWith('../')).filter((s) => !join(CLI, 'src', file, '..', s).startsWith(join(CLI, 'src')));
    expect(upward).toEqual([]);
  });

  it('src/portable/line-diff.ts is a byte-for-byte copy of libs/domain/src/versions/line-diff.ts (cp it after a change)', () => {
    expect(readFileSync(join(CLI, 'src/portable/line-diff.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'libs/domain/src/versions/line-diff.ts'), 'utf8'));
  });

  it('src/generated/registry-api.ts is the registry client generated from the OpenAPI document (test/openapi.e2e-spec.ts keeps that one current; cp it after a change)', () => {
    expect(readFileSync(join(CLI, 'src/generated/registry-api.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'test/support/openapi-registry-client.ts'), 'utf8'));
  });

  it('is a package with the promptgate bin, the exact yaml version it was tested with, and the root linking it', () => {
    const pkg = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: '@promptgate/cli', type: 'module', bin: { promptgate: './bin/promptgate.js' }, files: ['bin', 'dist', 'README.md'], dependencies: { yaml: '2.9.1' } });
    // A dev dependency of the root: `npm ci` links the bin, and the services' production install (the Docker image) leaves it out.
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    expect(root.devDependencies['@promptgate/cli']).toBe('file:apps/cli');
    expect(root.dependencies['@promptgate/cli']).toBeUndefined();
    expect(root.scripts.build).toContain('npm run build:cli');
    expect(root.scripts['build:cli']).toBe('tsc -p apps/cli/tsconfig.json');
  });
});
