import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Raised when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);

/** The address a service listens on; unset means listenHost's default for APP_ENV. */
const host = z.string().regex(/^[0-9A-Za-z.:_-]{1,253}$/, 'must be an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0').optional();

/** Development listens on loopback only (nothing on the network reaches a dev login); elsewhere on all interfaces, as containers need. */
export function listenHost(config: { APP_ENV: string }, configured: string | undefined): string {
  return configured ?? (config.APP_ENV === 'development' ? '127.0.0.1' : '0.0.0.0');
}

const urlWithScheme = (schemes: string[], def: string) =>
  z
    .string()
    .default(def)
    .refine((v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    }, `must be a URL with scheme ${schemes.join(' or ')}`);

/** 32 bytes, given as 64 hex characters or base64. */
const encryptionKey = z
  .string()
  .transform((v, ctx) => {
    const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    if (buf.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex characters or base64' });
      return z.NEVER;
    }
    return buf;
  });

const jwtSecret = z.string().min(32, 'must be at least 32 characters');

const TRUST_PROXY_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;
const trustProxy = z
  .string()
  .default('false')
  .refine((v) => /^(true|false|\d{1,2})$/.test(v) || v.split(',').every((e) => TRUST_PROXY_ENTRY.test(e.trim())),
    'must be true, false, a hop count, or comma-separated addresses, subnets, loopback, linklocal or uniquelocal')
  .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v));

/** Where a password cost below production strength is allowed. */
export const PASSWORD_SCRYPT_N_MIN_OUTSIDE_TEST = 2 ** 17;

export const DEFAULT_DATABASE_URL = 'postgres://promptgate_app@127.0.0.1:5432/promptgate';
export const DEFAULT_DATABASE_OWNER_URL = 'postgres://postgres@127.0.0.1:5432/promptgate';

