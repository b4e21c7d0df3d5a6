import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { builtFile } from './support/build.js';
import { dropRedisPrefix, testRedisPrefix } from './support/redis.js';
import { adminQuery, databaseUrl, httpStatus, startScriptEnv } from './support/start-script.js';
import { freePort } from '#runtime';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START = join(ROOT, 'dist/scripts/start.js');
const SERVICES = ['registry', 'gateway', 'eval-worker'] as const;

/** `node dist/scripts/start.js` in `cwd`, its stdout and stderr gathered into one string. */
class StartRun {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;

  /** `viaShell`: as npm runs it, under `sh -c` (`; true` keeps the shell from exec-ing node, as dash and npm do). */
  constructor(cwd: string, env: NodeJS.ProcessEnv, viaShell = false) {
    this.child = viaShell
      ? spawn('sh', ['-c', `"${process.execPath}" "${START}"; true`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [START], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.output += c));
    this.exited = once(this.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  }

  async exitCodeWithin(ms: number): Promise<number | null> {
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref());
    const result = await Promise.race([this.exited, timeout]);
    if (result === 'timeout') throw new Error(`start.js still running after ${ms} ms:\n${this.output}`);
    return result[0];
  }

  /** After a failed test: SIGTERM, so start.js stops its services (a SIGKILL would leave them holding the ports), then SIGKILL. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
    if ((await Promise.race([this.exited, timeout])) === 'timeout') this.child.kill('SIGKILL');
  }
}

async function untilHealthy(run: StartRun, ports: Record<string, number>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (const name of SERVICES) {
    while ((await httpStatus(`http://127.0.0.1:${ports[name]}/health`)) !== 200) {
      if (run.child.exitCode !== null) throw new Error(`start.js exited with ${run.child.exitCode}:\n${run.output}`);
      if (Date.now() > deadline) throw new Error(`${name} did not answer /health within ${ms} ms:\n${run.output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The pids of the children (the three services) of start.js, or of the process `parent`. */
async function childPids(run: StartRun, parent = run.child.pid): Promise<Map<string, number>> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,args=', '--ppid', String(parent)]);
  const pids = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const name = SERVICES.find((n) => line.includes(`apps/${n}/src/main.js`));
    if (name) pids.set(name, Number(line.trim().split(/\s+/)[0]));
  }
  return pids;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The local addresses a TCP port is listened on, from /proc/net/tcp and tcp6 (what the kernel says, not what a log says). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local?.endsWith(`:${hexPort}`)) continue;
      const addr = local.slice(0, -5);
      out.push(addr.length === 8 ? (addr.match(/../g) ?? []).reverse().map((h) => parseInt(h, 16)).join('.') : `[${addr}]`);
    }
  }
  return out;
}

async function portIsClosed(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch {
    return true;
  } finally {
    socket.destroy();
  }
}

