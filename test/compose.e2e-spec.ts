import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import {
  ConfigError, databaseOwnerSchema, gatewaySchema, knownVariables, loadGatewayConfig, loadRegistryConfig, loadWorkerConfig,
  parseConfig, registrySchema, workerSchema,
} from '#config';
import { ROOT } from './support/build.js';

/**
 * docker-compose.yml checked without a Docker engine: parsed as Compose does (YAML merge keys,
 * ${VAR:-default} interpolation, env_file under environment), then each service's command,
 * variables, secrets, dependencies and ports are held against the config schemas and the README.
 */
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  env_file?: Array<{ path: string; required: boolean }>;
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

const COMPOSE_TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const EXAMPLE_PATH = 'deploy/promptgate.env.example';
const ENV_FILE = 'deploy/promptgate.env';
const EXAMPLE_TEXT = readFileSync(join(ROOT, EXAMPLE_PATH), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCKER_SECTION = README.slice(README.indexOf('## Running with Docker'), README.indexOf('\n## ', README.indexOf('## Running with Docker') + 1));

/** The host-port variables, the only ${...} in the file, with the defaults the README states. */
const HOST_PORTS = { POSTGRES_HOST_PORT: '55432', REDIS_HOST_PORT: '56379', REGISTRY_HOST_PORT: '3000', GATEWAY_HOST_PORT: '8080' };

/** Compose's interpolation of every string value, for the forms the file may use; any other form fails the test. */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]*)\}/g, (_, expr: string) => {
      const m = /^([A-Z_][A-Z0-9_]*)(?::-(.*))?$/.exec(expr);
      if (!m) throw new Error(`\${${expr}}: only \${NAME} and \${NAME:-default} are allowed (a required form breaks every \`up\`)`);
      return env[m[1]] || (m[2] ?? '');
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

function compose(env: Record<string, string> = {}): Record<string, Service> {
  const doc = interpolate(load(COMPOSE_TEXT, { schema: CORE_SCHEMA.withTags(mergeTag) }), env) as { services: Record<string, Service> };
  return doc.services;
}

/** An env_file as Compose reads it: NAME=value lines; whole-line comments, and ` #` comments after unquoted values. */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/\s+#.*$/, '').trim();
  }
  return out;
}

const APPS = {
  migrate: { schema: databaseOwnerSchema, load: (env: NodeJS.ProcessEnv) => parseConfig(databaseOwnerSchema, env) },
  registry: { schema: registrySchema, load: loadRegistryConfig },
  gateway: { schema: gatewaySchema, load: loadGatewayConfig },
  'eval-worker': { schema: workerSchema, load: loadWorkerConfig },
} as const;
type AppName = keyof typeof APPS;
const APP_NAMES = Object.keys(APPS) as AppName[];

/** The secrets of the env file: its uncommented NAME= lines. */
const SECRETS = Object.keys(parseEnvFile(EXAMPLE_TEXT));

/** The env file the README's one-liner writes, in a scratch copy of the repository's deploy/. */
function envFileFromReadme(): { dir: string; file: string; run: () => void } {
  const block = /```sh\n(\[ -e deploy\/promptgate\.env \][^\n]*)\n```/.exec(DOCKER_SECTION);
  if (!block) throw new Error('README "Running with Docker" has no one-liner that creates deploy/promptgate.env');
  const dir = mkdtempSync(join(tmpdir(), 'pg-compose-'));
  mkdirSync(join(dir, 'deploy'));
  copyFileSync(join(ROOT, EXAMPLE_PATH), join(dir, EXAMPLE_PATH));
  return { dir, file: join(dir, ENV_FILE), run: () => execFileSync('bash', ['-euo', 'pipefail', '-c', block[1]], { cwd: dir }) };
}

/** What a service's process sees: the env file, then the service's environment over it. */
function effectiveEnv(service: Service, envFile: Record<string, string>): Record<string, string> {
  const fromFile = service.env_file?.some((f) => f.path === ENV_FILE) ? envFile : {};
  const own = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
  return { ...fromFile, ...own };
}

const services = compose();

