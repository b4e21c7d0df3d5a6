import { Redis } from 'ioredis';
import { AppRoleError, checkAppRoleUrls, ensureDatabase, grantAppRole, runMigrations } from '#persistence';
import { describeError, isUnreachable, redactUrl } from './console-lines.js';

/** A problem the person starting Promptgate can fix; printed as its message alone, without a stack. */
export class InfrastructureError extends Error {}

const CONNECT_DEADLINE_MS = 10_000;

function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s (timeout)`)), ms).unref());
}

export interface PreparedDatabase {
  created: boolean;
  applied: string[];
  /** The services' role, and whether this run created it. */
  role: string;
  roleCreated: boolean;
}

/**
 * As the owner (`ownerUrl`): creates the database when absent, applies pending migrations, then
 * makes sure the services' role of `appUrl` exists and has exactly its grants.
 */
export async function prepareDatabase(ownerUrl: string, appUrl: string): Promise<PreparedDatabase> {
  try {
    checkAppRoleUrls(ownerUrl, appUrl);
  } catch (err) {
    throw err instanceof AppRoleError ? new InfrastructureError(err.message) : err;
  }
  let created: boolean;
  try {
    created = await Promise.race([ensureDatabase(ownerUrl), deadline(CONNECT_DEADLINE_MS, 'PostgreSQL')]);
  } catch (err) {
    if (!isUnreachable(err)) throw new InfrastructureError(`PostgreSQL at ${redactUrl(ownerUrl)} refused: ${describeError(err)}`);
    throw new InfrastructureError(
      `PostgreSQL is not reachable at ${redactUrl(ownerUrl)} (${describeError(err)}).\n` +
        'Start it with `docker compose up -d postgres`, or start the local server ' +
        '(`sudo service postgresql start`), or set DATABASE_OWNER_URL and DATABASE_URL to one that runs.',
    );
  }
  const applied = await runMigrations(ownerUrl);
  try {
    const grant = await grantAppRole(ownerUrl, appUrl);
    return { created, applied, role: grant.role, roleCreated: grant.created };
  } catch (err) {
    if (err instanceof AppRoleError) throw new InfrastructureError(err.message);
    throw err;
  }
}

/** Fails with how to start Redis when nothing answers PING at `url`. */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    disconnectTimeout: 200,
  });
  // The socket error (ECONNREFUSED...) arrives as an event; connect() itself only says "Connection is closed".
  let socketError: Error | undefined;
  redis.on('error', (err: Error) => (socketError = err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new InfrastructureError(
      `Redis is not reachable at ${redactUrl(url)} (${describeError(socketError ?? err)}).\n` +
        'Start it with `docker compose up -d redis`, or start the local server ' +
        '(`redis-server --daemonize yes`), or set REDIS_URL to one that runs.',
    );
  } finally {
    redis.disconnect();
  }
}
