import { parseConfig, prepareEnvironment, registrySchema } from '#config';
import { describeError } from './console-lines.js';
import { InfrastructureError, prepareDatabase } from './infrastructure.js';

/** `npm run migrate` and docker-compose's one-shot `migrate` service: create the database if absent, apply migrations. */
async function migrate() {
  prepareEnvironment();
  const { DATABASE_URL } = parseConfig(registrySchema.pick({ DATABASE_URL: true }), process.env);
  const { created, applied } = await prepareDatabase(DATABASE_URL);
  if (created) console.log('[migrate] created the database');
  for (const name of applied) console.log(`[migrate] applied ${name}`);
  if (applied.length === 0) console.log('[migrate] the schema is up to date');
}

migrate().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof InfrastructureError ? err.message : `[migrate] failed: ${describeError(err)}`);
    process.exit(1);
  },
);
