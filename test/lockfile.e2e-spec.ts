import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface LockedPackage {
  version?: string;
  os?: string[];
  cpu?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  engines?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as LockedPackage;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

/** Where Node would find `name` from the package installed at `from`: its own node_modules, then each parent's. */
function resolveInLock(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

const CI_NODE = /ci_node_version=\$\{CI_NODE_VERSION:-([0-9.]+)\}/.exec(readFileSync(join(ROOT, '.ci/run'), 'utf8'))?.[1] ?? 'none';

type Triple = [number, number, number];

/** The subset of semver ranges that engines fields use: `||`, space-joined comparators, ^ ~ >= > <= < =, x and * wildcards. */
function satisfies(version: string, range: string): boolean {
  const v = version.split('.').map(Number) as Triple;
  const compare = (a: Triple, b: Triple) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  return range.split('||').some((clause) =>
    clause
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => {
        const [, op = '', text = ''] = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(comparator) ?? [];
        if (text === '*' || text === 'x' || text === '') return true;
        const parts = text.replace(/^v/, '').split('.');
        const given = parts.filter((part) => /^\d+$/.test(part)).length;
        const floor = [0, 1, 2].map((i) => (/^\d+$/.test(parts[i] ?? '') ? Number(parts[i]) : 0)) as Triple;
        const cmp = compare(v, floor);
        const samePrefix = floor.slice(0, given).every((n, i) => v[i] === n);
        if (op === '>=') return cmp >= 0;
        if (op === '>') return cmp > 0;
        if (op === '<=') return cmp <= 0;
        if (op === '<') return cmp < 0;
        if (op === '^') return cmp >= 0 && v[0] === floor[0] && (floor[0] > 0 || v[1] === floor[1]);
        if (op === '~') return cmp >= 0 && v[0] === floor[0] && (given < 2 || v[1] === floor[1]);
        return samePrefix;
      }),
  );
}

describe('the engines range checker used below', () => {
  it.each([
    ['22.22.3', '^22.22.3 || ^24.15.0 || >=26.0.0', true],
    ['22.13.0', '^22.22.3 || ^24.15.0 || >=26.0.0', false],
    ['24.22.3', '^20.19.0 || ^22.13.0 || >=24.11.0', true],
    ['22.0.0', '>=23.5.0 || ^22.13.0 || ^20.17.0', false],
    ['24.22.3', '>= 12.*', true],
    ['24.22.3', '10.* || 6.*', false],
    ['22.22.3', '>=16 || 14 >=14.17', true],
    ['14.16.0', '>=16 || 14 >=14.17', false],
    ['20.20.2', '>=22', false],
  ])('%s against %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});

/** `npm ci` refuses a lockfile that lacks any optional platform package, even one for another OS. */
describe('package-lock.json installs with npm ci everywhere', () => {
  it('lists every optional dependency of every locked package, whatever its platform', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolveInLock(path, name)) missing.push(`${path || '(root)'} -> ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  const PLATFORMS = ['linux', 'darwin', 'win32'].flatMap((os) => ['x64', 'arm64'].map((cpu) => ({ os, cpu })));

  it.each(PLATFORMS)('has an @swc/core binary for $os on $cpu (the test toolchain installs there)', ({ os, cpu }) => {
    const binaries = Object.keys(lock.packages['node_modules/@swc/core']?.optionalDependencies ?? {})
      .map((name) => lock.packages[`node_modules/${name}`])
      .filter((entry) => entry?.os?.includes(os) && entry.cpu?.includes(cpu));
    expect(binaries.length).toBeGreaterThan(0);
  });

  it("records package.json's dependencies, devDependencies and engines as they are", () => {
    const root = lock.packages[''];
    expect({ dependencies: root.dependencies, devDependencies: root.devDependencies, engines: root.engines }).toEqual({
      dependencies: manifest.dependencies,
      devDependencies: manifest.devDependencies,
      engines: manifest.engines,
    });
  });

  it('package.json names each dependency once (JSON.parse would keep the last of two silently)', () => {
    const text = readFileSync(join(ROOT, 'package.json'), 'utf8');
    // Only the two dependency blocks: `overrides` names packages too, on purpose.
    const block = (name: string) => {
      const start = text.indexOf(`\n  ${JSON.stringify(name)}: {`);
      return start < 0 ? '' : text.slice(start, text.indexOf('\n  }', start));
    };
    const blocks = block('dependencies') + block('devDependencies');
    const names = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    const counted = names.map((name) => [name, blocks.split(`\n    ${JSON.stringify(name)}: `).length - 1]);
    expect(counted.filter(([, count]) => count !== 1)).toEqual([]);
  });

  it('npm ci --dry-run accepts package.json and the lock, offline, in a folder holding nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promptgate-lock-'));
    try {
      copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
      const run = spawnSync('npm', ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('npm error')).slice(0, 12).join('\n');
      expect({ status: run.status, errors }).toEqual({ status: 0, errors: '' });
      expect(run.stdout).toMatch(/added \d+ packages/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['the lowest Node that engines allows', manifest.engines?.node?.replace(/^>=\s*/, '') ?? ''],
    ['the Node that CI and the Docker image run', CI_NODE],
  ])('every locked package accepts %s (%s)', (_what, version) => {
    expect(manifest.engines?.node).toMatch(/^>=\s*22\.\d+\.\d+$/);
    const refusing = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines?.node && !satisfies(version, entry.engines.node))
      .map(([path, entry]) => `${path}: ${entry.engines?.node}`);
    expect(refusing).toEqual([]);
  });
});
