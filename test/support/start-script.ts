import pg from 'pg';
import { TEST_REDIS_URL } from './redis.js';

/** The PostgreSQL server the tests that run the real start script create their databases and roles on. */
export const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** SERVER_URL pointed at `name`, as `role` when given (else as the server URL's superuser). */
export function databaseUrl(name: string, role?: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  if (role) u.username = role;
  return u.toString();
}

/** One statement as the superuser, outside any test database. */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * A clean development environment for `node dist/scripts/start.js`: no secrets (they get generated
 * into the working directory's .env), `database` owned by the superuser and served as `appRole`.
 */
export function startScriptEnv(options: {
  database: string;
  appRole: string;
  redisPrefix: string;
  ports: { registry: number; gateway: number; worker: number };
  logLevel: string;
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APP_ENV: 'development',
    DATABASE_OWNER_URL: databaseUrl(options.database),
    DATABASE_URL: databaseUrl(options.database, options.appRole),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: options.redisPrefix,
    REGISTRY_PORT: String(options.ports.registry),
    GATEWAY_PORT: String(options.ports.gateway),
    WORKER_HEALTH_PORT: String(options.ports.worker),
    LOG_LEVEL: options.logLevel,
  };
}

/** The status a URL answers, or 0 when nothing answers within 2 s (a service still starting, or stopped). */
export async function httpStatus(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
