import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { grantAppRole, scramSha256Verifier } from '#persistence';
import { builtFile } from './support/build.js';
import { createTestDatabase, TEST_APP_ROLE, type TestDatabase } from './support/database.js';

describe('schema', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    // As the owner: these tests are about the schema and its triggers, not the services' grants.
    client = new pg.Client({ connectionString: db.ownerUrl });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const ws = '00000000-0000-4000-8000-000000000001';
  async function insertAuditEntry(seq: number, prev: string) {
    await client.query(
      `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
       VALUES ($1, $2, 'test.action', 'test', 'r1', 'a@b.c', '{}', $3, $4, now())`,
      [ws, seq, prev, String(seq).padStart(64, 'f')],
    );
  }

  it('creates every table of the design', async () => {
    const { rows } = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([
      'api_keys', 'audit_log', 'environments', 'eval_runs', 'memberships', 'prompt_versions', 'prompts',
      'provider_keys', 'users', 'webhook_deliveries', 'webhooks', 'workspaces',
    ]));
  });

  it('keeps audit_log append-only: UPDATE, DELETE and TRUNCATE are rejected by triggers', async () => {
    await insertAuditEntry(1, '0'.repeat(64));
    await expect(client.query(`UPDATE audit_log SET action = 'tampered'`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(client.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only: DELETE/);
    await expect(client.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE/);
    const { rows } = await client.query(`SELECT action FROM audit_log`);
    expect(rows).toEqual([{ action: 'test.action' }]);
  });

  it('refuses a fork of the audit chain and a duplicate seq', async () => {
    await expect(insertAuditEntry(2, '0'.repeat(64))).rejects.toThrow(/audit_log_workspace_prev_key/);
    await expect(insertAuditEntry(1, '1'.repeat(64))).rejects.toThrow(/audit_log_workspace_seq_key/);
  });

  it('enforces unique prompt keys per environment and unique version numbers per prompt', async () => {
    const { rows: [w] } = await client.query(`INSERT INTO workspaces (name) VALUES ('w') RETURNING id`);
    const { rows: [e] } = await client.query(
      `INSERT INTO environments (workspace_id, name) VALUES ($1, 'development') RETURNING id`, [w.id]);
    const { rows: [p] } = await client.query(
      `INSERT INTO prompts (workspace_id, environment_id, key) VALUES ($1, $2, 'support.greeting') RETURNING id`, [w.id, e.id]);
    await expect(client.query(
      `INSERT INTO prompts (workspace_id, environment_id, key) VALUES ($1, $2, 'support.greeting')`, [w.id, e.id],
    )).rejects.toThrow(/prompts_environment_key_key/);
    await expect(client.query(
      `INSERT INTO prompts (workspace_id, environment_id, key) VALUES ($1, $2, 'Bad Key')`, [w.id, e.id],
    )).rejects.toThrow(/check constraint/);
    await client.query(`INSERT INTO prompt_versions (prompt_id, version_num, status, content) VALUES ($1, 1, 'draft', 'a')`, [p.id]);
    await expect(client.query(
      `INSERT INTO prompt_versions (prompt_id, version_num, status, content) VALUES ($1, 1, 'draft', 'b')`, [p.id],
    )).rejects.toThrow(/prompt_versions_prompt_num_key/);
  });

  it('allows at most one live version per prompt', async () => {
    const { rows: [p] } = await client.query(`SELECT id FROM prompts LIMIT 1`);
    await client.query(
      `INSERT INTO prompt_versions (prompt_id, version_num, status, content, live_from) VALUES ($1, 2, 'approved', 'x', now())`, [p.id]);
    await expect(client.query(
      `INSERT INTO prompt_versions (prompt_id, version_num, status, content, live_from) VALUES ($1, 3, 'approved', 'y', now())`, [p.id],
    )).rejects.toThrow(/prompt_versions_one_live_idx/);
  });
});

