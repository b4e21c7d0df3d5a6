import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  ConfigError, databaseOwnerSchema, listenHost, loadGatewayConfig, loadRegistryConfig, loadWorkerConfig, parseConfig, prepareEnvironment,
  type RegistryConfig,
} from '#config';
import { createDataSource } from '#persistence';
import { seedDevAdmin } from '../apps/registry/src/seed/seed-dev-admin.js';
import { createLinePrefixer, describeError, isOwnHealth, servicePrefix } from './console-lines.js';
import { checkRedis, findPortConflicts, InfrastructureError, prepareDatabase, type PortClaim } from './infrastructure.js';

const STOP_GRACE_MS = 10_000;
const HEALTH_DEADLINE_MS = 60_000;

interface Service extends PortClaim {
  /** The id this script handed the child (PROMPTGATE_INSTANCE_ID); its /health must answer it. */
  instance: string;
  child: ChildProcess;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const say = (line: string) => process.stdout.write(`[start] ${line}\n`);

/**
 * npm runs this script under `sh -c`, and on SIGTERM npm signals that shell, which dies without
 * passing it on: this process is then re-parented, and that is the only sign of the stop it gets.
 */
const PARENT = process.ppid;
let onOrphaned: () => void = () => process.exit(0);
setInterval(() => {
  if (process.ppid !== PARENT) onOrphaned();
}, 250).unref();

/** `npm start`: check the ports, prepare the database, then run registry, gateway and eval-worker until a signal. Resolves to the exit code. */
async function start(): Promise<number> {
  const generated = prepareEnvironment();
  const registry = loadRegistryConfig();
  const gateway = loadGatewayConfig();
  const worker = loadWorkerConfig();
  const { DATABASE_OWNER_URL } = parseConfig(databaseOwnerSchema, process.env);
  const claims: PortClaim[] = [
    { service: 'registry', port: registry.REGISTRY_PORT, host: listenHost(registry, registry.REGISTRY_HOST), variable: 'REGISTRY_PORT' },
    { service: 'gateway', port: gateway.GATEWAY_PORT, host: listenHost(gateway, gateway.GATEWAY_HOST), variable: 'GATEWAY_PORT' },
    { service: 'eval-worker', port: worker.WORKER_HEALTH_PORT, host: listenHost(worker, worker.WORKER_HEALTH_HOST), variable: 'WORKER_HEALTH_PORT' },
  ];
  const conflicts = await findPortConflicts(claims);
  if (conflicts.length) throw new InfrastructureError(conflicts.map((c) => `[start] ${c}`).join('\n') + '\n[start] nothing was started');
  if (generated.length) say(`generated ${generated.join(', ')} into .env`);

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
  // Said last, after the services' own start-up lines, where it is not scrolled away.
  const closing = registry.APP_ENV === 'development' ? await seedAdmin(registry) : [];
  if (registry.APP_ENV === 'development' && registry.DEV_AUTH_BYPASS) {
    closing.push('warning: DEV_AUTH_BYPASS=true: requests without a token act as the dev admin; never expose this registry to a network');
  }

  const services = claims.map((claim, index) => run(claim, index));
  const supervisor = supervise(services, closing);
  waitUntilHealthy(services).then(
    () => {
      if (supervisor.stopping()) return;
      say(`dashboard    http://localhost:${registry.REGISTRY_PORT}/`);
      say(`registry     http://localhost:${registry.REGISTRY_PORT}/api/v1   (docs: http://localhost:${registry.REGISTRY_PORT}/api/docs)`);
      say(`gateway      http://localhost:${gateway.GATEWAY_PORT}`);
      say(`eval-worker  http://localhost:${worker.WORKER_HEALTH_PORT}/health`);
      say('all services are up; press Ctrl-C to stop');
      supervisor.sayClosing();
    },
    (err: Error) => supervisor.fail(err.message),
  );
  return supervisor.exitCode;
}

/** The lines that tell the dev admin's credentials (the password only when it was created now). */
async function seedAdmin(config: RegistryConfig): Promise<string[]> {
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'promptgate-start' });
  await dataSource.initialize();
  try {
    const admin = await seedDevAdmin(dataSource, config.DEV_ADMIN_EMAIL);
    if (!admin.created) return [`dev admin: ${admin.email} (password lost? npm run admin:reset-password)`];
    return [
      `dev admin created: ${admin.email}`,
      `dev admin password: ${admin.password}   (shown this once; it is stored only as a hash)`,
    ];
  } finally {
    await dataSource.destroy();
  }
}