const base = {
  APP_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The services' role: owns nothing, may only read and append to audit_log (see databaseOwnerSchema). */
  DATABASE_URL: urlWithScheme(['postgres', 'postgresql'], DEFAULT_DATABASE_URL),
  REDIS_URL: urlWithScheme(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  /** Namespaces every Redis key, channel and BullMQ queue of one deployment. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . : -')
    .default('promptgate'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

const providerUrls = {
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  GOOGLE_BASE_URL: z.string().url().optional(),
  GROQ_BASE_URL: z.string().url().optional(),
  MISTRAL_BASE_URL: z.string().url().optional(),
};

export const registrySchema = z.object({
  ...base,
  REGISTRY_PORT: port(3000),
  REGISTRY_HOST: host,
  JWT_SECRET: jwtSecret,
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86400 * 30).default(3600),
  ENCRYPTION_KEY: encryptionKey,
  DEV_AUTH_BYPASS: bool(false),
  /** Defaults to false with APP_ENV=production (see loadRegistryConfig). */
  ALLOW_SIGNUP: bool(true),
  DEV_ADMIN_EMAIL: z.string().email().default('admin@promptgate.local'),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated seconds, e.g. 5,30,120')
    .default('5,30,120,600,3600,14400')
    .transform((v) => v.split(',').map(Number)),
  WEBHOOK_ALLOW_PRIVATE_URLS: bool(false),
  /** API.md: an attempt not answered within 10 s is a timeout, retried like a 5xx. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Failed logins from one client address (req.ip), across all emails, per window before `429`. */
  LOGIN_CLIENT_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(200),
  /** The login-failure window, per email (10 failures, API.md) and per client address. */
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** Express `trust proxy`: false (req.ip is the TCP peer), true, a hop count, or comma-separated addresses/subnets. */
  TRUST_PROXY: trustProxy,
  /** The dashboard's build (`npm run build:dashboard`), served at `/`; relative to the working directory. Without index.html there, `/` is a short page. */
  DASHBOARD_DIR: z.string().min(1).max(4096).default('dist/dashboard'),
  /** scrypt cost N for new password hashes (r=8, p=1); below 2^17 only with APP_ENV=test. */
  PASSWORD_SCRYPT_N: z.coerce.number().int().min(2 ** 10).max(2 ** 18)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
    .default(2 ** 17),
  /**
   * Connections of each registry's PostgreSQL pool; every request and eval result in flight holds
   * one while it queries. 10 measured best on 2 cores (bench:registry-writes); raise it with cores.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(10),
  /** eval.results jobs applied at once per registry; each holds a pool connection while it writes. */
  EVAL_RESULTS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** test.results jobs (one case's outcome each) applied at once per registry; each holds a pool connection while it writes. */
  TEST_RESULTS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * A queued or running test run that has received no case result for this many seconds, plus 2 s
   * per case still without one, is failed by the registry's sweeper (a lost job must not leave it running).
   */
  TEST_RUN_STALL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(120),
});

export const gatewaySchema = z.object({
  ...base,
  GATEWAY_PORT: port(8080),
  GATEWAY_HOST: host,
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  DATABASE_READ_URL: urlWithScheme(['postgres', 'postgresql'], '').optional().or(z.literal('')),
  /** MiB of each gateway's memory for its one cache: every environment's live and pinned versions and the API keys. */
  GATEWAY_CACHE_MB: z.coerce.number().int().min(1).max(65_536).default(256),
  /** Replaced by GATEWAY_CACHE_MB: still accepted (any value) so old deployments boot, and ignored with a warning. */
  PROMPT_CACHE_SIZE: z.string().optional(),
  API_KEY_CACHE_SIZE: z.string().optional(),
  /** How often a gateway reconciles its rate-limit counts with Redis. */
  RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  /** How often a gateway sends its serve counts to the serve.usage queue. */
  USAGE_FLUSH_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Names this gateway in usage jobs; defaults to host name and process id. */
  GATEWAY_ID: z.string().min(1).max(200).optional(),
});

export const workerSchema = z.object({
  ...base,
  WORKER_HEALTH_PORT: port(8090),
  WORKER_HEALTH_HOST: host,
  ENCRYPTION_KEY: encryptionKey,
  EVAL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  JUDGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(60000),
  /** Calls per judge eval before a rate limit, 5xx, timeout or connection failure fails it. */
  JUDGE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** First backoff between judge calls; doubles each attempt, with jitter, up to JUDGE_RETRY_MAX_MS. */
  JUDGE_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60000).default(1000),
  JUDGE_RETRY_MAX_MS: z.coerce.number().int().min(0).max(300000).default(30000),
  /** BullMQ lock on an eval in hand; a killed worker's eval goes to another worker once it lapses. */
  EVAL_LOCK_MS: z.coerce.number().int().min(500).max(600000).default(30000),
  /** Test cases one worker runs at a time (all runs together). */
  TEST_CASE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Cases of one test run in hand at a time across all workers; a case over the bound waits, delayed, for a slot. */
  TEST_RUN_MAX_PARALLEL: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * One provider call of a test case (an answer or the judge). With TEST_CALL_MAX_ATTEMPTS and the
   * JUDGE_RETRY_* backoff, a provider that never answers fails a case in about 30 s x 3 + 1 s + 2 s = 93 s,
   * and the run's other cases at once after it (apps/eval-worker/src/test-runs), inside the 2 minutes a run may take to fail.
   */
  TEST_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(30000),
  /** Calls per provider request of a case before a rate limit, 5xx, timeout or connection failure fails the case. */
  TEST_CALL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** BullMQ lock on a case in hand, and the lease of its run slot; a killed worker's case is taken up again once it lapses. */
  TEST_LOCK_MS: z.coerce.number().int().min(500).max(600000).default(30000),
  /** max_tokens of an answer when the version's config sets none (Anthropic requires one). */
  TEST_ANSWER_MAX_TOKENS: z.coerce.number().int().min(1).max(200000).default(4096),
  ...providerUrls,
  // The worker never reads the database (its jobs carry what it needs); an old env file's DATABASE_URL is ignored.
}).omit({ DATABASE_URL: true });

