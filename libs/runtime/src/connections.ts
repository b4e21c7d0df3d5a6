import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { AppLogger } from './logger.js';

/** Injection tokens of the plain connections the gateway and the worker hold (the registry uses TypeORM). */
export const DATABASE_POOL = Symbol('DATABASE_POOL');
export const REDIS = Symbol('REDIS');

/**
 * One Redis client. Commands fail fast while Redis is away (one retry, no unbounded queue) and
 * errors are logged once per outage instead of thrown, so an outage degrades the features that
 * use Redis but never crashes the process.
 */
export function createRedisClient(url: string, logger: AppLogger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Bounds how long a closed client keeps a timer on a socket that never connected (default 2 s).
    disconnectTimeout: 200,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  redis.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    logger.pino.warn({ err: { message: err.message }, connection: name }, 'redis unreachable; retrying');
  });
  redis.on('ready', () => {
    if (reported) logger.pino.info({ connection: name }, 'redis reachable again');
    reported = false;
  });
  return redis;
}

export function createDatabasePool(url: string, logger: AppLogger, name: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 1000, application_name: name });
  // An idle client failing (PostgreSQL restarting) must not crash the process.
  pool.on('error', (err) => logger.pino.warn({ err: { message: err.message } }, 'postgres connection error'));
  return pool;
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}

/** Races `work` against a timeout, for checks that must answer quickly whatever the server does. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Every key of one deployment's namespace (`prefix:*` and BullMQ's `{prefix}:*`), in batches. */
export async function* namespaceKeys(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  for (const pattern of [`${prefix}:*`, `{${prefix}}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}

/** Deletes every key of one deployment's namespace: tests and benchmarks clean up with it. */
export async function dropRedisNamespace(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of namespaceKeys(redis, prefix)) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** A TCP port free on 127.0.0.1 right now, for tests and benchmarks that start servers of their own. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
