import { ConfigError, databaseOwnerSchema, parseConfig, prepareEnvironment } from '#config';
import { describeError } from './console-lines.js';
import { InfrastructureError, prepareDatabase } from './infrastructure.js';

/**
 * `npm run migrate` and docker-compose's one-shot `migrate` service, as DATABASE_OWNER_URL: create the
 * database if absent, apply migrations, then create or re-grant the services' role of DATABASE_URL.
 */
async function migrate() {
  prepareEnvironment();
  const { DATABASE_URL, DATABASE_OWNER_URL } = parseConfig(databaseOwnerSchema, process.env);
  const { created, applied, role, roleCreated } = await prepareDatabase(DATABASE_OWNER_URL, DATABASE_URL);
  if (created) console.log('[migrate] created the database');
  for (const name of applied) console.log(`[migrate] applied ${name}`);
  if (applied.length === 0) console.log('[migrate] the schema is up to date');
  console.log(`[migrate] ${roleCreated ? 'created' : 'granted'} the services' role ${role}`);
}

migrate().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof InfrastructureError || err instanceof ConfigError ? err.message : `[migrate] failed: ${describeError(err)}`);
    process.exit(1);
  },
);
