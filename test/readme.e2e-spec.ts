import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, builtFile } from './support/build.js';
import { outputLines, readmeWalkthrough } from './support/readme-walkthrough.js';
import { dropRedisPrefix, testRedisPrefix } from './support/redis.js';
import { startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { adminQuery, httpStatus, startScriptEnv } from './support/start-script.js';
import { freePort } from '#runtime';

/**
 * The README's walkthrough runs as written. Its ```sh blocks marked `<!-- walkthrough -->` are
 * joined into one script and run with `bash -euo pipefail`, real curl and real jq, against a
 * system freshly started by the start script (`node dist/scripts/start.js`, APP_ENV=development,
 * a database that does not exist yet, free ports, its own Redis prefix and working directory).
 * The script's stdout must be exactly the README's `# => ` lines in order (see
 * support/readme-walkthrough.ts), so a changed field, status code or content fails this test.
 */

const SERVICES = ['registry', 'gateway', 'eval-worker'] as const;
const SCRIPT_LIMIT_MS = 120_000;

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBash(file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  const child = spawn('bash', ['-euo', 'pipefail', file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const limit = setTimeout(() => child.kill('SIGKILL'), SCRIPT_LIMIT_MS);
  return (once(child, 'close') as Promise<[number | null]>).then(([code]) => {
    clearTimeout(limit);
    return { code, stdout, stderr };
  });
}

describe('README walkthrough', () => {
  const walkthrough = readmeWalkthrough(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('is marked in the README: several blocks that show what they print', () => {
    expect(walkthrough.blocks).toBeGreaterThanOrEqual(5);
    expect(walkthrough.expected.length).toBeGreaterThanOrEqual(20);
    // The script sets every variable it uses, and lets the test point it at its own services.
    expect(walkthrough.script).toContain('R=${R:-http://localhost:3000/api/v1}');
    expect(walkthrough.script).toContain('G=${G:-http://localhost:8080}');
  });

  describe('against a freshly started system', () => {
    const database = `promptgate_readme_${randomBytes(6).toString('hex')}`;
    const appRole = `promptgate_readme_app_${randomBytes(4).toString('hex')}`;
    const redisPrefix = testRedisPrefix();
    const cwd = mkdtempSync(join(tmpdir(), 'promptgate-readme-'));
    let start: ChildProcess | undefined;
    let startOutput = '';
    let ports: Record<(typeof SERVICES)[number], number>;
    // The walkthrough's test runs need a provider: the eval worker's SDKs talk to the project's fake one.
    let fake: FakeProviders;

    beforeAll(async () => {
      execFileSync('jq', ['--version']);
      execFileSync('curl', ['--version']);
      const startJs = builtFile('scripts/start.js');
      fake = await startFakeProviders();
      ports = { registry: await freePort(), gateway: await freePort(), 'eval-worker': await freePort() };
      start = spawn(process.execPath, [startJs], {
        cwd,
        env: {
          ...startScriptEnv({
            database, appRole, redisPrefix, logLevel: 'warn',
            ports: { registry: ports.registry, gateway: ports.gateway, worker: ports['eval-worker'] },
          }),
          ...fake.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      start.stdout!.setEncoding('utf8').on('data', (c: string) => (startOutput += c));
      start.stderr!.setEncoding('utf8').on('data', (c: string) => (startOutput += c));
      const deadline = Date.now() + 120_000;
      for (const name of SERVICES) {
        while ((await httpStatus(`http://127.0.0.1:${ports[name]}/health`)) !== 200) {
          if (start.exitCode !== null) throw new Error(`start.js exited with ${start.exitCode}:\n${startOutput}`);
          if (Date.now() > deadline) throw new Error(`${name} did not answer /health:\n${startOutput}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }, 180_000);

    afterAll(async () => {
      if (start && start.exitCode === null && start.signalCode === null) {
        const exited = once(start, 'exit');
        start.kill('SIGTERM');
        const timer = setTimeout(() => start?.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await adminQuery(`DROP ROLE IF EXISTS "${appRole}"`);
      await dropRedisPrefix(redisPrefix);
      await fake?.close();
      rmSync(cwd, { recursive: true, force: true });
    }, 60_000);

    it('runs as one bash -euo pipefail session and prints exactly the output the README shows', async () => {
      const file = join(cwd, 'walkthrough.sh');
      writeFileSync(file, walkthrough.script);
      const run = await runBash(file, cwd, {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        R: `http://127.0.0.1:${ports.registry}/api/v1`,
        G: `http://127.0.0.1:${ports.gateway}`,
      });
      // On a mismatch Jest shows the first differing line; stderr and the services' log say why.
      expect({ lines: outputLines(run.stdout), stderr: run.stderr, code: run.code })
        .toEqual({ lines: walkthrough.expected, stderr: '', code: 0 });
    }, SCRIPT_LIMIT_MS + 10_000);
  });
});
