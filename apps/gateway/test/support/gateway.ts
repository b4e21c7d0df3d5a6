import { loadGatewayConfig } from '#config';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../../../../test/support/redis.js';
import { createGatewayApp } from '../../src/app.factory.js';
import type { GatewayApp } from '../../src/gateway-app.js';

export interface RunningGateway {
  app: GatewayApp;
  url: string;
}

/** A gateway on a free loopback port, quiet, in a Redis prefix of its own; `env` overrides any of it. */
export async function startGateway(env: Record<string, string>): Promise<RunningGateway> {
  const app = await createGatewayApp(loadGatewayConfig({
    LOG_LEVEL: 'silent', REDIS_PREFIX: testRedisPrefix(), REDIS_URL: TEST_REDIS_URL, ...env,
  }));
  return { app, url: await app.listen(0, '127.0.0.1') };
}

/** For a spec file: a test database, and a gateway on it booted before the tests and closed after them. */
export function useGateway(): { readonly db: TestDatabase; readonly app: GatewayApp; readonly url: string } {
  let db: TestDatabase | undefined;
  let running: RunningGateway | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startGateway({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await running?.app.close();
    await db?.drop();
  });
  const booted = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the gateway is booted in beforeAll');
    return value;
  };
  return {
    get db() { return booted(db); },
    get app() { return booted(running).app; },
    get url() { return booted(running).url; },
  };
}
