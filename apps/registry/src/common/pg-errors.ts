interface PgError {
  code?: string;
  constraint?: string;
}

function pgErrorOf(err: unknown): PgError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  // TypeORM wraps the pg error in QueryFailedError.driverError; raw pg errors carry the code directly.
  const driver = (err as { driverError?: unknown }).driverError;
  return (typeof driver === 'object' && driver !== null ? driver : err) as PgError;
}

/** True for a PostgreSQL unique violation (23505), optionally on one named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgErrorOf(err);
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}
