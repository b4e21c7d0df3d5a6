import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_append(workspace, entries): the whole append of an audited transaction in one statement,
 * its last, so the workspace's audit lock is held from here to COMMIT and for no client round trip
 * in between. It takes the same lock as before (pg_advisory_xact_lock on 'audit:<workspace>', so
 * registries of the previous release still exclude it), reads the head with a fresh snapshot (a
 * VOLATILE function's statements each take one, so it sees what the last holder committed), and
 * chains each entry: integrity_hash = hex(SHA-256(prev_hash || '\n' || body)), where the caller
 * sends `body` as the canonical JSON of the entry without `seq`, open at its end; `seq` sorts last
 * among the hashed keys, so the full canonical JSON is body || ',"seq":' || seq || '}' (see
 * canonicalBodyBeforeSeq in libs/domain, whose verifier checks every hash made here).
 */
export class AuditAppendFunction1764600000000 implements MigrationInterface {
  name = 'AuditAppendFunction1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append(p_workspace uuid, p_entries jsonb) RETURNS void
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_seq bigint;
        v_hash text;
        v_next text;
        e jsonb;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || p_workspace::text, 0));
        SELECT seq, integrity_hash INTO v_seq, v_hash FROM audit_log WHERE workspace_id = p_workspace ORDER BY seq DESC LIMIT 1;
        IF NOT FOUND THEN
          v_seq := 0;
          v_hash := repeat('0', 64);
        END IF;
        FOR e IN SELECT value FROM jsonb_array_elements(p_entries) LOOP
          v_seq := v_seq + 1;
          v_next := encode(sha256(convert_to(v_hash || E'\\n' || (e->>'body') || ',"seq":' || v_seq::text || '}', 'UTF8')), 'hex');
          INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
          VALUES (p_workspace, v_seq, e->>'action', e->>'resource_type', e->>'resource_id', e->>'actor_email', e->'extra', v_hash, v_next,
                  (e->>'created_at')::timestamptz);
          v_hash := v_next;
        END LOOP;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_append(uuid, jsonb)`);
  }
}
