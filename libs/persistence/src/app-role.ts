import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';

/** The role named in a services' URL: lower-case so that it never needs quoting to mean what it says. */
const SAFE_ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const SAFE_DB_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;
/** Tables the services may read and append to, never change: the tamper-evident chain. */
export const APPEND_ONLY_TABLES = ['audit_log'] as const;
/** Tables only the owner touches. */
export const OWNER_ONLY_TABLES = ['schema_migrations'] as const;
const SCRAM_ITERATIONS = 4096;

/** Raised when the services' role cannot be given least privilege as configured; the message says what to change. */
export class AppRoleError extends Error {}

export interface AppRoleSummary {
  role: string;
  database: string;
  created: boolean;
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier for `password` (as `\password` computes it client-side), so the
 * password itself is never sent in a statement a server log could keep.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  // PostgreSQL SASLprep-normalises passwords; printable ASCII is the range where that is the identity.
  if (!/^[\x20-\x7e]+$/.test(password)) throw new AppRoleError('the services\' database password must be printable ASCII');
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function parts(url: string): { user: string; password: string; database: string } {
  const u = new URL(url);
  return {
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** What grantAppRole refuses before connecting, so a misconfiguration touches no database; throws AppRoleError. */
export function checkAppRoleUrls(ownerUrl: string, appUrl: string) {
  const owner = parts(ownerUrl);
  const app = parts(appUrl);
  if (!SAFE_ROLE_NAME.test(app.user)) {
    throw new AppRoleError(`DATABASE_URL must name its role (user) as a plain lower-case identifier, not "${app.user}"`);
  }
  if (!SAFE_DB_NAME.test(owner.database)) throw new AppRoleError(`database name "${owner.database}" is not a plain identifier`);
  if (owner.database !== app.database) {
    throw new AppRoleError(`DATABASE_URL names database "${app.database}" but DATABASE_OWNER_URL names "${owner.database}"; they must be the same`);
  }
  // Checks the password's characters now, before anything is created.
  if (app.password) scramSha256Verifier(app.password, Buffer.alloc(16), 1);
  return { owner, app };
}

/**
 * Run as the owner after every migration run: makes sure the role of `appUrl` (the services'
 * DATABASE_URL) exists as a plain login role that owns nothing, then grants it exactly CONNECT on
 * the database, USAGE on schema public, SELECT/INSERT/UPDATE/DELETE on every table but SELECT and
 * INSERT only on audit_log and nothing on the migrations table, and USAGE/SELECT on sequences.
 * Re-granting after each run is what covers the tables a new migration adds. The role is
 * cluster-wide; the grants live in the database (so a database cloned from a template keeps the
 * table grants, but not CONNECT, which is why this runs after a clone too).
 */
export async function grantAppRole(ownerUrl: string, appUrl: string): Promise<AppRoleSummary> {
  const { owner, app } = checkAppRoleUrls(ownerUrl, appUrl);
  const verifier = app.password ? scramSha256Verifier(app.password) : undefined;
  const client = new pg.Client({ connectionString: ownerUrl, application_name: 'promptgate-grant' });
  await client.connect();
  try {
    const { rows: [me] } = await client.query<{ name: string }>('SELECT current_user AS name');
    if (me.name === app.user) {
      throw new AppRoleError(
        `DATABASE_URL and DATABASE_OWNER_URL both use role "${app.user}"; the services need a role of their own, ` +
          `e.g. DATABASE_URL=postgres://promptgate_app@host:5432/${app.database} (it is created if absent)`);
    }
    const role = ident(app.user);
    const created = await ensureRole(client, app.user, verifier);
    await refuseMorePowerful(client, app.user);
    const db = ident(owner.database);
    const { rows: present } = await client.query<{ t: string }>(
      `SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass('public.' || quote_ident(t)) IS NOT NULL`,
      [[...APPEND_ONLY_TABLES, ...OWNER_ONLY_TABLES]]);
    const exists = (t: string) => present.some((p) => p.t === t);
    await client.query('BEGIN');
    try {
      for (const sql of [
        `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
        `REVOKE ALL ON DATABASE ${db} FROM ${role}`,
        `GRANT CONNECT ON DATABASE ${db} TO ${role}`,
        'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
        `REVOKE ALL ON SCHEMA public FROM ${role}`,
        `GRANT USAGE ON SCHEMA public TO ${role}`,
        `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
        ...APPEND_ONLY_TABLES.filter(exists).map((t) => `REVOKE UPDATE, DELETE ON TABLE ${ident(t)} FROM ${role}`),
        ...OWNER_ONLY_TABLES.filter(exists).map((t) => `REVOKE ALL ON TABLE ${ident(t)} FROM ${role}`),
        `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`,
        `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`,
      ]) await client.query(sql);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
    return { role: app.user, database: owner.database, created };
  } finally {
    await client.end();
  }
}

async function ensureRole(client: pg.Client, name: string, verifier: string | undefined): Promise<boolean> {
  const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT';
  const password = verifier ? ` PASSWORD ${client.escapeLiteral(verifier)}` : '';
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (!rowCount) {
    try {
      await client.query(`CREATE ROLE ${ident(name)} ${attributes}${password}`);
      return true;
    } catch (err) {
      // Another process created it between our check and our CREATE.
      if ((err as { code?: string }).code !== '42710') throw err;
    }
  }
  // Only what cannot widen its rights: LOGIN and the password; anything more powerful is refused below.
  await client.query(`ALTER ROLE ${ident(name)} LOGIN${password}`);
  return false;
}

/** An existing role is never demoted here (it may be someone's admin): it is refused, and the person picks another name. */
async function refuseMorePowerful(client: pg.Client, name: string): Promise<void> {
  const { rows: [r] } = await client.query<{
    rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolreplication: boolean; rolbypassrls: boolean;
    member_of: string[]; owned: number;
  }>(
    `SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
            ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of,
            (SELECT count(*)::int FROM pg_shdepend d
              WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid AND d.deptype = 'o') AS owned
       FROM pg_roles r WHERE r.rolname = $1`, [name]);
  const problems = [
    ...(['rolsuper', 'rolcreatedb', 'rolcreaterole', 'rolreplication', 'rolbypassrls'] as const)
      .filter((a) => r[a]).map((a) => a.replace(/^rol/, '').toUpperCase()),
    ...(r.member_of.length ? [`member of ${r.member_of.join(', ')}`] : []),
    ...(r.owned ? [`owns ${r.owned} object(s)`] : []),
  ];
  if (problems.length) {
    throw new AppRoleError(`the services' role "${name}" (DATABASE_URL) must be a plain login role that owns nothing, but it has: ${problems.join('; ')}`);
  }
}
