import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  ConfigError, databaseOwnerSchema, loadGatewayConfig, loadRegistryConfig, loadWorkerConfig, parseConfig, prepareEnvironment, type RegistryConfig,
} from '#config';
import { createDataSource } from '#persistence';
import { seedDevAdmin } from '../apps/registry/src/seed/seed-dev-admin.js';
import { createLinePrefixer, describeError, servicePrefix } from './console-lines.js';
import { checkRedis, InfrastructureError, prepareDatabase } from './infrastructure.js';

const STOP_GRACE_MS = 10_000;
const HEALTH_DEADLINE_MS = 60_000;

interface Service {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

/** `npm start`: prepare the database, then run registry, gateway and eval-worker until Ctrl-C. Resolves to the exit code. */
async function start(): Promise<number> {
  const generated = prepareEnvironment();
  if (generated.length) say(`generated ${generated.join(', ')} into .env`);
  const registry = loadRegistryConfig();
  const gateway = loadGatewayConfig();
  const worker = loadWorkerConfig();
  const { DATABASE_OWNER_URL } = parseConfig(databaseOwnerSchema, process.env);

  const [database, redis] = await Promise.allSettled([
    prepareDatabase(DATABASE_OWNER_URL, registry.DATABASE_URL),
    checkRedis(registry.REDIS_URL),
  ]);
  if (database.status === 'rejected' || redis.status === 'rejected') {
    const reasons = [database, redis].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    throw reasons.length === 1 ? reasons[0] : new InfrastructureError(reasons.map(describeError).join('\n'));
  }
  if (database.value.created) say(`created database ${new URL(registry.DATABASE_URL).pathname.slice(1)}`);
  for (const name of database.value.applied) say(`applied migration ${name}`);
  if (database.value.roleCreated) say(`created PostgreSQL role ${database.value.role} for the services`);
  if (registry.APP_ENV === 'development') await seedAdmin(registry);

  const services = [
    run('registry', registry.REGISTRY_PORT, 0),
    run('gateway', gateway.GATEWAY_PORT, 1),
    run('eval-worker', worker.WORKER_HEALTH_PORT, 2),
  ];
  const supervisor = supervise(services);
  waitUntilHealthy(services).then(
    () => {
      if (supervisor.stopping()) return;
      say(`registry     http://localhost:${registry.REGISTRY_PORT}/api/v1   (docs: http://localhost:${registry.REGISTRY_PORT}/api/docs)`);
      say(`gateway      http://localhost:${gateway.GATEWAY_PORT}`);
      say(`eval-worker  http://localhost:${worker.WORKER_HEALTH_PORT}/health`);
      say('all services are up; press Ctrl-C to stop');
    },
    (err: Error) => supervisor.fail(err.message),
  );
  return supervisor.exitCode;
}

async function seedAdmin(config: RegistryConfig) {
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'promptgate-start' });
  await dataSource.initialize();
  try {
    const admin = await seedDevAdmin(dataSource, config.DEV_ADMIN_EMAIL);
    if (admin.created) {
      say(`dev admin created: ${admin.email}`);
      say(`dev admin password: ${admin.password}   (shown this once; it is stored only as a hash)`);
    } else {
      say(`dev admin: ${admin.email} (its password was printed when it was created)`);
    }
  } finally {
    await dataSource.destroy();
  }
}

/** Spawns one app from the dist tree beside this script, whatever the working directory. */
function run(name: string, port: number, index: number): Service {
  const entry = fileURLToPath(new URL(`../apps/${name}/src/main.js`, import.meta.url));
  // Its own process group: a terminal's Ctrl-C reaches only this script, which forwards exactly one signal.
  const child = spawn(process.execPath, [entry], { env: serviceEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = servicePrefix(name, index, Boolean(process.stdout.isTTY));
  for (const [stream, target] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    const lines = createLinePrefixer(prefix, (line) => target.write(line));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => lines.push(chunk));
    stream.on('end', () => lines.flush());
  }
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  return { name, port, child, exited };
}

/** The services get DATABASE_URL (their own role) and never the owner's URL. */
function serviceEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_OWNER_URL;
  return env;
}

/** Stops every service on SIGINT/SIGTERM/SIGHUP (exit code 0) or when one dies on its own or never comes up (1). */
function supervise(services: Service[]) {
  let stopping = false;
  let settle: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (settle = resolve));

  const stopAll = (signal: NodeJS.Signals, code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    say(why);
    void Promise.all(services.map((s) => stop(s, signal))).then(() => settle(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => stopAll(signal, 0, `${signal}: stopping registry, gateway and eval-worker`));
  }
  for (const s of services) {
    void s.exited.then(([code, signal]) =>
      stopAll('SIGTERM', 1, `${s.name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the others`));
  }
  return {
    exitCode,
    stopping: () => stopping,
    fail: (message: string) => stopAll('SIGTERM', 1, `${message}; stopping the services`),
  };
}

async function stop(service: Service, signal: NodeJS.Signals) {
  const { child } = service;
  let kill: NodeJS.Timeout | undefined;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    kill = setTimeout(() => {
      say(`${service.name} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
  }
  await service.exited;
  clearTimeout(kill);
}

async function waitUntilHealthy(services: Service[]) {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  await Promise.all(services.map(async (s) => {
    while (!(await answersHealth(s.port))) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`${s.name} exited before answering /health`);
      if (Date.now() > deadline) throw new Error(`${s.name} did not answer /health within ${HEALTH_DEADLINE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }));
}

async function answersHealth(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

start().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof InfrastructureError || err instanceof ConfigError;
    console.error(known ? (err as Error).message : `[start] failed: ${describeError(err)}`);
    process.exit(1);
  },
);
