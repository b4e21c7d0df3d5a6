import pg from 'pg';
import { createDataSource } from './data-source.js';

const SAFE_DB_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

function splitUrl(url: string): { adminUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  u.pathname = '/postgres';
  return { adminUrl: u.toString(), database };
}

/** Creates the database named in `url` if it does not exist yet. Returns true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { adminUrl, database } = splitUrl(url);
  if (!SAFE_DB_NAME.test(database)) throw new Error(`database name "${database}" is not a plain identifier`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${database}"`);
    } catch (err) {
      // Another process created it between our check and our CREATE.
      if ((err as { code?: string }).code !== '42P04') throw err;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/** Drops the database named in `url`, closing its connections first (tests and benchmarks clean up with it). */
export async function dropDatabase(url: string): Promise<void> {
  const { adminUrl, database } = splitUrl(url);
  if (!SAFE_DB_NAME.test(database)) throw new Error(`database name "${database}" is not a plain identifier`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Runs pending migrations; returns the names of those applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = createDataSource({ url, poolSize: 1, applicationName: 'promptgate-migrate' });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