describe('npm start (dist/scripts/start.js)', () => {
  const database = `promptgate_start_${randomBytes(6).toString('hex')}`;
  // A role of its own that does not exist yet, so the run has to create it (roles are cluster-wide).
  const appRole = `promptgate_start_app_${randomBytes(4).toString('hex')}`;
  const redisPrefix = testRedisPrefix();
  const cwd = mkdtempSync(join(tmpdir(), 'promptgate-start-'));
  let ports: Record<string, number>;
  let env: NodeJS.ProcessEnv;
  let first: StartRun;

  beforeAll(async () => {
    builtFile('scripts/start.js');
    ports = { registry: await freePort(), gateway: await freePort(), 'eval-worker': await freePort() };
    // A clean environment: no secrets (so they get generated into cwd/.env), a database that does not exist yet.
    env = startScriptEnv({
      database, appRole, redisPrefix, logLevel: 'info',
      ports: { registry: ports.registry, gateway: ports.gateway, worker: ports['eval-worker'] },
    });
    first = new StartRun(cwd, env);
    await untilHealthy(first, ports);
  }, 240_000);

  afterAll(async () => {
    await first?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await adminQuery(`DROP ROLE IF EXISTS "${appRole}"`);
    await dropRedisPrefix(redisPrefix);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('creates the database, migrates it, and generates the secrets into .env of its working directory', async () => {
    expect(first.output).toContain('[start] generated JWT_SECRET, ENCRYPTION_KEY into .env');
    expect(first.output).toContain(`[start] created database ${database}`);
    expect(first.output).toMatch(/\[start\] applied migration \S+/);
    const dotenv = readFileSync(join(cwd, '.env'), 'utf8');
    expect(dotenv).toMatch(/^JWT_SECRET=\S{32,}$/m);
    expect(dotenv).toMatch(/^ENCRYPTION_KEY=[0-9a-f]{64}$/m);
    expect((await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount).toBe(1);
  });

  it('creates the services\' role and runs the registry and the gateway as it, never as the owner; the eval worker never connects', async () => {
    expect(first.output).toContain(`[start] created PostgreSQL role ${appRole} for the services`);
    const { rows: [role] } = await adminQuery(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = $1`, [appRole]);
    expect(role).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true });
    // /ready runs a query, so each service's pool holds a connection when pg_stat_activity is read
    // (the eval worker's checks Redis alone: it never reads the database).
    for (const name of SERVICES) expect(await httpStatus(`http://127.0.0.1:${ports[name]}/ready`)).toBe(200);
    const { rows } = await adminQuery(
      `SELECT DISTINCT application_name AS app, usename AS role FROM pg_stat_activity
        WHERE datname = $1 AND application_name LIKE 'promptgate-%' ORDER BY 1, 2`, [database]);
    expect(rows).toEqual([
      { app: 'promptgate-gateway', role: appRole },
      { app: 'promptgate-registry', role: appRole },
    ]);
  });

  it('brings up all three services, each ready, and prints their URLs', async () => {
    for (const name of SERVICES) {
      expect(await httpStatus(`http://127.0.0.1:${ports[name]}/ready`)).toBe(200);
    }
    await waitForOutput(first, 'all services are up');
    expect(first.output).not.toContain('another process answers /health');
    expect(first.output).toContain(`http://localhost:${ports.registry}/api/docs`);
    expect(first.output).toContain(`http://localhost:${ports.gateway}`);
    expect(first.output).toContain(`http://localhost:${ports['eval-worker']}/health`);
  });

  it('counts a service up by its /health: its name and the instance id start.js handed it', async () => {
    const pids = await childPids(first);
    for (const name of SERVICES) {
      const environ = readFileSync(`/proc/${pids.get(name)}/environ`, 'utf8').split('\0');
      const given = environ.find((e) => e.startsWith('PROMPTGATE_INSTANCE_ID='))?.slice('PROMPTGATE_INSTANCE_ID='.length);
      expect(given).toMatch(/^[0-9a-f-]{36}$/);
      const res = await fetch(`http://127.0.0.1:${ports[name]}/health`);
      expect(await res.json()).toEqual({ status: 'ok', service: name, instance: given });
    }
  });

  it('in development listens on 127.0.0.1 only', () => {
    for (const name of SERVICES) expect([name, listeningAddresses(ports[name])]).toEqual([name, ['127.0.0.1']]);
  });

  it('keeps start-up quiet: no framework boot chatter or health polls at info, the admin password last', async () => {
    await waitForOutput(first, 'dev admin password:');
    for (const context of ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']) {
      expect([context, first.output.includes(`"context":"${context}"`)]).toEqual([context, false]);
    }
    expect(first.output).not.toMatch(/"path":"\/(health|ready)"/);
    const lines = first.output.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^\[start\] dev admin created: /);
    expect(lines.at(-1)).toMatch(/^\[start\] dev admin password: \S+ /);
    expect(first.output.indexOf('all services are up')).toBeLessThan(first.output.indexOf('dev admin created'));
  });

  it('prints the dev admin email and password once, and they log in', async () => {
    await waitForOutput(first, 'dev admin password:');
    const email = /\[start\] dev admin created: (\S+)/.exec(first.output)?.[1];
    const password = /\[start\] dev admin password: (\S+)/.exec(first.output)?.[1];
    expect(email).toBe('admin@promptgate.local');
    expect(password).toBeTruthy();
    const res = await fetch(`http://127.0.0.1:${ports.registry}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ access_token: expect.any(String) });
  });

  it('prefixes every line of output with the name of the process that wrote it', () => {
    const lines = first.output.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^\[(start|registry|gateway|eval-worker)\] /);
    for (const name of SERVICES) expect(lines.some((l) => l.startsWith(`[${name}] `))).toBe(true);
    expect(first.output).toMatch(/^\[gateway\] \{.*"msg":"gateway listening"/m);
  });

  it('npm run admin:reset-password gives the dev admin a new password, shown once and stored only as its hash', async () => {
    const oldPassword = /\[start\] dev admin password: (\S+)/.exec(first.output)![1];
    const reset = promisify(execFile)(process.execPath, [builtFile('scripts/reset-admin-password.js')], { cwd, env });
    const { stdout } = await reset;
    expect(stdout).toContain('[admin:reset-password] dev admin: admin@promptgate.local');
    const password = /\[admin:reset-password\] new password: (\S+)/.exec(stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const login = (p: string) => fetch(`http://127.0.0.1:${ports.registry}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@promptgate.local', password: p }),
    }).then((r) => r.status);
    expect(await login(password!)).toBe(200);
    expect(await login(oldPassword)).toBe(401);
    const client = new pg.Client({ connectionString: databaseUrl(database) });
    await client.connect();
    const { rows: [user] } = await client.query('SELECT password_hash FROM users WHERE email = $1', ['admin@promptgate.local']).finally(() => client.end());
    expect(user.password_hash).toMatch(/^scrypt\$131072\$/);
    expect(user.password_hash).not.toContain(password);
  });

  it('admin:reset-password refuses outside development, saying why, and changes nothing', async () => {
    const run = promisify(execFile)(process.execPath, [builtFile('scripts/reset-admin-password.js')], { cwd, env: { ...env, APP_ENV: 'production' } });
    const err = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(err?.code).toBe(1);
    expect(err.stderr).toContain('[admin:reset-password] refused: APP_ENV=production');
    expect(err.stderr).toContain('APP_ENV=development');
    expect(err.stdout).not.toContain('new password');
  });

  it('stops all three on SIGINT and exits 0 within 15 s, closing their ports', async () => {
    first.child.kill('SIGINT');
    expect(await first.exitCodeWithin(15_000)).toBe(0);
    for (const name of SERVICES) expect(await portIsClosed(ports[name])).toBe(true);
  });

  it('on a second start reuses secrets, database and admin; when a service dies it stops the others and fails', async () => {
    const second = new StartRun(cwd, env);
    try {
      await untilHealthy(second, ports);
      await waitForOutput(second, '[start] dev admin: ');
      expect(second.output).not.toContain('generated');
      expect(second.output).not.toContain('created database');
      expect(second.output).not.toContain('applied migration');
      expect(second.output).not.toContain('password:');
      expect(second.output).toContain('[start] dev admin: admin@promptgate.local');

      const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,args=', '--ppid', String(second.child.pid)]);
      const gateway = stdout.split('\n').find((l) => l.includes('apps/gateway/src/main.js'));
      expect(gateway).toBeDefined();
      process.kill(Number(gateway!.trim().split(/\s+/)[0]), 'SIGKILL');

      expect(await second.exitCodeWithin(15_000)).not.toBe(0);
      expect(second.output).toContain('[start] gateway exited unexpectedly (SIGKILL); stopping the others');
      for (const name of SERVICES) expect(await portIsClosed(ports[name])).toBe(true);
    } finally {
      await second.stop();
    }
  }, 100_000);

  it('on SIGTERM (as process managers send) stops every service and exits 0, leaving no child behind; warns of DEV_AUTH_BYPASS', async () => {
    const third = new StartRun(cwd, { ...env, DEV_AUTH_BYPASS: 'true' });
    try {
      await untilHealthy(third, ports);
      await waitForOutput(third, 'all services are up');
      await waitForOutput(third, '[start] warning: DEV_AUTH_BYPASS=true');
      expect(third.output).toMatch(/^\[registry\] \{.*"level":"warn".*DEV_AUTH_BYPASS=true/m);
      expect(third.output.indexOf('[start] warning: DEV_AUTH_BYPASS')).toBeGreaterThan(third.output.indexOf('all services are up'));
      const pids = await childPids(third);
      expect([...pids.keys()].sort()).toEqual([...SERVICES].sort());
      third.child.kill('SIGTERM');
      expect(await third.exitCodeWithin(15_000)).toBe(0);
      expect(third.output).toContain('[start] SIGTERM: stopping registry, gateway and eval-worker');
      for (const [name, pid] of pids) expect([name, processExists(pid)]).toEqual([name, false]);
      for (const name of SERVICES) expect(await portIsClosed(ports[name])).toBe(true);
    } finally {
      await third.stop();
    }
  }, 100_000);

  it('when npm\'s shell is stopped by SIGTERM (it dies without passing the signal on), stops every service and exits', async () => {
    const run = new StartRun(cwd, env, true);
    try {
      await untilHealthy(run, ports);
      const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,args=', '--ppid', String(run.child.pid)]);
      const startPid = Number(stdout.split('\n').find((l) => l.includes('scripts/start.js'))!.trim().split(/\s+/)[0]);
      const pids = await childPids(run, startPid);
      expect(pids.size).toBe(3);
      run.child.kill('SIGTERM');
      await waitForOutput(run, 'has exited: stopping registry, gateway and eval-worker', 15_000);
      const deadline = Date.now() + 15_000;
      while ([startPid, ...pids.values()].some(processExists) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      for (const [name, pid] of [['start.js', startPid], ...pids] as const) expect([name, processExists(pid)]).toEqual([name, false]);
      for (const name of SERVICES) expect(await portIsClosed(ports[name])).toBe(true);
    } finally {
      await run.stop();
    }
  }, 100_000);

  it('says how to start PostgreSQL and Redis when they are unreachable, without a stack trace', async () => {
    const run = new StartRun(cwd, {
      ...env,
      DATABASE_OWNER_URL: 'postgres://postgres@127.0.0.1:1/promptgate',
      DATABASE_URL: 'postgres://promptgate_app@127.0.0.1:1/promptgate',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(await run.exitCodeWithin(20_000)).toBe(1);
    expect(run.output).toContain('PostgreSQL is not reachable at postgres://postgres@127.0.0.1:1/promptgate');
    expect(run.output).toContain('Redis is not reachable at redis://127.0.0.1:1');
    expect(run.output).toContain('docker compose up -d');
    expect(run.output).not.toMatch(/^\s+at /m);
  });
});

async function waitForOutput(run: StartRun, text: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!run.output.includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in output:\n${run.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
