import request from 'supertest';
import { loadGatewayConfig, type GatewayConfig } from '#config';
import { createGatewayApp } from '../../apps/gateway/src/app.factory.js';
import type { GatewayApp } from '../../apps/gateway/src/gateway-app.js';
import { bootRegistry, type RegistryHarness, type SignedUp } from '../../apps/registry/test/support/registry.js';

/**
 * A registry and N gateways sharing one database and one Redis namespace, for cross-service tests.
 *
 *   const stack = await bootStack({ gateways: 2 });
 *   const key = await issueApiKey(stack, admin, environmentId);       // { id, key, ... }
 *   await fetch(`${stack.gateways[0].url}/v1/serve/my.prompt`, { headers: { authorization: `Bearer ${key.key}` } });
 *   await stack.close();
 *
 * The registry is driven in-process with supertest (`stack.registry.http`); each gateway listens
 * on 127.0.0.1 on a free port. `registryEnv` and `gatewayEnv` override any variable (e.g.
 * `REDIS_URL` to run everything against another Redis server).
 */
export interface RunningGateway {
  app: GatewayApp;
  url: string;
  config: GatewayConfig;
}

export interface Stack {
  registry: RegistryHarness;
  gateways: RunningGateway[];
  /** Starts one more gateway on the same database and Redis namespace. */
  startGateway(env?: Record<string, string>): Promise<RunningGateway>;
  /** Closes the gateways, then the registry, and drops the database and the Redis namespace. */
  close(): Promise<void>;
}

export interface StackOptions {
  gateways?: number;
  registryEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export async function bootStack(options: StackOptions = {}): Promise<Stack> {
  const registry = await bootRegistry(options.registryEnv);
  const gateways: RunningGateway[] = [];
  const startGateway = async (env: Record<string, string> = {}): Promise<RunningGateway> => {
    const config = loadGatewayConfig({
      APP_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: registry.config.DATABASE_URL,
      REDIS_URL: registry.config.REDIS_URL,
      REDIS_PREFIX: registry.redisPrefix,
      ...options.gatewayEnv,
      ...env,
    });
    const app = await createGatewayApp(config);
    const gateway = { app, url: await app.listen(0, '127.0.0.1'), config };
    gateways.push(gateway);
    return gateway;
  };
  try {
    for (let i = 0; i < (options.gateways ?? 1); i++) await startGateway();
  } catch (err) {
    await Promise.all(gateways.map((g) => g.app.close()));
    await registry.close();
    throw err;
  }
  return {
    registry,
    gateways,
    startGateway,
    async close() {
      await Promise.all(gateways.map((g) => g.app.close()));
      await registry.close();
    },
  };
}

export interface IssuedApiKey {
  id: string;
  key: string;
  prefix: string;
  rate_limit_rpm: number;
}

/** Creates an API key through the registry's API (the caller must be an admin of the environment's workspace). */
export async function issueApiKey(stack: Stack, admin: SignedUp, environmentId: string, rateLimitRpm?: number): Promise<IssuedApiKey> {
  const res = await request(stack.registry.http)
    .post(`/api/v1/environments/${environmentId}/api-keys`)
    .set(admin.auth)
    .send({ name: 'test key', ...(rateLimitRpm === undefined ? {} : { rate_limit_rpm: rateLimitRpm }) });
  if (res.status !== 201) throw new Error(`creating an API key answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as IssuedApiKey;
}

/** Revokes an API key through the registry's API. */
export async function revokeApiKey(stack: Stack, admin: SignedUp, apiKeyId: string): Promise<void> {
  const res = await request(stack.registry.http).delete(`/api/v1/api-keys/${apiKeyId}`).set(admin.auth);
  if (res.status !== 204) throw new Error(`revoking an API key answered ${res.status}: ${JSON.stringify(res.body)}`);
}
