import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The one DataSource definition: entities, migrations, never synchronize. */
export function dataSourceOptions(s: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: s.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: s.poolSize ?? 10,
      application_name: s.applicationName ?? 'promptgate',
      // Only named statements are affected: the hot paths' PreparedStatements (keyed by ids, where
      // one plan fits every value) and the statements inside the PL/pgSQL functions. Without it
      // PostgreSQL kept planning `id = ANY($1)` again on every call, a tenth of its time on writes
      // (docs/BENCHMARKS.md, "Registry writes"). Statements sent unnamed are planned with their values.
      options: '-c plan_cache_mode=force_generic_plan',
    },
  };
}

export function createDataSource(s: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(s));
}

// For the typeorm CLI, as the owner: `npx typeorm migration:run -d dist/libs/persistence/src/data-source.js`
// (`npm run migrate` also re-grants the services' role afterwards; the CLI does not).
export default createDataSource({ url: process.env.DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/promptgate' });
