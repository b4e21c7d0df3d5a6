import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit entries of a change are written with it into `audit_pending` (one row per transaction,
 * its entries in order, no lock taken), and chained into `audit_log` right after its COMMIT by
 * audit_chain(workspace, pending): a transaction of its own that takes the workspace's audit lock
 * (the same lock audit_append takes, so registries of the previous release still exclude it),
 * reads the head with a fresh snapshot and moves every pending row of the workspace, in the order
 * they were written, onto the chain as audit_append chains (the hash finished from each entry's
 * `body`, see canonicalBodyBeforeSeq in libs/domain). The lock is held for one WAL flush however
 * many changes it chains: changes that committed while another chain was being written are
 * chained together by the next holder, and a caller whose row is already chained takes no lock.
 * Whatever stops it is raised as SQLSTATE PGAC1, so a caller that sent it after its COMMIT knows
 * its change did commit (the rows stay pending, for the next caller or the sweep); with
 * `p_pending` NULL it chains whatever is pending.
 */
/** audit_chain as this migration creates it (1765200000000 replaces it, and puts it back on the way down). */
export const AUDIT_CHAIN_1765100000001 = `
      CREATE FUNCTION audit_chain(p_workspace uuid, p_pending uuid) RETURNS void
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_seq bigint;
        v_hash text;
        v_next text;
        v_pending jsonb;
        r record;
        e jsonb;
      BEGIN
        IF p_pending IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_pending WHERE id = p_pending) THEN
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || p_workspace::text, 0));
        IF p_pending IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_pending WHERE id = p_pending) THEN
          RETURN;
        END IF;
        SELECT seq, integrity_hash INTO v_seq, v_hash FROM audit_log WHERE workspace_id = p_workspace ORDER BY seq DESC LIMIT 1;
        IF NOT FOUND THEN
          v_seq := 0;
          v_hash := repeat('0', 64);
        END IF;
        WITH taken AS (DELETE FROM audit_pending WHERE workspace_id = p_workspace RETURNING position, entries)
        SELECT coalesce(jsonb_agg(entries ORDER BY position), '[]'::jsonb) INTO v_pending FROM taken;
        FOR r IN SELECT value AS entries FROM jsonb_array_elements(v_pending) WITH ORDINALITY ORDER BY ordinality LOOP
          FOR e IN SELECT value FROM jsonb_array_elements(r.entries) WITH ORDINALITY ORDER BY ordinality LOOP
            v_seq := v_seq + 1;
            v_next := encode(sha256(convert_to(v_hash || E'\\n' || (e->>'body') || ',"seq":' || v_seq::text || '}', 'UTF8')), 'hex');
            INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
            VALUES (p_workspace, v_seq, e->>'action', e->>'resource_type', e->>'resource_id', e->>'actor_email', e->'extra', v_hash, v_next,
                    (e->>'created_at')::timestamptz);
            v_hash := v_next;
          END LOOP;
        END LOOP;
      EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'the audit chain of workspace % was not written: % (%)', p_workspace, SQLERRM, SQLSTATE USING ERRCODE = 'PGAC1';
      END
      $$`;

export class AuditPending1765100000001 implements MigrationInterface {
  name = 'AuditPending1765100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_pending (
        id uuid PRIMARY KEY,
        position bigint GENERATED ALWAYS AS IDENTITY,
        workspace_id uuid NOT NULL,
        entries jsonb NOT NULL CHECK (jsonb_typeof(entries) = 'array'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_pending_workspace_idx ON audit_pending (workspace_id, position)`);
    await q.query(AUDIT_CHAIN_1765100000001);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_chain(uuid, uuid)`);
    await q.query(`DROP TABLE IF EXISTS audit_pending`);
  }
}
