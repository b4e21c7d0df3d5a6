import { randomBytes } from 'node:crypto';
import { loadRegistryConfig, type RegistryConfig } from '#config';
import { databaseUrl } from './measure.js';

/** A bench's own database and Redis namespace, so no run sees another's data; both are dropped at the end. */
export interface Throwaway {
  url: string;
  redisPrefix: string;
  /** A quiet test-mode registry on them, with fresh secrets; `env` adds or overrides variables. */
  registryConfig: (env?: Record<string, string>) => RegistryConfig;
}

export function throwaway(): Throwaway {
  const url = databaseUrl(`promptgate_bench_${randomBytes(5).toString('hex')}`);
  const redisPrefix = `pgbench_${randomBytes(5).toString('hex')}`;
  return {
    url,
    redisPrefix,
    registryConfig: (env = {}) => loadRegistryConfig({
      ...process.env, APP_ENV: 'test', DATABASE_URL: url, REDIS_PREFIX: redisPrefix,
      JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent', ...env,
    }),
  };
}

/** Runs a bench's main and exits 0, or prints the error and exits 1 (child processes and pools never keep it alive). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
