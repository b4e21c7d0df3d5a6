import pg from 'pg';
import { AuditRepository, type AuditFilter } from '../apps/registry/src/audit/audit.repository.js';
import { promptListSql } from '../apps/registry/src/prompts/prompt-list.query.js';
import { AUDIT_EPOCH, type IssuedStatement, recordingManager, seedIndexFixtures } from '../bench/support/seed-indexes.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * The indexes of the audit filters and the prompt search are used by the SQL the registry issues:
 * each statement is captured as it runs against a seeded database (100,000 entries, 20,000 prompts)
 * and EXPLAINed with the parameters it ran with.
 */
describe('filter and search indexes', () => {
  let db: TestDatabase;
  let client: pg.Client;
  let workspaceId: string;
  let environmentId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.ownerUrl });
    await client.connect();
    ({ workspaceId, environmentId } = await seedIndexFixtures(client));
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  async function plan(sql: string, params: unknown[]): Promise<string> {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  /** Runs the repository's list and returns the plan of the statement it issued, with its rows. */
  async function auditListPlan(filter: AuditFilter): Promise<{ plan: string; count: number }> {
    const issued: IssuedStatement[] = [];
    const page = await new AuditRepository().list(recordingManager(client, issued), workspaceId, filter, { limit: 50, cursor: null }, (r) => r);
    expect(issued).toHaveLength(1);
    return { plan: await plan(issued[0].sql, issued[0].params), count: page.items.length };
  }

  it('filters by actor through audit_log_workspace_actor_idx, a no-match actor too', async () => {
    const some = await auditListPlan({ actorEmail: 'user7@example.com' });
    expect(some.count).toBe(50);
    expect(some.plan).toContain('audit_log_workspace_actor_idx');
    const none = await auditListPlan({ actorEmail: 'nobody@example.com' });
    expect(none.count).toBe(0);
    expect(none.plan).toContain('audit_log_workspace_actor_idx');
  });

  it('reads an old from/to window through audit_log_workspace_created_seq_idx, not by walking seq back', async () => {
    const day = 24 * 60 * 60 * 1000;
    const window = await auditListPlan({ from: new Date(AUDIT_EPOCH + day), to: new Date(AUDIT_EPOCH + 2 * day) });
    expect(window.count).toBe(50);
    expect(window.plan).toContain('audit_log_workspace_created_seq_idx');
    expect(window.plan).not.toContain('audit_log_workspace_seq_key');
  });

  it('pages a bounded window newest first and exactly, cursor by cursor, as before the index', async () => {
    const day = 24 * 60 * 60 * 1000;
    const filter = { from: new Date(AUDIT_EPOCH + day), to: new Date(AUDIT_EPOCH + 2 * day) };
    const { rows: expected } = await client.query<{ seq: string }>(
      `SELECT seq FROM audit_log WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY seq DESC`,
      [workspaceId, filter.from, filter.to]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ seq: string }>; next_cursor: string | null } = await new AuditRepository().list(
        recordingManager(client, []), workspaceId, filter, { limit: 500, cursor }, (r) => r);
      seen.push(...page.items.map((r) => r.seq));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(expected.length).toBeGreaterThan(1000);
    expect(seen).toEqual(expected.map((r) => r.seq));
  });

  it('searches prompt keys and descriptions through the trigram indexes', async () => {
    const byKey = promptListSql({ environmentId, search: 'prompt-04321', after: null, limit: 50 });
    const { rows } = await client.query(byKey.sql, byKey.params);
    expect(rows.map((r: { key: string }) => r.key)).toEqual(['team-1.prompt-04321']);
    const keyPlan = await plan(byKey.sql, byKey.params);
    expect(keyPlan).toContain('prompts_key_trgm_idx');
    expect(keyPlan).toContain('prompts_description_trgm_idx');
  });

  it('still treats % and _ in a search as themselves when the trigram indexes answer it', async () => {
    const q = promptListSql({ environmentId, search: 'prompt_0432%', after: null, limit: 50 });
    expect((await client.query(q.sql, q.params)).rows).toEqual([]);
  });
});
