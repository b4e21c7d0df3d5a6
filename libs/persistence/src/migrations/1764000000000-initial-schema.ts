import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole first schema. Written as SQL so that constraints, partial indexes and the
 * audit_log triggers are exactly what the design says, whatever the ORM would generate.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
        name text,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);

    await q.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        is_personal boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE memberships (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('viewer', 'editor', 'reviewer', 'admin', 'owner')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, user_id)
      )`);
    await q.query(`CREATE INDEX memberships_user_idx ON memberships (user_id)`);

    await q.query(`
      CREATE TABLE environments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
        is_protected boolean NOT NULL DEFAULT false,
        require_review boolean NOT NULL DEFAULT false,
        eval_required boolean NOT NULL DEFAULT false,
        eval_pass_threshold double precision NOT NULL DEFAULT 7.0 CHECK (eval_pass_threshold BETWEEN 0 AND 10),
        judge_provider text CHECK (judge_provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        judge_model text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT environments_workspace_name_key UNIQUE (workspace_id, name),
        CHECK (judge_model IS NULL OR judge_provider IS NOT NULL)
      )`);

    await q.query(`
      CREATE TABLE prompts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        environment_id uuid NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9._-]{0,199}$'),
        description text,
        live_version_id uuid,
        last_version_num integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT prompts_environment_key_key UNIQUE (environment_id, key)
      )`);
    // Keyset pagination of a list, newest change first.
    await q.query(`CREATE INDEX prompts_environment_updated_idx ON prompts (environment_id, updated_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE prompt_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        version_num integer NOT NULL CHECK (version_num > 0),
        status text NOT NULL CHECK (status IN ('draft', 'pending_review', 'approved', 'rejected', 'archived')),
        content text NOT NULL,
        parent_content text,
        base_version_id uuid REFERENCES prompt_versions(id),
        rollback_of_version_id uuid REFERENCES prompt_versions(id),
        commit_message text,
        proposed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        approved_by uuid REFERENCES users(id) ON DELETE SET NULL,
        review_note text,
        submitted_at timestamptz,
        reviewed_at timestamptz,
        live_from timestamptz,
        live_until timestamptz,
        last_eval_id uuid,
        served_count bigint NOT NULL DEFAULT 0,
        last_served_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT prompt_versions_prompt_num_key UNIQUE (prompt_id, version_num),
        CHECK (live_until IS NULL OR live_from IS NOT NULL AND live_until >= live_from)
      )`);
    // At most one live version per prompt, enforced by the database.
    await q.query(`CREATE UNIQUE INDEX prompt_versions_one_live_idx ON prompt_versions (prompt_id)
                   WHERE live_from IS NOT NULL AND live_until IS NULL`);
    // "What was live at T": one range probe per prompt.
    await q.query(`CREATE INDEX prompt_versions_live_from_idx ON prompt_versions (prompt_id, live_from DESC) WHERE live_from IS NOT NULL`);
    await q.query(`CREATE INDEX prompt_versions_pending_idx ON prompt_versions (prompt_id) WHERE status = 'pending_review'`);
    await q.query(`ALTER TABLE prompts ADD CONSTRAINT prompts_live_version_fk
                   FOREIGN KEY (live_version_id) REFERENCES prompt_versions(id) DEFERRABLE INITIALLY DEFERRED`);

    await q.query(`
      CREATE TABLE eval_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES prompt_versions(id) ON DELETE CASCADE,
        mode text NOT NULL CHECK (mode IN ('rules', 'judge')),
        provider text CHECK (provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        model text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        score double precision CHECK (score BETWEEN 0 AND 10),
        dimensions jsonb NOT NULL DEFAULT '[]'::jsonb,
        suggestions jsonb NOT NULL DEFAULT '[]'::jsonb,
        error text,
        requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CHECK (mode = 'rules' OR provider IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX eval_runs_version_created_idx ON eval_runs (version_id, created_at DESC, id DESC)`);
    await q.query(`ALTER TABLE prompt_versions ADD CONSTRAINT prompt_versions_last_eval_fk
                   FOREIGN KEY (last_eval_id) REFERENCES eval_runs(id) ON DELETE SET NULL`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        environment_id uuid NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        prefix text NOT NULL,
        key_hash text NOT NULL,
        rate_limit_rpm integer NOT NULL DEFAULT 600 CHECK (rate_limit_rpm > 0),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        served_count bigint NOT NULL DEFAULT 0,
        last_served_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
      )`);
    await q.query(`CREATE INDEX api_keys_environment_idx ON api_keys (environment_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL,
        seq bigint NOT NULL CHECK (seq > 0),
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text,
        actor_email text,
        extra jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash char(64) NOT NULL,
        integrity_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT audit_log_workspace_seq_key UNIQUE (workspace_id, seq),
        -- Two entries claiming the same predecessor would fork the chain.
        CONSTRAINT audit_log_workspace_prev_key UNIQUE (workspace_id, prev_hash)
      )`);
    await q.query(`CREATE INDEX audit_log_workspace_action_idx ON audit_log (workspace_id, action, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_workspace_resource_idx ON audit_log (workspace_id, resource_id, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_workspace_created_idx ON audit_log (workspace_id, created_at DESC)`);
    await q.query(`
      CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
                   FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                   FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()`);

    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[] NOT NULL,
        secret_encrypted text NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        disabled_at timestamptz,
        disabled_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event text NOT NULL,
        message_id text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        response_status integer,
        last_error text,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_webhook_message_key UNIQUE (webhook_id, message_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE provider_keys (
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        key_encrypted text NOT NULL,
        last4 text NOT NULL,
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, provider)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'provider_keys', 'webhook_deliveries', 'webhooks', 'audit_log', 'api_keys',
    ]) await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_reject_change()`);
    await q.query(`ALTER TABLE prompt_versions DROP CONSTRAINT IF EXISTS prompt_versions_last_eval_fk`);
    await q.query(`ALTER TABLE prompts DROP CONSTRAINT IF EXISTS prompts_live_version_fk`);
    for (const t of ['eval_runs', 'prompt_versions', 'prompts', 'environments', 'memberships', 'workspaces', 'users'])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