/** Spawns one app from the dist tree beside this script, whatever the working directory. */
function run(claim: PortClaim, index: number): Service {
  const entry = fileURLToPath(new URL(`../apps/${claim.service}/src/main.js`, import.meta.url));
  const instance = randomUUID();
  // Its own process group: a terminal's Ctrl-C reaches only this script, which forwards exactly one signal.
  const child = spawn(process.execPath, [entry], { env: serviceEnv(claim.service, instance), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = servicePrefix(claim.service, index, Boolean(process.stdout.isTTY));
  for (const [stream, target] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    const lines = createLinePrefixer(prefix, (line) => target.write(line));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => lines.push(chunk));
    stream.on('end', () => lines.flush());
  }
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  return { ...claim, instance, child, exited };
}

/** The services get DATABASE_URL (their own role) and never the owner's URL; the eval worker, which never reads the database, gets neither. */
function serviceEnv(service: string, instance: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PROMPTGATE_INSTANCE_ID: instance };
  delete env.DATABASE_OWNER_URL;
  if (service === 'eval-worker') {
    for (const name of ['DATABASE_URL', 'DATABASE_URL_FILE', 'DATABASE_PASSWORD', 'DATABASE_PASSWORD_FILE']) delete env[name];
  }
  return env;
}

/** Stops every service on SIGINT/SIGTERM/SIGHUP (exit code 0) or when one dies on its own or never comes up (1). */
function supervise(services: Service[], closing: string[]) {
  let stopping = false;
  let closingSaid = false;
  let settle: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (settle = resolve));
  const sayClosing = () => {
    if (closingSaid) return;
    closingSaid = true;
    for (const line of closing) say(line);
  };

  const stopAll = (signal: NodeJS.Signals, code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    say(why);
    void Promise.all(services.map((s) => stop(s, signal))).then(() => {
      // A password created by this run is said even when the services failed: it is shown nowhere else.
      sayClosing();
      settle(code);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => stopAll(signal, 0, `${signal}: stopping registry, gateway and eval-worker`));
  }
  onOrphaned = () => stopAll('SIGTERM', 0, 'the process that ran this one (npm) has exited: stopping registry, gateway and eval-worker');
  for (const s of services) {
    void s.exited.then(([code, signal]) =>
      stopAll('SIGTERM', 1, `${s.service} exited unexpectedly (${signal ?? `code ${code}`}); stopping the others`));
  }
  return {
    exitCode,
    sayClosing,
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
      say(`${service.service} did not stop within ${STOP_GRACE_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
    }, STOP_GRACE_MS);
  }
  await service.exited;
  clearTimeout(kill);
}

/** Up means /health answers with the service's name and the instance id this script gave it: another process on the port never counts. */
async function waitUntilHealthy(services: Service[]) {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  await Promise.all(services.map(async (s) => {
    for (;;) {
      const answer = await health(s);
      if (answer === 'ours') return;
      if (answer === 'other') {
        throw new Error(`another process answers /health on port ${s.port}, not the ${s.service} started here: set ${s.variable} to a free port`);
      }
      if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`${s.service} exited before answering /health`);
      if (Date.now() > deadline) throw new Error(`${s.service} did not answer /health within ${HEALTH_DEADLINE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }));
}

async function health(s: Service): Promise<'ours' | 'other' | 'none'> {
  const host = s.host === '0.0.0.0' || s.host === '::' ? '127.0.0.1' : s.host;
  try {
    const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${s.port}/health`, { signal: AbortSignal.timeout(1000) });
    const text = await res.text();
    if (!res.ok) return 'none';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return 'other';
    }
    return isOwnHealth(body, s.service, s.instance) ? 'ours' : 'other';
  } catch {
    return 'none';
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
