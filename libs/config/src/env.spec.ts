import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, databaseOwnerSchema, loadGatewayConfig, loadRegistryConfig, loadWorkerConfig, parseConfig, prepareEnvironment } from './env.js';

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
  ])('refuses %j naming the variable', (env, expected) => {
    expect(problemsOf(() => loadRegistryConfig(env)).join('\n')).toContain(expected);
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