describe('docker-compose.yml', () => {
  it('interpolates only host ports, each with a default, so `up -d postgres redis` needs no secret', () => {
    const names = [...COMPOSE_TEXT.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]);
    expect([...new Set(names)].sort()).toEqual(Object.keys(HOST_PORTS).sort());
    expect(() => compose()).not.toThrow();
    expect(COMPOSE_TEXT).not.toMatch(/\$\{[^}]*:?\?/);
  });

  it('has the services it documents, each built from this repository or a pinned major image', () => {
    expect(Object.keys(services).sort()).toEqual(['eval-worker', 'gateway', 'migrate', 'postgres', 'redis', 'registry']);
    expect(services.postgres.image).toBe('postgres:16');
    expect(services.redis.image).toBe('redis:7');
    for (const name of APP_NAMES) expect(services[name]).toMatchObject({ build: '.', image: 'promptgate:local' });
    expect(services.migrate.restart).toBe('no');
  });

  it.each(APP_NAMES)('%s runs a file `npm run build` produces', (name) => {
    const command = services[name].command!;
    expect(command[0]).toBe('node');
    expect(command[1]).toMatch(/^dist\/.+\.js$/);
    expect(existsSync(join(ROOT, command[1]))).toBe(true);
    expect(existsSync(join(ROOT, command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it.each(APP_NAMES)('%s sets only variables its config reads, or blanks a secret of the env file', (name) => {
    const known = knownVariables(APPS[name].schema);
    for (const [variable, value] of Object.entries(services[name].environment!)) {
      if (known.includes(variable)) continue;
      expect({ variable, value, isSecret: SECRETS.includes(variable) }).toEqual({ variable, value: '', isSecret: true });
    }
  });

  it.each(APP_NAMES)('every variable %s reads is set here or documented in the example env file', (name) => {
    const documented = new Set(EXAMPLE_TEXT.match(/[A-Z][A-Z0-9_]{2,}/g));
    const missing = Object.keys(APPS[name].schema.shape)
      .filter((v) => !(v in services[name].environment!) && !documented.has(v));
    expect(missing).toEqual([]);
  });

  it('reads settings and secrets from the git-ignored env file, never ./.env, and it need not exist for postgres and redis', () => {
    for (const name of [...APP_NAMES, 'postgres']) expect(services[name].env_file).toEqual([{ path: ENV_FILE, required: false }]);
    expect(services.redis.env_file).toBeUndefined();
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain(ENV_FILE);
    expect(SECRETS.sort()).toEqual(['DATABASE_OWNER_PASSWORD', 'DATABASE_PASSWORD', 'ENCRYPTION_KEY', 'JWT_SECRET', 'POSTGRES_PASSWORD']);
    for (const secret of SECRETS) expect(parseEnvFile(EXAMPLE_TEXT)[secret]).toBe('');
  });

  it("the README's one-liner writes the env file once, and never again", () => {
    const scratch = envFileFromReadme();
    scratch.run();
    const first = readFileSync(scratch.file, 'utf8');
    expect(statSync(scratch.file).mode & 0o077).toBe(0);
    scratch.run();
    expect(readFileSync(scratch.file, 'utf8')).toBe(first);
    const env = parseEnvFile(first);
    for (const secret of SECRETS) expect(env[secret]).toMatch(/^\S{32,}$/);
    expect(env.POSTGRES_PASSWORD).toBe(env.DATABASE_OWNER_PASSWORD);
    expect(env.DATABASE_PASSWORD).not.toBe(env.POSTGRES_PASSWORD);
  });

  it.each(APP_NAMES)('%s starts in production from that env file: every required variable is provided', (name) => {
    const scratch = envFileFromReadme();
    scratch.run();
    const env = effectiveEnv(services[name], parseEnvFile(readFileSync(scratch.file, 'utf8')));
    expect(env.APP_ENV).toBe('production');
    const config = APPS[name].load(env) as { DATABASE_URL?: string; REDIS_URL?: string };
    // The eval worker never reads the database.
    if (name === 'eval-worker') expect(config.DATABASE_URL).toBeUndefined();
    else expect(new URL(config.DATABASE_URL!)).toMatchObject({ username: 'promptgate_app', password: env.DATABASE_PASSWORD, host: 'postgres:5432' });
    if (name !== 'migrate') expect(config.REDIS_URL).toBe('redis://redis:6379');
    if (name === 'migrate') {
      expect(new URL(parseConfig(databaseOwnerSchema, env).DATABASE_OWNER_URL))
        .toMatchObject({ username: 'postgres', password: env.DATABASE_OWNER_PASSWORD, host: 'postgres:5432' });
    }
    if (name === 'registry') expect((config as unknown as { ALLOW_SIGNUP: boolean }).ALLOW_SIGNUP).toBe(false);
  });

  it.each(['registry', 'gateway', 'eval-worker'] as const)('%s without the env file names what is missing', (name) => {
    const env = effectiveEnv(services[name], {});
    if (name === 'gateway') {
      expect(() => APPS[name].load(env)).not.toThrow();
      return;
    }
    let problems: string[] = [];
    try {
      APPS[name].load(env);
    } catch (e) {
      if (e instanceof ConfigError) problems = e.problems;
    }
    expect(problems).toContain('ENCRYPTION_KEY is required');
  });

  it('gives each secret only to the services that read it: the owner password to postgres and migrate alone', () => {
    const scratch = envFileFromReadme();
    scratch.run();
    const file = parseEnvFile(readFileSync(scratch.file, 'utf8'));
    const holders = Object.fromEntries(SECRETS.map((secret) => [secret, Object.keys(services)
      .filter((name) => effectiveEnv(services[name], file)[secret]).sort()]));
    expect(holders).toEqual({
      POSTGRES_PASSWORD: ['postgres'],
      DATABASE_OWNER_PASSWORD: ['migrate'],
      DATABASE_PASSWORD: ['gateway', 'migrate', 'registry'],
      JWT_SECRET: ['registry'],
      ENCRYPTION_KEY: ['eval-worker', 'registry'],
    });
    for (const name of APP_NAMES) {
      for (const secret of SECRETS) {
        expect({ name, secret, holds: holders[secret].includes(name) })
          .toEqual({ name, secret, holds: knownVariables(APPS[name].schema).includes(secret) });
      }
      expect(String(services[name].environment!.DATABASE_URL)).not.toMatch(/:[^/@]*@/);
    }
    expect(services.migrate.environment!.DATABASE_OWNER_URL).toBe('postgres://postgres@postgres:5432/promptgate');
  });

  it('starts the services after the migration completed and Redis is healthy, the migration after PostgreSQL is', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency]).toBeDefined();
        if (condition === 'service_healthy') expect(services[dependency].healthcheck).toBeDefined();
        expect({ name, dependency, condition }).toEqual({
          name, dependency, condition: dependency === 'migrate' ? 'service_completed_successfully' : 'service_healthy',
        });
      }
    }
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['registry', 'gateway', 'eval-worker']) {
      expect(services[name].depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' },
      });
    }
  });

  it('probes each service on the port its environment gives it', () => {
    const ports = { registry: 'REGISTRY_PORT', gateway: 'GATEWAY_PORT', 'eval-worker': 'WORKER_HEALTH_PORT' } as const;
    for (const [name, variable] of Object.entries(ports)) {
      expect(services[name].healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${services[name].environment![variable]}/ready`);
    }
  });

  it('publishes the ports the README documents: the databases on loopback, away from a local PostgreSQL and Redis', () => {
    expect(services.postgres.ports).toEqual([`127.0.0.1:${HOST_PORTS.POSTGRES_HOST_PORT}:5432`]);
    expect(services.redis.ports).toEqual([`127.0.0.1:${HOST_PORTS.REDIS_HOST_PORT}:6379`]);
    expect(services.registry.ports).toEqual([`${HOST_PORTS.REGISTRY_HOST_PORT}:3000`]);
    expect(services.gateway.ports).toEqual([`${HOST_PORTS.GATEWAY_HOST_PORT}:8080`]);
    expect(services.migrate.ports).toBeUndefined();
    expect(services['eval-worker'].ports).toBeUndefined();
    const moved = compose({ POSTGRES_HOST_PORT: '6543', GATEWAY_HOST_PORT: '9080' });
    expect(moved.postgres.ports).toEqual(['127.0.0.1:6543:5432']);
    expect(moved.gateway.ports).toEqual(['9080:8080']);
    for (const [variable, port] of Object.entries(HOST_PORTS)) expect(DOCKER_SECTION).toMatch(new RegExp(`\`${variable}\` \\(default ${port}\\)|\`${variable}\` \\(${port}\\)`));
  });

  it('documents the first-administrator command, which runs a built script in the registry service', () => {
    const command = 'docker compose run --rm registry node dist/scripts/create-admin.js';
    expect(DOCKER_SECTION).toContain(command);
    expect(COMPOSE_TEXT).toContain(command);
    expect(existsSync(join(ROOT, 'dist/scripts/create-admin.js'))).toBe(true);
  });
});
