import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * review_target(version, user, roles): what a review decision (submit, approve, reject,
 * quick-approve) reads, in one statement instead of eight. It reads the caller's role in the
 * version's workspace; a non-member gets `{"role": null}` and a role not in `roles` gets
 * `{"role": ...}`, both without any lock. Otherwise it takes the prompt's row lock (FOR UPDATE,
 * held to the end of the caller's transaction) and then, in a statement of its own (a VOLATILE
 * function's statements each take a fresh snapshot, so after a wait it sees what the last lock
 * holder committed), reads the prompt, the version, its environment, the workspace's name, the
 * version live now, the version's last eval and the people it names
 * (proposer and reviewer). NULL when there is no such version.
 */
export class ReviewTargetFunction1765100000000 implements MigrationInterface {
  name = 'ReviewTargetFunction1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION review_target(p_version uuid, p_user uuid, p_roles text[]) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_prompt uuid;
        v_role text;
        v_found jsonb;
      BEGIN
        SELECT v.prompt_id, m.role INTO v_prompt, v_role
          FROM prompt_versions v
          JOIN prompts p ON p.id = v.prompt_id
          LEFT JOIN memberships m ON m.workspace_id = p.workspace_id AND m.user_id = p_user
         WHERE v.id = p_version;
        IF NOT FOUND THEN
          RETURN NULL;
        END IF;
        IF v_role IS NULL OR NOT (v_role = ANY(p_roles)) THEN
          RETURN jsonb_build_object('role', v_role);
        END IF;
        PERFORM 1 FROM prompts WHERE id = v_prompt FOR UPDATE;
        SELECT jsonb_build_object(
                 'role', v_role,
                 'prompt', to_jsonb(p),
                 'version', to_jsonb(v),
                 'environment', jsonb_build_object(
                   'id', e.id, 'workspace_id', e.workspace_id, 'name', e.name, 'is_protected', e.is_protected,
                   'require_review', e.require_review, 'eval_required', e.eval_required,
                   'eval_pass_threshold', e.eval_pass_threshold, 'judge_provider', e.judge_provider, 'judge_model', e.judge_model,
                   'tests_required', e.tests_required, 'max_regressions', e.max_regressions),
                 'workspace_name', w.name,
                 'live', (SELECT jsonb_build_object('id', l.id, 'status', l.status, 'live_from', l.live_from)
                            FROM prompt_versions l WHERE l.id = p.live_version_id),
                 'last_eval', (SELECT jsonb_build_object('id', r.id, 'score', r.score, 'mode', r.mode, 'status', r.status)
                                 FROM eval_runs r WHERE r.id = v.last_eval_id),
                 'people', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name)), '[]'::jsonb)
                              FROM users u WHERE u.id IN (v.proposed_by, v.reviewed_by)))
          INTO v_found
          FROM prompt_versions v
          JOIN prompts p ON p.id = v.prompt_id
          JOIN environments e ON e.id = p.environment_id
          JOIN workspaces w ON w.id = e.workspace_id
         WHERE v.id = p_version;
        RETURN v_found;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS review_target(uuid, uuid, text[])`);
  }
}