describe('the services\' role (least privilege)', () => {
  let db: TestDatabase;
  let owner: pg.Client;
  let app: pg.Client;
  const ws = '00000000-0000-4000-8000-000000000002';

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = new pg.Client({ connectionString: db.ownerUrl });
    app = new pg.Client({ connectionString: db.url });
    await owner.connect();
    await app.connect();
    await app.query(
      `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
       VALUES ($1, 1, 'test.action', 'test', 'r1', 'a@b.c', '{}', $2, $3, now())`, [ws, '0'.repeat(64), 'f'.repeat(64)]);
  });
  afterAll(async () => {
    await app?.end();
    await owner?.end();
    await db?.drop();
  });

  /** Runs `sql` as the services' role in a transaction rolled back at once, so one refusal does not end the session. */
  async function refusal(sql: string): Promise<string> {
    await app.query('BEGIN');
    try {
      await app.query(sql);
      return 'allowed';
    } catch (err) {
      const { code, message } = err as { code?: string; message: string };
      return `${code}: ${message}`;
    } finally {
      await app.query('ROLLBACK');
    }
  }

  it('connects as a role of its own, not the owner', async () => {
    const { rows: [me] } = await app.query(`SELECT current_user AS name, usesuper FROM pg_user WHERE usename = current_user`);
    expect(me).toEqual({ name: TEST_APP_ROLE, usesuper: false });
  });

  it.each([
    ['UPDATE audit_log', `UPDATE audit_log SET action = 'tampered'`],
    ['DELETE FROM audit_log', `DELETE FROM audit_log`],
    ['TRUNCATE audit_log', `TRUNCATE audit_log`],
    ['SELECT ... FOR UPDATE on audit_log', `SELECT 1 FROM audit_log FOR UPDATE`],
    ['ALTER TABLE audit_log DISABLE TRIGGER', `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`],
    ['DROP TRIGGER', `DROP TRIGGER audit_log_no_update_delete ON audit_log`],
    ['DROP TABLE audit_log', `DROP TABLE audit_log`],
    ['CREATE TABLE in public', `CREATE TABLE public.intruder (id int)`],
    ['CREATE FUNCTION in public', `CREATE FUNCTION public.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'`],
    ['SET session_replication_role = replica', `SET session_replication_role = replica`],
    ['TRUNCATE of another table', `TRUNCATE users`],
    ['writing the migrations table', `DELETE FROM schema_migrations`],
    ['CREATE SCHEMA', `CREATE SCHEMA intruder`],
    ['CREATE ROLE', `CREATE ROLE intruder`],
  ])('refuses %s with a permission error', async (_what, sql) => {
    // 42501 from the grants themselves, not the append-only triggers (whose message says "append-only").
    expect(await refusal(sql)).toMatch(/^42501: (permission denied|must be owner)/);
  });

  it('leaves the chain as it was after every refused attempt', async () => {
    const { rows } = await owner.query(`SELECT seq::int, action FROM audit_log WHERE workspace_id = $1`, [ws]);
    expect(rows).toEqual([{ seq: 1, action: 'test.action' }]);
  });

  it('may read and append to audit_log, and read and change the other tables', async () => {
    expect(await refusal(`SELECT count(*) FROM audit_log`)).toBe('allowed');
    expect(await refusal(`INSERT INTO workspaces (name) VALUES ('w')`)).toBe('allowed');
    expect(await refusal(`UPDATE workspaces SET name = 'v'`)).toBe('allowed');
    expect(await refusal(`DELETE FROM workspaces`)).toBe('allowed');
  });

  it('holds exactly SELECT and INSERT on audit_log and nothing on the migrations table', async () => {
    const { rows } = await owner.query(
      `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS privileges
         FROM information_schema.role_table_grants WHERE grantee = $1 AND table_name IN ('audit_log', 'schema_migrations', 'users')
        GROUP BY table_name ORDER BY table_name`, [TEST_APP_ROLE]);
    expect(rows).toEqual([
      { table_name: 'audit_log', privileges: 'INSERT,SELECT' },
      { table_name: 'users', privileges: 'DELETE,INSERT,SELECT,UPDATE' },
    ]);
  });

  it('owns nothing: no table, sequence, function, type, schema or database in the cluster', async () => {
    const { rows: [counts] } = await owner.query(
      `SELECT (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS relations,
              (SELECT count(*)::int FROM pg_namespace WHERE nspowner = r.oid) AS schemas,
              (SELECT count(*)::int FROM pg_proc WHERE proowner = r.oid) AS functions,
              (SELECT count(*)::int FROM pg_type WHERE typowner = r.oid) AS types,
              (SELECT count(*)::int FROM pg_database WHERE datdba = r.oid) AS databases,
              (SELECT count(*)::int FROM pg_shdepend WHERE refobjid = r.oid AND deptype = 'o') AS owned_anywhere,
              r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls
         FROM pg_roles r WHERE r.rolname = $1`, [TEST_APP_ROLE]);
    expect(counts).toEqual({
      relations: 0, schemas: 0, functions: 0, types: 0, databases: 0, owned_anywhere: 0,
      rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false,
    });
  });

  it('covers a table a later migration adds once the grants are run again after it', async () => {
    await owner.query(`CREATE TABLE later_table (id int)`);
    expect(await refusal(`SELECT * FROM later_table`)).toBe('42501: permission denied for table later_table');
    await grantAppRole(db.ownerUrl, db.url);
    expect(await refusal(`INSERT INTO later_table VALUES (1)`)).toBe('allowed');
    expect(await refusal(`TRUNCATE later_table`)).toBe('42501: permission denied for table later_table');
  });

  it('sets the services\' password as the SCRAM verifier PostgreSQL itself computes, never as plain text', async () => {
    const password = 'pw-' + 'a1'.repeat(12);
    await owner.query(`DROP ROLE IF EXISTS promptgate_test_pw`);
    await owner.query(`SET password_encryption = 'scram-sha-256'`);
    await owner.query(`CREATE ROLE promptgate_test_pw PASSWORD '${password}'`);
    try {
      const { rows: [ours] } = await owner.query(`SELECT rolpassword FROM pg_authid WHERE rolname = 'promptgate_test_pw'`);
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(ours.rolpassword)!;
      expect(scramSha256Verifier(password, Buffer.from(salt, 'base64'), Number(iterations))).toBe(ours.rolpassword);

      await owner.query(`DROP ROLE promptgate_test_pw`);
      const withPassword = new URL(db.url);
      withPassword.username = 'promptgate_test_pw';
      withPassword.password = password;
      await grantAppRole(db.ownerUrl, withPassword.toString());
      const { rows: [set] } = await owner.query(`SELECT rolpassword FROM pg_authid WHERE rolname = 'promptgate_test_pw'`);
      expect(set.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      const [, , setSalt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(set.rolpassword)!;
      expect(scramSha256Verifier(password, Buffer.from(setSalt, 'base64'))).toBe(set.rolpassword);
    } finally {
      await owner.query(`REASSIGN OWNED BY promptgate_test_pw TO postgres`).catch(() => undefined);
      await owner.query(`DROP OWNED BY promptgate_test_pw`).catch(() => undefined);
      await owner.query(`DROP ROLE IF EXISTS promptgate_test_pw`);
    }
  });

  it('refuses to grant to the owner itself or to a role more powerful than the services need', async () => {
    await expect(grantAppRole(db.ownerUrl, db.ownerUrl)).rejects.toThrow(/both use role "postgres"/);
    const powerful = new URL(db.url);
    powerful.username = 'promptgate_test_powerful';
    await owner.query(`DROP ROLE IF EXISTS promptgate_test_powerful`);
    await owner.query(`CREATE ROLE promptgate_test_powerful LOGIN CREATEDB`);
    try {
      await expect(grantAppRole(db.ownerUrl, powerful.toString())).rejects.toThrow(/must be a plain login role that owns nothing, but it has: CREATEDB/);
    } finally {
      await owner.query(`DROP ROLE promptgate_test_powerful`);
    }
  });
});

