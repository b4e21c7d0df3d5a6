import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_CHAIN_1765100000001 } from './1765100000001-audit-pending.js';

/**
 * audit_chain(workspace, NULL), which each registry now sends once per group of changes
 * (AuditTrail's CoalescedRuns) rather than once per change, returns without taking the
 * workspace's audit lock when nothing of the workspace is pending: a run whose changes the run
 * before it already chained. Everything else is as in 1765100000001.
 */
export class AuditChainIdle1765200000000 implements MigrationInterface {
  name = 'AuditChainIdle1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_chain(p_workspace uuid, p_pending uuid) RETURNS void
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
        -- Nothing pending: no lock (a group-commit run whose changes the run before it chained).
        IF p_pending IS NULL AND NOT EXISTS (SELECT 1 FROM audit_pending WHERE workspace_id = p_workspace) THEN
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
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_CHAIN_1765100000001.replace('CREATE FUNCTION audit_chain', 'CREATE OR REPLACE FUNCTION audit_chain'));
  }
}
