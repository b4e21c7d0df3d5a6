import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { builtFile } from './support/build.js';
import { testRedisPrefix } from './support/redis.js';
import { SERVER_URL, startScriptEnv } from './support/start-script.js';
import { freePort } from '#runtime';

/** Runs dist/scripts/start.js to its exit (it must exit by itself within 30 s); its output and exit code. */
async function runStart(cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [builtFile('scripts/start.js')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

/** What a stray process on the port looks like to a naive check: /health answers 200. */
async function decoy(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('npm start checks its ports before anything starts', () => {
  const database = `promptgate_ports_${randomBytes(6).toString('hex')}`;
  const cwd = mkdtempSync(join(tmpdir(), 'promptgate-ports-'));
  let env: NodeJS.ProcessEnv;
  let ports: { registry: number; gateway: number; worker: number };

  beforeAll(async () => {
    ports = { registry: await freePort(), gateway: await freePort(), worker: await freePort() };
    env = startScriptEnv({ database, appRole: 'promptgate_ports_app', redisPrefix: testRedisPrefix(), ports, logLevel: 'info' });
  });

  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  async function nothingWasStarted(output: string) {
    expect(output).not.toContain('all services are up');
    expect(output).not.toMatch(/^\[(registry|gateway|eval-worker)\]/m);
    expect(output).not.toContain('created database');
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount).toBe(0);
    } finally {
      await client.end();
    }
  }

  it('detects a decoy answering /health on the gateway port, names GATEWAY_PORT and exits 1', async () => {
    const server = await decoy(ports.gateway);
    try {
      const { code, output } = await runStart(cwd, env);
      expect(code).toBe(1);
      expect(output).toContain(`[start] port ${ports.gateway} is in use (the gateway needs it): set GATEWAY_PORT to a free port`);
      expect(output).toContain('[start] nothing was started');
      expect(output).not.toContain('REGISTRY_PORT');
      expect(output).not.toContain('WORKER_HEALTH_PORT');
      await nothingWasStarted(output);
    } finally {
      server.close();
      await once(server, 'close');
    }
  });

  it('reports every port in use at once, each with its variable', async () => {
    const servers = [await decoy(ports.registry), await decoy(ports.worker)];
    try {
      const { code, output } = await runStart(cwd, env);
      expect(code).toBe(1);
      expect(output).toContain(`port ${ports.registry} is in use (the registry needs it): set REGISTRY_PORT`);
      expect(output).toContain(`port ${ports.worker} is in use (the eval-worker needs it): set WORKER_HEALTH_PORT`);
      expect(output).not.toContain('GATEWAY_PORT');
      await nothingWasStarted(output);
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('refuses two services given one port', async () => {
    const { code, output } = await runStart(cwd, { ...env, GATEWAY_PORT: String(ports.registry) });
    expect(code).toBe(1);
    expect(output).toContain(`[start] REGISTRY_PORT and GATEWAY_PORT are both ${ports.registry}: give each service a port of its own`);
    await nothingWasStarted(output);
  });
});
