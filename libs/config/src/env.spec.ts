import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, databaseOwnerSchema, gatewaySchema, knownVariables, loadGatewayConfig, loadRegistryConfig, loadWorkerConfig, parseConfig, prepareEnvironment,
  workerSchema,
} from './env.js';

const KEY = 'ab'.repeat(32);
const SECRET = 's'.repeat(40);

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadRegistryConfig({ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY });
    expect(c).toMatchObject({
      APP_ENV: 'development', REGISTRY_PORT: 3000, DEV_AUTH_BYPASS: false, ALLOW_SIGNUP: true,
      DATABASE_URL: 'postgres://promptgate_app@127.0.0.1:5432/promptgate', REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(parseConfig(databaseOwnerSchema, {})).toEqual({
      APP_ENV: 'development',
      DATABASE_URL: 'postgres://promptgate_app@127.0.0.1:5432/promptgate',
      DATABASE_OWNER_URL: 'postgres://postgres@127.0.0.1:5432/promptgate',
    });
    expect(c.ENCRYPTION_KEY).toHaveLength(32);
    expect(c.WEBHOOK_RETRY_SCHEDULE).toEqual([5, 30, 120, 600, 3600, 14400]);
    expect(c.EVAL_RESULTS_CONCURRENCY).toBe(8);
    expect(c.DATABASE_POOL_SIZE).toBe(10);
    expect(loadRegistryConfig({ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, DATABASE_POOL_SIZE: '40' }).DATABASE_POOL_SIZE).toBe(40);
    expect(loadRegistryConfig({ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, EVAL_RESULTS_CONCURRENCY: '16', DATABASE_POOL_SIZE: '20' }).EVAL_RESULTS_CONCURRENCY).toBe(16);
    expect(c.TEST_RESULTS_CONCURRENCY).toBe(4);
    expect(c.TEST_RUN_STALL_SECONDS).toBe(120);
    expect(loadGatewayConfig({})).toMatchObject({ GATEWAY_PORT: 8080, CACHE_TTL_SECONDS: 30 });
    expect(loadWorkerConfig({ ENCRYPTION_KEY: KEY })).toMatchObject({
      WORKER_HEALTH_PORT: 8090, EVAL_LOCK_MS: 30000, JUDGE_TIMEOUT_MS: 60000, JUDGE_MAX_ATTEMPTS: 3, JUDGE_RETRY_BASE_MS: 1000, JUDGE_RETRY_MAX_MS: 30000,
    });
    expect(() => loadWorkerConfig({ ENCRYPTION_KEY: KEY, JUDGE_MAX_ATTEMPTS: '0' })).toThrow(/JUDGE_MAX_ATTEMPTS/);
    expect(() => loadWorkerConfig({ ENCRYPTION_KEY: KEY, EVAL_LOCK_MS: '10' })).toThrow(/EVAL_LOCK_MS/);
  });

  it.each([
    [{ JWT_SECRET: SECRET }, 'ENCRYPTION_KEY is required'],
    [{ ENCRYPTION_KEY: KEY }, 'JWT_SECRET is required'],
    [{ JWT_SECRET: 'short', ENCRYPTION_KEY: KEY }, 'JWT_SECRET must be at least 32 characters'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: 'abcd' }, 'ENCRYPTION_KEY must be 32 bytes'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, REGISTRY_PORT: 'eighty' }, 'REGISTRY_PORT'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL must be a URL with scheme postgres or postgresql'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, APP_ENV: 'prod' }, 'APP_ENV'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, WEBHOOK_RETRY_SCHEDULE: '5,x' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, EVAL_RESULTS_CONCURRENCY: '0' }, 'EVAL_RESULTS_CONCURRENCY'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, EVAL_RESULTS_CONCURRENCY: '65' }, 'EVAL_RESULTS_CONCURRENCY'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, EVAL_RESULTS_CONCURRENCY: '2.5' }, 'EVAL_RESULTS_CONCURRENCY'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, DATABASE_POOL_SIZE: '1' }, 'DATABASE_POOL_SIZE'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, DATABASE_POOL_SIZE: 'many' }, 'DATABASE_POOL_SIZE'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, DATABASE_POOL_SIZE: '10', EVAL_RESULTS_CONCURRENCY: '10' }, 'EVAL_RESULTS_CONCURRENCY (10) must be below DATABASE_POOL_SIZE (10)'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, TEST_RESULTS_CONCURRENCY: '0' }, 'TEST_RESULTS_CONCURRENCY'],
    [{ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, TEST_RUN_STALL_SECONDS: '5' }, 'TEST_RUN_STALL_SECONDS'],
  ])('refuses %j naming the variable', (env, expected) => {
    expect(problemsOf(() => loadRegistryConfig(env)).join('\n')).toContain(expected);
  });

  it('bounds the gateway cache in MiB, accepting the old entry-count variables as ignored', () => {
    expect(loadGatewayConfig({})).toMatchObject({ GATEWAY_CACHE_MB: 256 });
    expect(loadGatewayConfig({})).not.toHaveProperty('PROMPT_CACHE_SIZE');
    expect(loadGatewayConfig({ GATEWAY_CACHE_MB: '64', PROMPT_CACHE_SIZE: '10000', API_KEY_CACHE_SIZE: '5' }))
      .toMatchObject({ GATEWAY_CACHE_MB: 64, PROMPT_CACHE_SIZE: '10000', API_KEY_CACHE_SIZE: '5' });
    expect(() => loadGatewayConfig({ GATEWAY_CACHE_MB: '0' })).toThrow(/GATEWAY_CACHE_MB/);
    expect(() => loadGatewayConfig({ GATEWAY_CACHE_MB: 'lots' })).toThrow(/GATEWAY_CACHE_MB/);
  });

  it('treats an empty value as unset', () => {
    expect(problemsOf(() => loadRegistryConfig({ JWT_SECRET: '', ENCRYPTION_KEY: KEY }))).toEqual(['JWT_SECRET is required']);
  });

  it('in development generates missing secrets into .env once, and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-env-'));
    const file = join(dir, '.env');
    const env: NodeJS.ProcessEnv = {};
    expect(prepareEnvironment(env, file)).toEqual(['JWT_SECRET', 'ENCRYPTION_KEY']);
    expect(() => loadRegistryConfig(env)).not.toThrow();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again: NodeJS.ProcessEnv = {};
    expect(prepareEnvironment(again, file)).toEqual([]);
    expect(again.JWT_SECRET).toBe(env.JWT_SECRET);
    expect(again.ENCRYPTION_KEY).toBe(env.ENCRYPTION_KEY);
  });

  it('does not override variables already set, and ignores comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, `# comment\nREGISTRY_PORT=4000\nJWT_SECRET="${SECRET}"\n`);
    const env: NodeJS.ProcessEnv = { REGISTRY_PORT: '5000' };
    prepareEnvironment(env, file);
    expect(env.REGISTRY_PORT).toBe('5000');
    expect(env.JWT_SECRET).toBe(SECRET);
    expect(readFileSync(file, 'utf8')).toContain('ENCRYPTION_KEY=');
  });

  it.each(['production', 'test'])('with APP_ENV=%s in the environment never reads .env', (appEnv) => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, `DATABASE_URL=postgres://postgres@127.0.0.1:5432/from_dotenv\nJWT_SECRET=${SECRET}\n`);
    const env: NodeJS.ProcessEnv = { APP_ENV: appEnv };
    expect(prepareEnvironment(env, file)).toEqual([]);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.JWT_SECRET).toBeUndefined();
    expect(readFileSync(file, 'utf8')).not.toContain('ENCRYPTION_KEY');
  });

  it('reads .env when APP_ENV is development or unset in the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, `DATABASE_URL=postgres://postgres@127.0.0.1:5432/from_dotenv\nAPP_ENV=development\n`);
    for (const env of [{ APP_ENV: 'development' }, {}] as NodeJS.ProcessEnv[]) {
      prepareEnvironment(env, file);
      expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/from_dotenv');
    }
  });

  it('refuses a .env that names another APP_ENV, as it would be read too late to matter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, `APP_ENV=production\nJWT_SECRET=${SECRET}\n`);
    const env: NodeJS.ProcessEnv = {};
    expect(problemsOf(() => prepareEnvironment(env, file))[0]).toMatch(/^APP_ENV=production in .*\.env: \.env is read only in development/);
    expect(env.JWT_SECRET).toBeUndefined();
  });

  it('in production generates nothing, so a missing secret stops the service', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-env-'));
    const env: NodeJS.ProcessEnv = { APP_ENV: 'production' };
    expect(prepareEnvironment(env, join(dir, '.env'))).toEqual([]);
    expect(problemsOf(() => loadRegistryConfig(env))).toEqual(['JWT_SECRET is required', 'ENCRYPTION_KEY is required']);
  });
});

