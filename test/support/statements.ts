import pg from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { dataSourceOptions } from '#persistence';
import { createTestDatabase, type TestDatabase } from './database.js';

/** Every statement a DataSource logs, in order, as the text a logger reads (whitespace folded). */
export class StatementLog implements Logger {
  readonly statements: string[] = [];
  logQuery(query: string): void {
    this.statements.push(query.replace(/\s+/g, ' ').trim());
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** Polls `probe` every 25 ms until it answers something other than null (10 s at most). */
export async function until<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const found = await probe();
    if (found !== null) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A DataSource of one connection on `url` that logs every statement it sends to `log`, initialised. */
export async function loggedDataSource(url: string, log: StatementLog): Promise<DataSource> {
  const dataSource = new DataSource({ ...dataSourceOptions({ url, poolSize: 1 }), logging: ['query'], logger: log });
  await dataSource.initialize();
  return dataSource;
}

/**
 * Two connections of their own on `url` (the database owner's, outside the code under test): one
 * to hold locks with, one to watch pg_stat_activity from. Whatever `holder` left open is rolled
 * back, and both are closed, when `fn` ends.
 */
export async function withTwoConnections<T>(url: string, fn: (holder: pg.Client, observer: pg.Client) => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: url });
  const observer = new pg.Client({ connectionString: url });
  await holder.connect();
  await observer.connect();
  try {
    return await fn(holder, observer);
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end();
    await observer.end();
  }
}

/** A throwaway database and a loggedDataSource on it as its owner, for the enclosing describe block. */
export interface LoggedDatabase {
  db: TestDatabase;
  dataSource: DataSource;
  readonly log: StatementLog;
  /** A fresh pool of one new connection, on which no statement has been prepared yet. */
  reconnect(): Promise<void>;
}

/** Ready in beforeAll, with the `setup` statements run; dropped in afterAll. */
export function useLoggedDatabase(setup: readonly string[] = []): LoggedDatabase {
  const h = {
    log: new StatementLog(),
    async reconnect() {
      await h.dataSource.destroy();
      h.dataSource = await loggedDataSource(h.db.ownerUrl, h.log);
    },
  } as LoggedDatabase;
  beforeAll(async () => {
    h.db = await createTestDatabase();
    h.dataSource = await loggedDataSource(h.db.ownerUrl, h.log);
    for (const statement of setup) await h.dataSource.query(statement);
  });
  afterAll(async () => {
    await h.dataSource?.destroy();
    await h.db?.drop();
  });
  return h;
}
