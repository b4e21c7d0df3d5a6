import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the audit filters and the prompt search that otherwise scan whole tables:
 * - `actor`: (workspace_id, actor_email, seq DESC), read newest first like the list's order;
 * - `from`/`to` windows: (workspace_id, created_at, seq), so a window is a range scan whatever its
 *   age (it replaces (workspace_id, created_at DESC), which it covers);
 * - `search` (ILIKE '%term%' on key and description): pg_trgm GIN indexes. pg_trgm is a trusted
 *   extension, so the database owner that runs migrations may create it without superuser.
 */
export class SearchAndFilterIndexes1764500000000 implements MigrationInterface {
  name = 'SearchAndFilterIndexes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX audit_log_workspace_actor_idx ON audit_log (workspace_id, actor_email, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_workspace_created_seq_idx ON audit_log (workspace_id, created_at, seq)`);
    await q.query(`DROP INDEX audit_log_workspace_created_idx`);
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX prompts_key_trgm_idx ON prompts USING gin (key gin_trgm_ops)`);
    await q.query(`CREATE INDEX prompts_description_trgm_idx ON prompts USING gin (description gin_trgm_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS prompts_description_trgm_idx`);
    await q.query(`DROP INDEX IF EXISTS prompts_key_trgm_idx`);
    await q.query(`CREATE INDEX IF NOT EXISTS audit_log_workspace_created_idx ON audit_log (workspace_id, created_at DESC)`);
    await q.query(`DROP INDEX IF EXISTS audit_log_workspace_created_seq_idx`);
    await q.query(`DROP INDEX IF EXISTS audit_log_workspace_actor_idx`);
  }
}
