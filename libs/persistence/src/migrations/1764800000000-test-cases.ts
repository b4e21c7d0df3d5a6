import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Test cases and test runs (API.md, "Test cases and test runs"). A case belongs to a prompt and
 * goes with it; a run belongs to a version and keeps its baseline only while that version exists.
 */
export class TestCases1764800000000 implements MigrationInterface {
  name = 'TestCases1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE test_cases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}'::jsonb,
        input text,
        placeholders jsonb NOT NULL DEFAULT '{}'::jsonb,
        assertions jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (prompt_id, name)
      )`);
    await q.query(`
      CREATE TABLE test_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES prompt_versions(id) ON DELETE CASCADE,
        baseline_version_id uuid REFERENCES prompt_versions(id) ON DELETE SET NULL,
        provider text NOT NULL CHECK (provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        model text NOT NULL,
        judge_provider text NOT NULL CHECK (judge_provider IN ('anthropic', 'openai', 'google', 'groq', 'mistral')),
        judge_model text NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        cases_total integer NOT NULL CHECK (cases_total >= 0),
        cases_done integer NOT NULL DEFAULT 0 CHECK (cases_done >= 0),
        cases_passed integer NOT NULL DEFAULT 0 CHECK (cases_passed >= 0),
        regressions integer NOT NULL DEFAULT 0 CHECK (regressions >= 0),
        error text,
        requested_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX test_runs_version_created_idx ON test_runs (version_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS test_runs`);
    await q.query(`DROP TABLE IF EXISTS test_cases`);
  }
}
