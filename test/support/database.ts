import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, grantAppRole, MIGRATIONS, runMigrations } from '#persistence';

/**
 * Test databases: migrations run once into a template named after the migration set, then every
 * test file gets its own database cloned from it (CREATE DATABASE ... TEMPLATE), so files never see
 * each other's rows and no file pays for migrations. The owner (SERVER_URL's superuser) migrates and
 * grants; services under test connect as TEST_APP_ROLE, the least-privileged role `npm start` gives them.
 */
const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_APP_ROLE = 'promptgate_test_app';
const LOCK_ID = 774411; // advisory lock serialising template creation, cloning and role grants across jest workers

function urlFor(database: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

function appUrlFor(database: string): string {
  const u = new URL(urlFor(database));
  u.username = TEST_APP_ROLE;
  u.password = process.env.TEST_DATABASE_APP_PASSWORD ?? '';
  return u.toString();
}

function templateName(): string {
  const h = createHash('sha256').update(MIGRATIONS.map((m) => m.name).join(',')).digest('hex').slice(0, 12);
  return `promptgate_tpl_${h}`;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  /** As the services' role: what every service under test is given as DATABASE_URL. */
  url: string;
  /** As the owner (a superuser): only for tests that deliberately reach behind the grants and triggers. */
  ownerUrl: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = templateName();
  const name = `promptgate_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (c) => {
    await c.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    try {
      const exists = await c.query(
        'SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [template]);
      if (!exists.rowCount) {
        await c.query(`DROP DATABASE IF EXISTS "${template}"`);
        await c.query(`CREATE DATABASE "${template}"`);
        await runMigrations(urlFor(template));
        await c.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      }
      await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      await grantAppRole(urlFor(name), appUrlFor(name));
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
    }
  });
  return {
    name,
    url: appUrlFor(name),
    ownerUrl: urlFor(name),
    drop: () => dropDatabase(urlFor(name)),
  };
}