/**
 * `npm run migrate` and `npm start`'s database step: DATABASE_OWNER_URL owns the schema and runs
 * migrations, then makes sure DATABASE_URL's role exists with exactly the services' grants.
 */
export const databaseOwnerSchema = z.object({
  APP_ENV: base.APP_ENV,
  DATABASE_URL: base.DATABASE_URL,
  DATABASE_OWNER_URL: urlWithScheme(['postgres', 'postgresql'], DEFAULT_DATABASE_OWNER_URL),
});

export type RegistryConfig = z.infer<typeof registrySchema>;
export type GatewayConfig = z.infer<typeof gatewaySchema>;
export type WorkerConfig = z.infer<typeof workerSchema>;
export type DatabaseOwnerConfig = z.infer<typeof databaseOwnerSchema>;

type Env = Record<string, string | undefined>;

/** Secrets that may instead be given as `<NAME>_FILE`, a path whose content is the value (Docker secrets). */
export const FILE_VARIABLES = [
  'DATABASE_URL', 'DATABASE_OWNER_URL', 'DATABASE_READ_URL', 'DATABASE_PASSWORD', 'DATABASE_OWNER_PASSWORD',
  'REDIS_URL', 'JWT_SECRET', 'ENCRYPTION_KEY',
] as const;

/** A password given apart from its URL, so the URL can sit in docker-compose.yml and the password in an env_file or secret. */
export const URL_PASSWORDS = { DATABASE_PASSWORD: 'DATABASE_URL', DATABASE_OWNER_PASSWORD: 'DATABASE_OWNER_URL' } as const;

function shapeOf(schema: z.ZodTypeAny): Record<string, z.ZodTypeAny> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodTypeAny>) : {};
}

/** Every variable a schema's parse reads: its own, the `*_FILE` variants and the separate passwords. */
export function knownVariables(schema: z.ZodTypeAny): string[] {
  const own = Object.keys(shapeOf(schema));
  const passwords = Object.entries(URL_PASSWORDS).filter(([, url]) => own.includes(url)).map(([name]) => name);
  const names = [...own, ...passwords];
  return [...names, ...names.filter((n) => (FILE_VARIABLES as readonly string[]).includes(n)).map((n) => `${n}_FILE`)];
}

