import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRegistryConfig } from '#config';

/** No Docker engine runs here: the Dockerfile is checked by reading it and by running its dependency install. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const DEV_TOOLS = ['typescript', 'jest', '@swc/core', '@swc/jest', '@nestjs/cli', '@nestjs/testing', 'ts-jest'];

interface Stage {
  image: string;
  name: string | undefined;
  instructions: { op: string; args: string }[];
}

function readStages(): Stage[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\r?\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') });
    }
  }
  return stages;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'test' || entry === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.e2e-spec.ts') ? [path] : [];
  });
}

const stages = readStages();
const runtime = stages.at(-1)!;
const runs = (stage: Stage) => stage.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
const copiesFrom = (from: string) =>
  runtime.instructions.filter((i) => i.op === 'COPY' && i.args.startsWith(`--from=${from} `)).map((i) => i.args.split(' ')[1]);

describe('Dockerfile', () => {
  it('builds every stage on node:24-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.map((s) => s.image)).toEqual(stages.map(() => 'node:24-slim'));
  });

  it('installs with npm ci from the lockfile, never npm install', () => {
    const all = stages.flatMap(runs);
    expect(all.filter((run) => /\bnpm (install|i|add)\b/.test(run))).toEqual([]);
    const build = stages.find((s) => runs(s).some((run) => run.includes('npm run build')))!;
    expect(runs(build).some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit'))).toBe(true);
  });

  it('gives the runtime stage node_modules only from a stage that installed with --omit=dev, and the build only as dist', () => {
    const producers = stages.filter((s) => s.name && copiesFrom(s.name).includes('/app/node_modules'));
    expect(producers).toHaveLength(1);
    expect(runs(producers[0]).some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true);
    const build = stages.find((s) => runs(s).some((run) => run.includes('npm run build')))!;
    expect(copiesFrom(build.name!)).toEqual(['/app/dist']);
    expect(runtime.instructions.filter((i) => i.op === 'RUN')).toEqual([]);
    expect(runtime.instructions).toContainEqual({ op: 'USER', args: 'node' });
  });

  it('builds the dashboard into dist/dashboard, which the runtime stage gets with dist and the registry serves from there', () => {
    const build = stages.find((s) => runs(s).some((run) => run.includes('npm run build')))!;
    expect(manifest.scripts.build).toContain('npm run build:dashboard');
    expect(readFileSync(join(ROOT, 'apps/dashboard/vite.config.ts'), 'utf8')).toContain("'../../dist/dashboard'");
    const copied = build.instructions.filter((i) => i.op === 'COPY').flatMap((i) => i.args.split(' ').slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['apps', 'libs', 'scripts', 'tsconfig.json']));
    expect(runtime.instructions).toContainEqual({ op: 'WORKDIR', args: '/app' });
    expect(copiesFrom(build.name!)).toEqual(['/app/dist']);
    expect(loadRegistryConfig({ APP_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: 'ab'.repeat(32) }).DASHBOARD_DIR).toBe('dist/dashboard');
  });

  it('keeps the dev tools in devDependencies', () => {
    for (const tool of DEV_TOOLS.filter((t) => t in manifest.devDependencies || t in manifest.dependencies)) {
      expect([tool, tool in manifest.dependencies]).toEqual([tool, false]);
    }
    expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(['typescript', 'jest', '@swc/core']));
  });

  it('has every package that the services and scripts import among the production dependencies', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    // The dashboard runs in the browser: the build stage bundles it into dist/dashboard with dev tools (Vite).
    const files = ['apps', 'libs', 'scripts'].flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((f) => !f.includes('/libs/sdk/') && !f.includes('/apps/dashboard/'));
    const undeclared = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'([^'.#][^']*)'|import\(\s*'([^'.#][^']*)'\s*\)/g)) {
        const specifier = match[1] ?? match[2];
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!builtins.has(specifier) && !builtins.has(name) && !(name in manifest.dependencies)) {
          undeclared.add(`${name} (${relative(ROOT, file)})`);
        }
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('.dockerignore keeps secrets, installs and builds out of the context and lets in what the build copies', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    expect(lines).toEqual(expect.arrayContaining(['*', '**/node_modules', '**/dist']));
    const sources = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    for (const source of sources) expect([source, lines.includes(`!${source}`)]).toEqual([source, true]);
    expect(lines).not.toContain('!.env');
  });

  it("the runtime stage's install leaves no dev tool, and every compiled module of the services loads from it", () => {
    const producer = stages.find((s) => s.name && copiesFrom(s.name).includes('/app/node_modules'))!;
    const dir = mkdtempSync(join(tmpdir(), 'promptgate-image-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) cpSync(join(ROOT, file), join(dir, file));
      for (const run of runs(producer)) {
        // The same commands as the image, answered from npm's cache: the suite's own install filled it.
        const result = spawnSync('sh', ['-c', run], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true' }, timeout: 240_000 });
        expect({ run, status: result.status, stderr: result.status === 0 ? '' : result.stderr.slice(-2000) }).toEqual({ run, status: 0, stderr: '' });
      }
      expect(DEV_TOOLS.filter((tool) => existsSync(join(dir, 'node_modules', tool)))).toEqual([]);
      expect(existsSync(join(dir, 'node_modules/.bin/tsc'))).toBe(false);

      for (const part of ['apps', 'libs', 'scripts']) cpSync(join(ROOT, 'dist', part), join(dir, 'dist', part), { recursive: true });
      rmSync(join(dir, 'dist/libs/sdk'), { recursive: true, force: true });
      writeFileSync(
        join(dir, 'load-all.mjs'),
        `import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const files = [];
const walk = (d) => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else if (p.endsWith('.js')) files.push(p); } };
walk('dist/apps'); walk('dist/libs');
let failed = 0;
for (const file of files.filter((f) => !f.endsWith('/main.js'))) {
  try { await import(pathToFileURL(file).href); } catch (error) { failed++; console.log(file + ': ' + String(error.message).split('\\n')[0]); }
}
console.log(files.length + ' modules, ' + failed + ' failed');
process.exit(0);
`,
      );
      const load = spawnSync(process.execPath, ['load-all.mjs'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 });
      expect(load.stdout.trim()).toMatch(/^\d{2,} modules, 0 failed$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
