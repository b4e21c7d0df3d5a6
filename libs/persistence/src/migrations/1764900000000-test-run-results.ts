import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a test run keeps besides its counts: one result per case (`test_run_results`, applied once
 * per (run, case) however often the worker delivers it), and on the run itself the cases it was
 * started with (`cases`: id, name and a hash of what the case sends, in name order) and when it last
 * moved (`progressed_at`, which the stalled-run sweeper reads). `case_id` has no foreign key: a
 * case may be deleted while its results stay. `case_hash` lets a later run reuse a baseline answer
 * only for a case that still sends the same thing.
 */
export class TestRunResults1764900000000 implements MigrationInterface {
  name = 'TestRunResults1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE test_runs
                     ADD COLUMN cases jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(cases) = 'array'),
                     ADD COLUMN progressed_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX test_runs_unfinished_idx ON test_runs (progressed_at) WHERE status IN ('queued', 'running')`);
    await q.query(`
      CREATE TABLE test_run_results (
        run_id uuid NOT NULL REFERENCES test_runs(id) ON DELETE CASCADE,
        case_id uuid NOT NULL,
        index integer NOT NULL CHECK (index >= 0),
        name varchar(200) NOT NULL,
        case_hash text NOT NULL,
        output text,
        baseline_output text,
        assertions jsonb NOT NULL DEFAULT '[]'::jsonb,
        verdict text CHECK (verdict IN ('same', 'improved', 'regressed', 'different')),
        reason text,
        error text,
        model text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        PRIMARY KEY (run_id, case_id)
      )`);
    // A new run looks up the newest answer of the baseline to each of its cases.
    await q.query(`CREATE INDEX test_run_results_case_idx ON test_run_results (case_id, finished_at DESC) WHERE error IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS test_run_results`);
    await q.query(`DROP INDEX IF EXISTS test_runs_unfinished_idx`);
    await q.query(`ALTER TABLE test_runs DROP COLUMN progressed_at, DROP COLUMN cases`);
  }
}