/** Replaces each `<NAME>_FILE` the schema reads by the file's content, less one trailing newline. */
function readFileVariables(names: string[], env: Env, problems: string[]): void {
  for (const name of names) {
    if (!(FILE_VARIABLES as readonly string[]).includes(name)) continue;
    const path = env[`${name}_FILE`];
    if (path === undefined) continue;
    delete env[`${name}_FILE`];
    if (env[name] !== undefined) {
      problems.push(`${name} and ${name}_FILE are both set: set one`);
      continue;
    }
    try {
      const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      if (value !== '') env[name] = value;
    } catch (err) {
      problems.push(`${name}_FILE=${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
}

/** Puts DATABASE_PASSWORD into DATABASE_URL (and the owner's likewise), percent-encoded, so any password fits. */
function insertUrlPasswords(shape: Record<string, z.ZodTypeAny>, env: Env, problems: string[]): void {
  for (const [name, urlName] of Object.entries(URL_PASSWORDS)) {
    const password = env[name];
    delete env[name];
    if (password === undefined || !shape[urlName]) continue;
    const given = env[urlName] ?? shape[urlName].safeParse(undefined).data;
    let url: URL;
    try {
      url = new URL(String(given));
    } catch {
      continue; // the schema names the bad URL
    }
    if (url.password !== '') {
      problems.push(`${name} and a password in ${urlName} are both set: set one`);
      continue;
    }
    url.password = encodeURIComponent(password);
    env[urlName] = url.toString();
  }
}

/**
 * Parses env against a schema; empty strings count as unset; `<NAME>_FILE` and the separate database
 * passwords are resolved first. Throws ConfigError naming each bad variable.
 */
export function parseConfig<S extends z.ZodTypeAny>(schema: S, env: Env): z.infer<S> {
  const cleaned: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const shape = shapeOf(schema);
  const early: string[] = [];
  readFileVariables(knownVariables(schema), cleaned, early);
  insertUrlPasswords(shape, cleaned, early);
  if (early.length > 0) throw new ConfigError(early);
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const name = i.path.join('.') || '(environment)';
      const msg = i.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : i.message;
      return `${name} ${msg}`;
    });
    throw new ConfigError(problems);
  }
  return result.data;
}

export const GENERATED_SECRETS = ['JWT_SECRET', 'ENCRYPTION_KEY'] as const;

/**
 * In development only: loads `.env` (if any) into process.env without overriding what is set, then
 * generates the secrets that are still missing and appends them to `.env` so they survive restarts.
 * APP_ENV is taken from the real environment before anything is read, so a production (or test)
 * process never reads `.env`: its validation then names what is missing.
 */
export function prepareEnvironment(env: NodeJS.ProcessEnv = process.env, dotenvPath = resolve(process.cwd(), '.env')): string[] {
  if ((env.APP_ENV || 'development') !== 'development') return [];
  if (existsSync(dotenvPath)) {
    for (const line of readFileSync(dotenvPath, 'utf8').split(/\r?\n/)) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (!m || line.trimStart().startsWith('#')) continue;
      const value = m[2].replace(/^(['"])(.*)\1$/, '$2');
      // .env was read because APP_ENV is development; letting it say otherwise would be read too late.
      if (m[1] === 'APP_ENV' && value !== '' && value !== 'development') {
        throw new ConfigError([`APP_ENV=${value} in ${dotenvPath}: .env is read only in development, so set APP_ENV in the environment`]);
      }
      if (env[m[1]] === undefined) env[m[1]] = value;
    }
  }
  const generated: string[] = [];
  const lines: string[] = [];
  for (const name of GENERATED_SECRETS) {
    if (env[name]) continue;
    const value = randomBytes(32).toString(name === 'ENCRYPTION_KEY' ? 'hex' : 'base64url');
    env[name] = value;
    lines.push(`${name}=${value}`);
    generated.push(name);
  }
  if (lines.length > 0) {
    const header = existsSync(dotenvPath) ? '' : '# Generated by Promptgate for local development. Never commit this file.\n';
    if (header) writeFileSync(dotenvPath, header, { mode: 0o600 });
    appendFileSync(dotenvPath, lines.join('\n') + '\n', { mode: 0o600 });
  }
  return generated;
}

export function loadRegistryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  // Production opens signup only when asked: its first administrator comes from scripts/create-admin.
  const signupDefault = env.APP_ENV === 'production' && !env.ALLOW_SIGNUP ? { ALLOW_SIGNUP: 'false' } : {};
  const config = parseConfig(registrySchema, { ...env, ...signupDefault });
  if (config.APP_ENV !== 'test' && config.PASSWORD_SCRYPT_N < PASSWORD_SCRYPT_N_MIN_OUTSIDE_TEST) {
    throw new ConfigError([`PASSWORD_SCRYPT_N must be at least ${PASSWORD_SCRYPT_N_MIN_OUTSIDE_TEST} unless APP_ENV=test`]);
  }
  if (config.EVAL_RESULTS_CONCURRENCY >= config.DATABASE_POOL_SIZE) {
    // Results that hold every connection leave none for requests.
    throw new ConfigError([`EVAL_RESULTS_CONCURRENCY (${config.EVAL_RESULTS_CONCURRENCY}) must be below DATABASE_POOL_SIZE (${config.DATABASE_POOL_SIZE})`]);
  }
  return config;
}
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseConfig(gatewaySchema, env);
}
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseConfig(workerSchema, env);
}
