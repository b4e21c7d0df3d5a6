import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { jest } from '@jest/globals';
import pg from 'pg';
import { loadGatewayConfig } from '#config';
import { freePort } from '#runtime';
import { createGatewayApp } from '../apps/gateway/src/app.factory.js';
import type { GatewayApp } from '../apps/gateway/src/gateway-app.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_PASSWORD, uniqueEmail } from '../apps/registry/test/support/registry.js';
import { builtFile } from './support/build.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from './support/redis.js';

/**
 * A registry killed (SIGKILL) after its approval and its revocation committed but before their
 * publish could reach Redis: the registry's Redis runs through a proxy the test cuts. The gateway
 * has the previous version and the key cached for an hour, so only the publish changes what it
 * answers. A registry started again takes the pending outbox rows and the gateway follows.
 */
jest.setTimeout(180_000);

const WAIT_MS = 60_000;

/** A TCP proxy on 127.0.0.1 to the test's Redis that can be cut (every connection dropped, none taken) and restored. */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(readonly port: number, private readonly target: URL) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Registry processes from dist/, their output kept for a failure's message. */
class RegistryProcesses {
  readonly output: string[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly env: Record<string, string>) {}

  async start(port: number): Promise<string> {
    const child = spawn(process.execPath, [builtFile('apps/registry/src/main.js')], {
      env: { PATH: process.env.PATH, ...this.env, REGISTRY_PORT: String(port), REGISTRY_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')));
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    const url = `http://127.0.0.1:${port}`;
    const up = await until(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200);
    if (!up) throw new Error(`the registry did not start:\n${this.output.join('').slice(-3000)}`);
    return url;
  }

  async killAll(): Promise<void> {
    for (const child of [...this.children]) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/** Polls `check` every 50 ms until it holds or WAIT_MS passed; whether it held. */
async function until(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function call(base: string, method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test walks the API's JSON answers field by field, as API.md gives them
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

async function expectCall(base: string, method: string, path: string, token: string | null, status: number, body?: unknown) {
  const res = await call(base, method, path, token, body);
  if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

describe('a registry killed between commit and publish', () => {
  let db: TestDatabase;
  let prefix: string;
  let proxy: CuttableProxy;
  let registries: RegistryProcesses;
  let gateway: GatewayApp;
  let gatewayUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    prefix = testRedisPrefix();
    proxy = new CuttableProxy(await freePort(), new URL(TEST_REDIS_URL));
    await proxy.open();
    registries = new RegistryProcesses({
      APP_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: db.url, REDIS_URL: proxy.url, REDIS_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    });
    gateway = await createGatewayApp(loadGatewayConfig({
      APP_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, CACHE_TTL_SECONDS: '3600',
    }));
    gatewayUrl = await gateway.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await registries?.killAll();
    await proxy?.cut();
    await gateway?.close();
    await db?.drop();
    if (prefix) await dropRedisPrefix(prefix);
  });

  const serve = async (key: string, path: string) => {
    const res = await fetch(`${gatewayUrl}/v1/serve/${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, text: await res.text() };
  };

  const pendingOf = async (consumer: string) => {
    const client = new pg.Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ event_type: string }>(
        `SELECT e.event_type FROM outbox_consumptions c JOIN outbox_events e ON e.id = c.event_id
          WHERE c.consumer = $1 AND c.done_at IS NULL ORDER BY e.event_type`, [consumer]);
      return rows.map((r) => r.event_type);
    } finally {
      await client.end();
    }
  };

  it('still gets the new live version served and the revoked key refused once a registry runs again', async () => {
    const first = await registries.start(await freePort());
    const signedUp = await expectCall(first, 'POST', '/auth/signup', null, 201, { email: uniqueEmail('kill'), password: TEST_PASSWORD });
    const token = signedUp.access_token as string;
    const me = await expectCall(first, 'GET', '/me', token, 200);
    const workspaceId = me.memberships[0].workspace.id as string;
    const envs = await expectCall(first, 'GET', `/workspaces/${workspaceId}/environments`, token, 200);
    const development = (envs.items as Array<{ id: string; name: string }>).find((e) => e.name === 'development')!.id;
    const serving = await expectCall(first, 'POST', `/environments/${development}/api-keys`, token, 201, { name: 'serving' });
    const doomed = await expectCall(first, 'POST', `/environments/${development}/api-keys`, token, 201, { name: 'doomed' });

    const created = await expectCall(first, 'POST', `/environments/${development}/prompts`, token, 201, { key: 'kill.live', content: 'Version one.' });
    const promptId = created.prompt.id as string;
    await expectCall(first, 'POST', `/versions/${created.version.id}/submit`, token, 200);
    await expectCall(first, 'POST', `/versions/${created.version.id}/approve`, token, 200, {});
    // The gateway caches version one and both keys.
    expect(await until(async () => (await serve(serving.key, 'kill.live')).text === 'Version one.')).toBe(true);
    expect(await serve(doomed.key, 'kill.live')).toEqual({ status: 200, text: 'Version one.' });

    await proxy.cut();
    const proposed = await expectCall(first, 'POST', `/prompts/${promptId}/versions`, token, 201, { content: 'Version two.' });
    await expectCall(first, 'POST', `/versions/${proposed.version.id}/submit`, token, 200);
    const approved = await expectCall(first, 'POST', `/versions/${proposed.version.id}/approve`, token, 200, {});
    expect(approved.version).toMatchObject({ status: 'approved', content: 'Version two.' });
    await expectCall(first, 'DELETE', `/api-keys/${doomed.id}`, token, 204);
    // Committed, not published: the outbox still holds both, and the gateway answers as before.
    expect(await pendingOf('live_snapshot')).toEqual(['version.approved']);
    expect(await pendingOf('api_key_snapshot')).toEqual(['api_key.revoked']);
    expect(await serve(serving.key, 'kill.live')).toEqual({ status: 200, text: 'Version one.' });
    expect((await serve(doomed.key, 'kill.live')).status).toBe(200);

    await registries.killAll();
    await proxy.open();
    await registries.start(await freePort());

    const served = await until(async () => (await serve(serving.key, 'kill.live')).text === 'Version two.');
    const refused = await until(async () => (await serve(doomed.key, 'kill.live')).status === 401);
    if (!served || !refused) throw new Error(`served: ${served}, refused: ${refused}\n${registries.output.join('').slice(-3000)}`);
    expect(await pendingOf('live_snapshot')).toEqual([]);
    expect(await pendingOf('api_key_snapshot')).toEqual([]);
  });
});
