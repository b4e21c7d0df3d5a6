import type { Server } from 'node:http';
import { jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadRegistryConfig, type RegistryConfig } from '#config';
import { createRegistryApp } from '../../src/app.factory.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { dropRedisPrefix, testRedisPrefix } from '../../../../test/support/redis.js';

// Booting an app and hashing passwords with scrypt outlast Jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

export const TEST_JWT_SECRET = 'x'.repeat(40);
export const TEST_ENCRYPTION_KEY = 'ab'.repeat(32);
export const TEST_PASSWORD = 'correct-horse-battery';

export interface RegistryHarness {
  app: NestExpressApplication;
  http: Server;
  config: RegistryConfig;
  db: TestDatabase;
  dataSource: DataSource;
  redisPrefix: string;
  /** Every answer with a 5xx status other than /ready's 503, as "METHOD url -> status". */
  serverErrors: string[];
  /**
   * A statement as the owner (superuser), for tests that reach behind the grants on purpose; the
   * registry itself and `dataSource` connect as the least-privileged services' role.
   */
  asOwner(sql: string, params?: unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * Boots a registry on its own fresh database and Redis prefix; `env` overrides any variable, and
 * `logDestination` receives its log lines (set LOG_LEVEL in `env` to see them).
 */
export async function bootRegistry(
  env: Record<string, string> = {},
  options: Parameters<typeof createRegistryApp>[1] = {},
): Promise<RegistryHarness> {
  const db = await createTestDatabase();
  const redisPrefix = testRedisPrefix();
  const config = loadRegistryConfig({
    ...process.env,
    APP_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createRegistryApp(config, options);
  await app.init();
  const http = app.getHttpServer() as Server;
  const serverErrors: string[] = [];
  http.on('request', (req, res) => {
    res.on('finish', () => {
      if (res.statusCode >= 500 && !(res.statusCode === 503 && req.url === '/ready')) {
        serverErrors.push(`${req.method} ${req.url} -> ${res.statusCode}`);
      }
    });
  });
  return {
    app, http, config, db, redisPrefix, serverErrors,
    dataSource: app.get(DataSource),
    asOwner: (sql, params) => ownerQuery(db.ownerUrl, sql, params),
    async close() {
      await app.close();
      await db.drop();
      await dropRedisPrefix(redisPrefix);
    },
  };
}

async function ownerQuery(url: string, sql: string, params: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export function expectNoServerErrors(h: RegistryHarness): void {
  const errors = h.serverErrors.splice(0);
  expect(errors).toEqual([]);
}

/**
 * Boots one registry for the enclosing describe block: ready in beforeAll, closed in afterAll,
 * and after each test asserts that no request was answered with a 500.
 */
export function useRegistry(env: Record<string, string> = {}): RegistryHarness {
  const h = {} as RegistryHarness;
  beforeAll(async () => {
    Object.assign(h, await bootRegistry(env));
  });
  afterEach(() => {
    if (h.serverErrors) expectNoServerErrors(h);
  });
  afterAll(async () => {
    await h.close?.();
  });
  return h;
}

let counter = 0;
/** A fresh email, unique across the test run. */
export function uniqueEmail(tag = 'user'): string {
  counter += 1;
  return `${tag}.${process.pid}.${counter}.${Date.now()}@example.com`;
}

export interface SignedUp {
  user: { id: string; email: string; name: string | null; created_at: string };
  token: string;
  auth: { Authorization: string };
  /** The id of the personal workspace made at signup. */
  workspaceId: string;
}

/** Signs a new user up through the API and returns their token and personal workspace. */
export async function signup(http: Server, email = uniqueEmail(), password = TEST_PASSWORD, name?: string): Promise<SignedUp> {
  const res = await request(http).post('/api/v1/auth/signup').send({ email, password, ...(name ? { name } : {}) });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  const auth = { Authorization: `Bearer ${res.body.access_token}` };
  const me = await request(http).get('/api/v1/me').set(auth);
  return { user: res.body.user, token: res.body.access_token, auth, workspaceId: me.body.memberships[0].workspace.id };
}

/** Makes a workspace owned by `owner` with the given members (added by the owner) at their roles. */
export async function workspaceWith(
  http: Server,
  owner: SignedUp,
  members: Array<{ user: SignedUp; role: string }> = [],
): Promise<string> {
  const created = await request(http).post('/api/v1/workspaces').set(owner.auth).send({ name: 'Team workspace' });
  if (created.status !== 201) throw new Error(`workspace creation failed: ${created.status}`);
  const id = created.body.workspace.id as string;
  for (const m of members) {
    const added = await request(http).post(`/api/v1/workspaces/${id}/members`).set(owner.auth).send({ email: m.user.user.email, role: m.role });
    if (added.status !== 201) throw new Error(`adding a member failed: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return id;
}
