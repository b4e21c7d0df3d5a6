import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './support/build.js';

const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const ESLINT = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface Violation { rule: { name: string }; from: string; to: string }

/** A throwaway repository: the real configs, package.json and node_modules, and the given files. */
function fakeRepo(files: Record<string, string>, configs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'house-rules-'));
  for (const name of ['package.json', 'tsconfig.json', ...configs]) copyFileSync(join(ROOT, name), join(dir, name));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [command, ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (out.error) throw out.error;
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** The violations depcruise finds, from its JSON report (which exits 0 whatever it finds). */
function depcruise(cwd: string, paths: string[]): Violation[] {
  // No cache: the fake repository's files change from one run to the next and are read once.
  const out = run(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--no-cache', '--output-type', 'json', ...paths], cwd);
  if (!out.stdout.trim().startsWith('{')) throw new Error(`depcruise gave no report: ${out.stderr}`);
  const report = JSON.parse(out.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

/** Each import names the rule it breaks; `ok` files break none. */
const TREE: Record<string, string> = {
  'libs/domain/src/index.ts': [
    "import { Injectable } from '@nestjs/common';", // domain-not-to-frameworks, domain-no-packages
    "import { z } from 'zod';", // domain-not-to-frameworks (zod is a schema library: contracts and config use it)
    "import { readFileSync } from 'node:fs';", // domain-no-io
    "import { createHash } from 'node:crypto';", // ok: computing, not I/O
    "import { QUEUE } from '#contracts';", // domain-not-to-project, through the alias
    'export { Injectable, z, readFileSync, createHash, QUEUE };',
  ].join('\n'),
  'libs/contracts/src/index.ts': "export const QUEUE = 'q';\nexport { A } from './cycle-a.js';\n",
  'libs/contracts/src/cycle-a.ts': "import { B } from './cycle-b.js';\nexport const A = (): string => B();\n", // no-circular
  'libs/contracts/src/cycle-b.ts': "import { A } from './cycle-a.js';\nexport const B = (): string => typeof A;\n",
  'libs/contracts/src/undeclared.ts': "export { default } from 'picomatch';\n", // not-to-undeclared-package (installed, not declared)
  'libs/contracts/src/missing.ts': "export * from './no-such-file.js';\n", // not-to-unresolvable
  'libs/config/src/index.ts': "export * from '#persistence';\n", // ok for the registry, a path to persistence for the gateway
  'libs/persistence/src/index.ts': "export { DataSource } from 'typeorm';\n", // ok: persistence owns TypeORM
  'libs/runtime/src/index.ts': [
    "export { Entity } from 'typeorm';", // persistence-owns-typeorm
    "export { registryMain } from '../../../apps/registry/src/main.js';", // libs-not-to-apps
  ].join('\n'),
  'libs/sdk/src/index.ts': "export { QUEUE } from '#contracts';\nexport { randomUUID } from 'node:crypto';\n", // sdk-stands-alone (twice)
  'apps/cli/package.json': JSON.stringify({ name: '@promptgate/cli', type: 'module', dependencies: { yaml: '2.9.1' } }),
  'apps/cli/src/main.ts': [
    "export { readFileSync } from 'node:fs';", // ok: Node
    "export { parse } from 'yaml';", // ok: the CLI's one package
    "export { EXIT } from './exit.js';", // ok: its own file
    "export { QUEUE } from '../../../libs/contracts/src/index.js';", // cli-stands-alone
  ].join('\n'),
  'apps/cli/src/exit.ts': 'export const EXIT = 0;\n',
  'apps/gateway/src/main.ts': [
    "export { DataSource } from '#persistence';", // serving-apps-not-to-persistence, through the alias
    "export { IsString } from 'class-validator';", // gateway-graph-without-class-validator
  ].join('\n'),
  'apps/gateway/src/relative.ts': "export * from '../../../libs/persistence/src/index.js';\n", // serving-apps-not-to-persistence, by relative path
  'apps/gateway/src/settings.ts': "export * from '#config';\n", // serving-apps-graph-without-persistence (config leads there)
  'apps/eval-worker/src/main.ts': "export { Entity } from 'typeorm';\n", // serving-apps-not-to-persistence
  'apps/registry/src/main.ts': [
    "export { DataSource } from '#persistence';", // ok: the registry owns the database
    "export { IsString } from 'class-validator';", // ok in the registry
    "export const registryMain = 'registry';",
    "export * from '../../gateway/src/settings.js';", // apps-not-to-other-apps
  ].join('\n'),
};

describe('house rules (dependency-cruiser)', () => {
  let dir: string;
  let violations: Violation[];
  beforeAll(() => {
    dir = fakeRepo(TREE, ['.dependency-cruiser.cjs']);
    violations = depcruise(dir, ['apps', 'libs']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const found = (rule: string) => violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} -> ${v.to}`);

  it('fails the run as `npm run lint` calls it, naming the rules', () => {
    const out = run(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--no-cache', 'apps', 'libs'], dir);
    expect(out.status).not.toBe(0);
    expect(out.stdout).toContain('error serving-apps-not-to-persistence: apps/gateway/src/main.ts → libs/persistence/src/index.ts');
    expect(out.stdout).toContain('error domain-not-to-frameworks: libs/domain/src/index.ts → ');
  });

  it.each([
    ['apps-not-to-other-apps', ['apps/registry/src/main.ts -> apps/gateway/src/settings.ts']],
    ['libs-not-to-apps', ['libs/runtime/src/index.ts -> apps/registry/src/main.ts']],
    ['domain-not-to-project', ['libs/domain/src/index.ts -> libs/contracts/src/index.ts']],
    ['domain-no-io', ['libs/domain/src/index.ts -> fs']],
    ['persistence-owns-typeorm', [expect.stringMatching(/^libs\/runtime\/src\/index\.ts -> .*node_modules\/typeorm\//)]],
    ['not-to-unresolvable', ['libs/contracts/src/missing.ts -> ./no-such-file.js']],
    ['not-to-undeclared-package', [expect.stringMatching(/^libs\/contracts\/src\/undeclared\.ts -> .*node_modules\/picomatch\//)]],
    ['gateway-graph-without-class-validator', [expect.stringMatching(/^apps\/gateway\/src\/main\.ts -> .*node_modules\/class-validator\//)]],
  ])('%s names the one import that breaks it', (rule, expected) => {
    expect(found(rule)).toEqual(expected);
  });

  it('domain-not-to-frameworks and domain-no-packages: a framework and a schema library in libs/domain', () => {
    expect(found('domain-not-to-frameworks')).toEqual([
      expect.stringMatching(/^libs\/domain\/src\/index\.ts -> .*node_modules\/@nestjs\/common\//),
      expect.stringMatching(/^libs\/domain\/src\/index\.ts -> .*node_modules\/zod\//),
    ]);
    expect(found('domain-no-packages')).toHaveLength(2);
  });

  it('serving-apps-not-to-persistence: through the #persistence alias, by relative path, and TypeORM itself', () => {
    expect(found('serving-apps-not-to-persistence').sort()).toEqual([
      expect.stringMatching(/^apps\/eval-worker\/src\/main\.ts -> .*node_modules\/typeorm\//),
      'apps/gateway/src/main.ts -> libs/persistence/src/index.ts',
      'apps/gateway/src/relative.ts -> libs/persistence/src/index.ts',
    ]);
  });

  it('serving-apps-graph-without-persistence: also when the path goes through another library', () => {
    expect(found('serving-apps-graph-without-persistence')).toEqual(expect.arrayContaining([
      'apps/gateway/src/settings.ts -> libs/persistence/src/index.ts',
    ]));
  });

  it('sdk-stands-alone: neither a project module nor a Node module', () => {
    expect(found('sdk-stands-alone').sort()).toEqual(['libs/sdk/src/index.ts -> crypto', 'libs/sdk/src/index.ts -> libs/contracts/src/index.ts']);
  });

  it('cli-stands-alone: the CLI reaches into no other part of the project (Node and yaml are fine)', () => {
    expect(found('cli-stands-alone')).toEqual(['apps/cli/src/main.ts -> libs/contracts/src/index.ts']);
  });

  it('no-circular: the cycle, once', () => {
    expect(found('no-circular')).toEqual([expect.stringMatching(/^libs\/contracts\/src\/cycle-(a|b)\.ts -> libs\/contracts\/src\/cycle-(b|a)\.ts$/)]);
  });

  it('no rule fires on an import the layout allows', () => {
    const allowed = violations.filter((v) => /^apps\/registry\/src\/main\.ts -> (libs\/persistence|.*class-validator)/.test(`${v.from} -> ${v.to}`)
      || /node:crypto|^crypto$/.test(v.to) && v.from.startsWith('libs/domain/')
      || v.from === 'libs/persistence/src/index.ts' || v.from === 'libs/config/src/index.ts');
    expect(allowed).toEqual([]);
  });

  it('the real tree is clean', () => {
    const real = depcruise(ROOT, ['apps', 'libs', 'scripts', 'bench', 'test']);
    expect(real.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });
});

describe('house rules (ESLint)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fakeRepo({
      'apps/gateway/src/fire-and-forget.ts': [
        'function publish(): Promise<void> {',
        '  return Promise.resolve();',
        '}',
        'export function approve(): void {',
        '  publish();', // @typescript-eslint/no-floating-promises (type information)
        '}',
        'export function approveAndWait(): Promise<void> {',
        '  return publish();',
        '}',
      ].join('\n'),
      'libs/domain/src/loose.ts': 'export const parse = (text: string): any => JSON.parse(text);\n', // @typescript-eslint/no-explicit-any
    }, ['eslint.config.js']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a floating promise and an explicit any, each at its line, with the real config', () => {
    const out = run(ESLINT, ['--format', 'json', 'apps', 'libs'], dir);
    expect(out.status).toBe(1);
    const messages = (JSON.parse(out.stdout) as { filePath: string; messages: { ruleId: string | null; line: number }[] }[])
      .flatMap((f) => f.messages.map((m) => `${f.filePath.slice(dir.length + 1)}:${m.line} ${m.ruleId ?? 'fatal'}`));
    expect(messages.sort()).toEqual([
      'apps/gateway/src/fire-and-forget.ts:5 @typescript-eslint/no-floating-promises',
      'libs/domain/src/loose.ts:1 @typescript-eslint/no-explicit-any',
    ]);
  }, 180_000);
});
