// Plants one-line bugs in the rules that matter, one at a time, in a throwaway worktree of HEAD
// (never in the shared working tree), runs the tests that should catch each, and lists the survivors.
// Usage: npm run mutants [-- <name filter>]. Exit 1 when a mutant survives.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MUTANTS = [
  {
    name: 'gateway PostgreSQL key lookup ignores revoked_at',
    file: 'apps/gateway/src/serve/prompt-store.ts',
    from: 'rate_limit_rpm, revoked_at IS NOT NULL AS revoked',
    to: 'rate_limit_rpm, false AS revoked',
    tests: ['test/gateway-revoked-key-postgres.e2e-spec.ts'],
  },
  {
    name: 'gateway serves a revoked key',
    file: 'apps/gateway/src/serve/serve.routes.ts',
    from: 'if (apiKey === null || apiKey.revoked) return sendError(reply, 401, INVALID_API_KEY);',
    to: 'if (apiKey === null) return sendError(reply, 401, INVALID_API_KEY);',
    tests: ['test/gateway-revoked-key-postgres.e2e-spec.ts', 'test/serve.e2e-spec.ts'],
  },
  {
    name: 'a pushed revocation does not mark the cached key',
    file: 'apps/gateway/src/serve/api-key-cache.ts',
    from: 'entry.record = { ...entry.record, revoked: true };',
    to: 'entry.record = { ...entry.record, revoked: false };',
    tests: ['test/serve.e2e-spec.ts'],
  },
  {
    name: 'a gateway new to a key ignores the shared rate-limit count',
    file: 'apps/gateway/src/serve/rate-limiter.ts',
    from: 'const sharedTat = raw === null ? 0 : Number(raw);',
    to: 'const sharedTat = 0;',
    tests: ['test/serve.e2e-spec.ts'],
  },
  {
    name: 'the reconcile script replaces the shared rate-limit TAT instead of adding to it',
    file: 'apps/gateway/src/serve/rate-limiter.ts',
    from: '  if tat < now then tat = now end',
    to: '  tat = now',
    tests: ['apps/gateway/test/rate-limit-reconcile.e2e-spec.ts'],
  },
  {
    name: 'the reconcile script counts one admission per round',
    file: 'apps/gateway/src/serve/rate-limiter.ts',
    from: 'tat = tat + count * tonumber(ARGV[3])',
    to: 'tat = tat + tonumber(ARGV[3])',
    tests: ['apps/gateway/test/rate-limit-reconcile.e2e-spec.ts'],
  },
  {
    name: 'the registry applies a final eval result more than once',
    file: 'apps/registry/src/evals/eval-outcomes.ts',
    from: "WHERE id = $1 AND status IN ('queued', 'running')",
    to: 'WHERE id = $1',
    tests: ['apps/registry/test/evals.e2e-spec.ts'],
  },
];

const TEST_TIMEOUT_MS = 10 * 60_000;
const root = resolve(import.meta.dirname, '..');
const filter = process.argv[2];
const chosen = MUTANTS.filter((m) => filter === undefined || m.name.includes(filter));
const tree = mkdtempSync(join(tmpdir(), 'promptgate-mutants-'));
rmSync(tree, { recursive: true });
execFileSync('git', ['worktree', 'add', '--detach', tree, 'HEAD'], { cwd: root, stdio: 'ignore' });
symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));

/** Whether these test files pass; a mutant counts as killed only against a green baseline. */
function testsPass(tests) {
  const run = spawnSync('npx', ['jest', '--silent', ...tests], {
    cwd: tree, stdio: 'ignore', timeout: TEST_TIMEOUT_MS,
    env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' },
  });
  return run.status === 0;
}

const survivors = [];
try {
  const baseline = [...new Set(chosen.flatMap((m) => m.tests))];
  if (!testsPass(baseline)) throw new Error(`the tests fail without any mutant: ${baseline.join(', ')}`);
  for (const mutant of chosen) {
    const path = join(tree, mutant.file);
    const original = readFileSync(path, 'utf8');
    if (original.split(mutant.from).length !== 2) throw new Error(`${mutant.name}: "${mutant.from}" is not in ${mutant.file} exactly once; update the list`);
    writeFileSync(path, original.replace(mutant.from, mutant.to));
    const killed = !testsPass(mutant.tests);
    writeFileSync(path, original);
    console.log(`${killed ? 'killed  ' : 'SURVIVED'}  ${mutant.name}  (${mutant.tests.join(', ')})`);
    if (!killed) survivors.push(mutant.name);
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
}
console.log(`${chosen.length - survivors.length} of ${chosen.length} mutants killed${survivors.length ? `; survivors: ${survivors.join('; ')}` : ''}`);
process.exitCode = survivors.length ? 1 : 0;
