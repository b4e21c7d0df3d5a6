import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './support/database.js';

describe('schema', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
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