describe('npm run migrate (dist/scripts/migrate.js), as docker-compose\'s migrate service runs it', () => {
  const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `promptgate_migrate_${randomBytes(6).toString('hex')}`;
  const role = `promptgate_migrate_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(24).toString('hex');
  const cwd = mkdtempSync(join(tmpdir(), 'promptgate-migrate-'));
  const url = (user?: string, pass?: string) => {
    const u = new URL(SERVER_URL);
    u.pathname = `/${database}`;
    if (user) u.username = user;
    if (pass) u.password = pass;
    return u.toString();
  };
  const admin = async (sql: string, params: unknown[] = [], on = SERVER_URL) => {
    const c = new pg.Client({ connectionString: on });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const migrate = (env: NodeJS.ProcessEnv = { DATABASE_OWNER_URL: url() }) => promisify(execFile)(process.execPath, [builtFile('scripts/migrate.js')], {
    cwd,
    env: { PATH: process.env.PATH, APP_ENV: 'production', DATABASE_URL: url(role, password), ...env },
  });

  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin(`DROP ROLE IF EXISTS "${role}"`);
    rmSync(cwd, { recursive: true, force: true });
  });

  it('creates the database, migrates as the owner, and creates the services\' role with its password hashed', async () => {
    const { stdout } = await migrate();
    expect(stdout).toContain('[migrate] created the database');
    expect(stdout).toMatch(/\[migrate\] applied \S+/);
    expect(stdout).toContain(`[migrate] created the services' role ${role}`);
    expect(stdout).not.toContain(password);
    const [stored] = await admin(`SELECT rolpassword FROM pg_authid WHERE rolname = $1`, [role]);
    const [, salt] = /^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(stored.rolpassword)!;
    expect(scramSha256Verifier(password, Buffer.from(salt, 'base64'))).toBe(stored.rolpassword);
    const tables = await admin(`SELECT tableowner FROM pg_tables WHERE schemaname = 'public'`, [], url());
    expect(tables.length).toBeGreaterThan(0);
    expect(new Set(tables.map((t) => t.tableowner))).toEqual(new Set(['postgres']));
  });

  it('on a second run applies nothing and re-grants the existing role', async () => {
    const { stdout } = await migrate();
    expect(stdout).toContain('[migrate] the schema is up to date');
    expect(stdout).toContain(`[migrate] granted the services' role ${role}`);
  });

  it('in production does not read ./.env, and refuses owner and services\' URLs naming different databases before touching any', async () => {
    // Only .env names the owner's URL here; read, it would make this run succeed.
    writeFileSync(join(cwd, '.env'), `DATABASE_OWNER_URL=${url()}\n`);
    const run = migrate({});
    await expect(run).rejects.toMatchObject({ code: 1 });
    const { stderr } = await run.catch((err: { stderr: string }) => err);
    expect(stderr).toContain(`DATABASE_URL names database "${database}" but DATABASE_OWNER_URL names "promptgate"`);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
