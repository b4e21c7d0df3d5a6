import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Test cases and the test gate (API.md, "Test cases and test runs"). A prompt's cases go with it
 * (ON DELETE CASCADE); a name is unique per prompt (names are trimmed before they are stored).
 * Environments gain `tests_required` and `max_regressions`. `test_runs` is created here with the
 * columns the approval gate reads, so the gate does not wait on the runs' own migration
 * (1764900000000), which adds the per-case results and whatever else the runs need.
 */
export class TestCases1764800000000 implements MigrationInterface {
  name = 'TestCases1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE test_cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        variables jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(variables) = 'object'),
        input text,
        placeholders jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(placeholders) = 'object'),
        assertions jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(assertions) = 'array'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT test_cases_prompt_name_key UNIQUE (prompt_id, name)
      )`);
    await q.query(`ALTER TABLE environments
                     ADD COLUMN tests_required boolean NOT NULL DEFAULT false,
                     ADD COLUMN max_regressions integer NOT NULL DEFAULT 0
                       CONSTRAINT environments_max_regressions_check CHECK (max_regressions BETWEEN 0 AND 1000)`);
    await q.query(`
      CREATE TABLE test_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES prompt_versions(id) ON DELETE CASCADE,
        baseline_version_id uuid REFERENCES prompt_versions(id) ON DELETE SET NULL,
        provider text NOT NULL CHECK (provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        model text NOT NULL,
        judge_provider text CHECK (judge_provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        judge_model text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        cases_total integer NOT NULL DEFAULT 0 CHECK (cases_total >= 0),
        cases_done integer NOT NULL DEFAULT 0 CHECK (cases_done >= 0),
        cases_passed integer NOT NULL DEFAULT 0 CHECK (cases_passed >= 0),
        regressions integer NOT NULL DEFAULT 0 CHECK (regressions >= 0),
        error text,
        requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    // The gate and GET /versions/:id/test-runs read a version's runs newest first.
    await q.query(`CREATE INDEX test_runs_version_created_idx ON test_runs (version_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS test_runs`);
    await q.query(`ALTER TABLE environments DROP COLUMN max_regressions, DROP COLUMN tests_required`);
    await q.query(`DROP TABLE IF EXISTS test_cases`);
  }
}