describe('secrets from files and separate database passwords', () => {
  function secretFile(content: string): string {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-secret-')), 'secret');
    writeFileSync(file, content, { mode: 0o600 });
    return file;
  }

  it('reads JWT_SECRET_FILE and ENCRYPTION_KEY_FILE, dropping one trailing newline only', () => {
    const c = loadRegistryConfig({ JWT_SECRET_FILE: secretFile(`${SECRET} \n`), ENCRYPTION_KEY_FILE: secretFile(`${KEY}\r\n`) });
    expect(c.JWT_SECRET).toBe(`${SECRET} `);
    expect(c.ENCRYPTION_KEY).toEqual(Buffer.from(KEY, 'hex'));
    expect(loadWorkerConfig({ ENCRYPTION_KEY_FILE: secretFile(KEY) }).ENCRYPTION_KEY).toEqual(Buffer.from(KEY, 'hex'));
  });

  it('validates a value read from a file like one given directly', () => {
    expect(problemsOf(() => loadRegistryConfig({ JWT_SECRET_FILE: secretFile('short\n'), ENCRYPTION_KEY: KEY })))
      .toEqual(['JWT_SECRET must be at least 32 characters']);
    expect(problemsOf(() => loadRegistryConfig({ JWT_SECRET_FILE: secretFile('\n'), ENCRYPTION_KEY: KEY })))
      .toEqual(['JWT_SECRET is required']);
  });

  it('refuses a variable given both directly and as a file, naming both', () => {
    expect(problemsOf(() => loadRegistryConfig({ JWT_SECRET: SECRET, JWT_SECRET_FILE: secretFile(SECRET), ENCRYPTION_KEY: KEY })))
      .toEqual(['JWT_SECRET and JWT_SECRET_FILE are both set: set one']);
  });

  it('names an unreadable file without showing any content', () => {
    const missing = join(tmpdir(), 'pg-no-such-secret', 'jwt');
    expect(problemsOf(() => loadRegistryConfig({ JWT_SECRET_FILE: missing, ENCRYPTION_KEY: KEY })))
      .toEqual([`JWT_SECRET_FILE=${missing} cannot be read (ENOENT)`]);
  });

  it('reads the database and Redis URLs from files', () => {
    const url = 'postgres://promptgate_app:pw@db:5432/promptgate';
    expect(loadGatewayConfig({ DATABASE_URL_FILE: secretFile(`${url}\n`), REDIS_URL_FILE: secretFile('redis://:pw@cache:6379') }))
      .toMatchObject({ DATABASE_URL: url, REDIS_URL: 'redis://:pw@cache:6379' });
    expect(parseConfig(databaseOwnerSchema, { DATABASE_OWNER_URL_FILE: secretFile('postgres://postgres:o@db/promptgate') }).DATABASE_OWNER_URL)
      .toBe('postgres://postgres:o@db/promptgate');
  });

  it('puts DATABASE_PASSWORD and DATABASE_OWNER_PASSWORD into their URLs, percent-encoded', () => {
    const c = parseConfig(databaseOwnerSchema, {
      DATABASE_URL: 'postgres://promptgate_app@postgres:5432/promptgate', DATABASE_PASSWORD: 'a/b@c:d%',
      DATABASE_OWNER_URL: 'postgres://postgres@postgres:5432/promptgate', DATABASE_OWNER_PASSWORD_FILE: secretFile('owner pw\n'),
    });
    expect(c.DATABASE_URL).toBe('postgres://promptgate_app:a%2Fb%40c%3Ad%25@postgres:5432/promptgate');
    expect(decodeURIComponent(new URL(c.DATABASE_URL).password)).toBe('a/b@c:d%');
    expect(c.DATABASE_OWNER_URL).toBe('postgres://postgres:owner%20pw@postgres:5432/promptgate');
    expect(loadGatewayConfig({ DATABASE_PASSWORD: 'pw' }).DATABASE_URL)
      .toBe('postgres://promptgate_app:pw@127.0.0.1:5432/promptgate');
  });

  it('gives the eval worker no database settings, and still starts it from an old env file that sets them', () => {
    expect(knownVariables(workerSchema).filter((v) => v.startsWith('DATABASE_'))).toEqual([]);
    const c = loadWorkerConfig({ ENCRYPTION_KEY: KEY, DATABASE_URL: 'postgres://promptgate_app@postgres:5432/promptgate', DATABASE_PASSWORD: 'pw' });
    expect(Object.keys(c).filter((v) => v.startsWith('DATABASE_'))).toEqual([]);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(Object.keys(loadWorkerConfig({ ENCRYPTION_KEY: KEY, DATABASE_URL_FILE: '/nonexistent/url' }))).not.toContain('DATABASE_URL');
  });

  it('refuses a separate password for a URL that already has one', () => {
    expect(problemsOf(() => loadGatewayConfig({ DATABASE_URL: 'postgres://u:p@h/d', DATABASE_PASSWORD: 'q' })))
      .toEqual(['DATABASE_PASSWORD and a password in DATABASE_URL are both set: set one']);
  });

  it('resolves only what the service reads: the owner password file is no concern of the registry', () => {
    const c = loadRegistryConfig({ JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY, DATABASE_OWNER_PASSWORD_FILE: '/nonexistent/owner' });
    expect(c.DATABASE_URL).toBe('postgres://promptgate_app@127.0.0.1:5432/promptgate');
    expect(c).not.toHaveProperty('DATABASE_OWNER_URL');
  });

  it('lists every variable a schema reads, including the file variants', () => {
    expect(knownVariables(databaseOwnerSchema).sort()).toEqual([
      'APP_ENV', 'DATABASE_OWNER_PASSWORD', 'DATABASE_OWNER_PASSWORD_FILE', 'DATABASE_OWNER_URL', 'DATABASE_OWNER_URL_FILE',
      'DATABASE_PASSWORD', 'DATABASE_PASSWORD_FILE', 'DATABASE_URL', 'DATABASE_URL_FILE',
    ]);
    expect(knownVariables(gatewaySchema)).toEqual(expect.arrayContaining(['GATEWAY_PORT', 'DATABASE_READ_URL_FILE', 'REDIS_URL_FILE', 'DATABASE_PASSWORD']));
    expect(knownVariables(gatewaySchema)).not.toContain('JWT_SECRET_FILE');
  });
});

describe('ALLOW_SIGNUP', () => {
  it.each([
    ['development', undefined, true],
    ['test', undefined, true],
    ['production', undefined, false],
    ['production', '', false],
    ['production', 'true', true],
    ['development', 'false', false],
  ])('with APP_ENV=%s and ALLOW_SIGNUP=%j is %s', (appEnv, allow, expected) => {
    expect(loadRegistryConfig({ APP_ENV: appEnv, ALLOW_SIGNUP: allow, JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY }).ALLOW_SIGNUP).toBe(expected);
  });
});
