import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '#runtime';
import { ROOT, builtFile } from '../../support/build.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { startFakeProviders, type FakeProviders } from '../../support/fake-providers.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../support/redis.js';
import { httpStatus } from '../../support/start-script.js';

/**
 * The three services as the built apps from dist/, each its own process (as `npm start` runs
 * them), on one fresh database cloned from the migrated template, one Redis prefix and free
 * ports on 127.0.0.1; the eval worker's provider SDKs talk to the project's fake providers.
 * Signup is on and the development bypass off (APP_ENV=test), so the browser signs up and logs
 * in like a real user; the registry serves the built dashboard (dist/dashboard) at `/`.
 */
export interface Services {
  /** The registry's origin, where the dashboard is served: http://127.0.0.1:PORT */
  registryUrl: string;
  gatewayUrl: string;
  workerHealthUrl: string;
  db: TestDatabase;
  redisPrefix: string;
  fake: FakeProviders;
  /** Everything the three processes wrote, for a failure's message. */
  output(): string;
  close(): Promise<void>;
}

const SERVICE_NAMES = ['registry', 'gateway', 'eval-worker'] as const;
type ServiceName = (typeof SERVICE_NAMES)[number];
const START_LIMIT_MS = 120_000;

export const DASHBOARD_DIR = join(ROOT, 'dist', 'dashboard');
const JWT_SECRET = 'dashboard-e2e-'.padEnd(48, 'x');
const ENCRYPTION_KEY = 'cd'.repeat(32);

export async function startServices(): Promise<Services> {
  const mains: Record<ServiceName, string> = {
    registry: builtFile('apps/registry/src/main.js'),
    gateway: builtFile('apps/gateway/src/main.js'),
    'eval-worker': builtFile('apps/eval-worker/src/main.js'),
  };
  builtFile('dashboard/index.html');
  const fake = await startFakeProviders();
  const db = await createTestDatabase();
  const redisPrefix = testRedisPrefix();
  const ports: Record<ServiceName, number> = { registry: await freePort(), gateway: await freePort(), 'eval-worker': await freePort() };
  const common = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APP_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: redisPrefix,
  };
  const env: Record<ServiceName, NodeJS.ProcessEnv> = {
    registry: {
      ...common, REGISTRY_PORT: String(ports.registry), REGISTRY_HOST: '127.0.0.1', JWT_SECRET, ENCRYPTION_KEY,
      // A cheaper scrypt cost (allowed with APP_ENV=test only) keeps signups and logins quick on a loaded machine.
      PASSWORD_SCRYPT_N: String(2 ** 14), ALLOW_SIGNUP: 'true', DASHBOARD_DIR,
    },
    gateway: { ...common, GATEWAY_PORT: String(ports.gateway), GATEWAY_HOST: '127.0.0.1', USAGE_FLUSH_MS: '200' },
    'eval-worker': {
      ...common, WORKER_HEALTH_PORT: String(ports['eval-worker']), WORKER_HEALTH_HOST: '127.0.0.1', ENCRYPTION_KEY,
      JUDGE_RETRY_BASE_MS: '50', ...fake.env,
    },
  };
  const lines: string[] = [];
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(children.map(stop));
    await db.drop();
    await dropRedisPrefix(redisPrefix);
    await fake.close();
  };
  try {
    for (const name of SERVICE_NAMES) {
      const child = spawn(process.execPath, [mains[name]], { cwd: ROOT, env: env[name], stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.setEncoding('utf8').on('data', (c: string) => lines.push(`[${name}] ${c}`));
      child.stderr!.setEncoding('utf8').on('data', (c: string) => lines.push(`[${name}] ${c}`));
      children.push(child);
    }
    const deadline = Date.now() + START_LIMIT_MS;
    for (const [i, name] of SERVICE_NAMES.entries()) {
      while ((await httpStatus(`http://127.0.0.1:${ports[name]}/ready`)) !== 200) {
        const child = children[i];
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${lines.join('')}`);
        if (Date.now() > deadline) throw new Error(`${name} was not ready within ${START_LIMIT_MS / 1000} s:\n${lines.join('')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    registryUrl: `http://127.0.0.1:${ports.registry}`,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    workerHealthUrl: `http://127.0.0.1:${ports['eval-worker']}`,
    db, redisPrefix, fake,
    output: () => lines.join(''),
    close: stopAll,
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
