import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './support/build.js';

const run = promisify(execFile);
const CLI = join(ROOT, 'apps/cli');

/** @promptgate/cli as a package: `npm pack` gives a tarball that installs and runs without TypeScript or the monorepo. */
describe('@promptgate/cli as an npm package', () => {
  let dir: string;
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'promptgate-cli-pack-'));
    // --ignore-scripts: the tarball of what `npm run build` built (prepack would build it again, racing other tests on dist/).
    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: CLI, timeout: 120_000 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path).sort();
    // `npm ci` caches yaml's tarball but not its registry document, which an install from a tarball
    // resolves the range with: on a fresh machine the offline install below would find nothing.
    // Cached once (from the cache when there, the registry otherwise), the install itself stays offline.
    const range = (JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.yaml;
    await run('npm', ['cache', 'add', '--prefer-offline', `yaml@${range}`], { cwd: dir, timeout: 120_000 });
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs the launcher, the built JavaScript, the README and package.json, and no TypeScript or specs', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/promptgate.js', 'dist/main.js', 'dist/core/prompt-file.js', 'dist/portable/line-diff.js']));
    expect(files.filter((f) => f.endsWith('.ts') || f.includes('spec'))).toEqual([]);
  });

  it('installs into a fresh project offline with yaml as its only dependency, and runs as `promptgate`', async () => {
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app, timeout: 120_000 });
    expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.')).sort()).toEqual(['@promptgate', 'yaml']);
    const bin = join(app, 'node_modules', '.bin', 'promptgate');
    const help = await run(bin, ['--help'], { cwd: app, env: { PATH: process.env.PATH ?? '' } });
    expect(help.stdout).toContain('promptgate push -m MESSAGE [--prune]');

    // It reads and validates a prompt file with the packaged yaml: an unknown field is exit 2, naming it.
    writeFileSync(join(app, '.promptgate.lock.json'), JSON.stringify({
      lock_version: 1, registry_url: 'http://127.0.0.1:9', workspace_id: '00000000-0000-4000-8000-000000000001',
      environment: { id: '00000000-0000-4000-8000-000000000002', name: 'production' }, prompts: {}, last_push: [],
    }));
    writeFileSync(join(app, 'a.prompt.yaml'), 'key: a\ncontent: Hello\ncolour: red\n');
    const refused = await run(bin, ['diff', '--json'], { cwd: app, env: { PATH: process.env.PATH ?? '', PROMPTGATE_TOKEN: 'x', HOME: app } }).catch((e: { code: number; stdout: string }) => e);
    expect('code' in refused ? refused.code : 0).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'invalid_file', message: expect.stringContaining('a.prompt.yaml: colour: unknown field') } });
  }, 180_000);
});
