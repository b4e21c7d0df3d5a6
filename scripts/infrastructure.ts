import { once } from 'node:events';
import { connect, createServer } from 'node:net';
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

/** A port a service is about to listen on, and the variable that sets it. */
export interface PortClaim {
  service: string;
  port: number;
  host: string;
  variable: string;
}

/**
 * What stands in the way of the services listening, checked before anything starts: two services
 * given one port, or a port where something already listens (bound there, or answering on loopback).
 * One line per problem, naming the variable to change; empty when every port is free.
 */
export async function findPortConflicts(claims: PortClaim[]): Promise<string[]> {
  const problems: string[] = [];
  const byPort = new Map<number, PortClaim[]>();
  for (const c of claims) if (c.port !== 0) byPort.set(c.port, [...(byPort.get(c.port) ?? []), c]);
  for (const [port, shared] of byPort) {
    if (shared.length > 1) problems.push(`${shared.map((c) => c.variable).join(' and ')} are ${shared.length === 2 ? 'both' : 'all'} ${port}: give each service a port of its own`);
  }
  for (const c of claims) {
    if (c.port === 0 || (byPort.get(c.port)?.length ?? 0) > 1) continue;
    const refused = await listenRefusal(c.host, c.port);
    if (refused === 'EADDRINUSE' || (refused === undefined && (await somethingAnswers(c.port)))) {
      problems.push(`port ${c.port} is in use (the ${c.service} needs it): set ${c.variable} to a free port, or stop what listens there`);
    } else if (refused !== undefined) {
      problems.push(`the ${c.service} cannot listen on ${c.host}:${c.port} (${refused}): set ${c.variable}${c.variable.endsWith('_PORT') ? ` or ${c.variable.replace(/_PORT$/, '_HOST')}` : ''}`);
    }
  }
  return problems;
}

/** undefined when host:port can be bound right now, else the error code (EADDRINUSE, EACCES, EADDRNOTAVAIL...). */
async function listenRefusal(host: string, port: number): Promise<string | undefined> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, resolve);
    });
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? describeError(err);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Whether something accepts connections on loopback at `port` (a server bound to another address family, say). */
async function somethingAnswers(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await Promise.race([once(socket, 'connect'), new Promise((_, reject) => setTimeout(reject, 1000).unref())]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
