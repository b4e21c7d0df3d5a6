import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Provider, TestCaseJob, TestCaseResultJob } from '#contracts';
import { canonicalJson, type AssertionResult, type CaseResult } from '#domain';
import { byCreation, exactTimestampSql, KeysetWindow, type Page, type PageRequest } from '../common/pagination.js';

/** A case as a run sends it, read from `test_cases` in name order. */
export interface RunCaseRow {
  id: string;
  name: string;
  variables: Record<string, string>;
  input: string | null;
  placeholders: TestCaseJob['case']['placeholders'];
  assertions: TestCaseJob['case']['assertions'];
}

/** What a run remembers of each of its cases (`test_runs.cases`), in the run's order. */
export interface RunCaseEntry {
  id: string;
  name: string;
  hash: string;
}

export interface TestRunRow {
  id: string;
  workspace_id: string;
  prompt_id: string;
  version_id: string;
  baseline_version_id: string | null;
  provider: Provider;
  model: string;
  judge_provider: Provider;
  judge_model: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  cases_total: number;
  cases_done: number;
  cases_passed: number;
  regressions: number;
  error: string | null;
  requested_by: string | null;
  created_at: Date;
  finished_at: Date | null;
  cases: RunCaseEntry[];
  progressed_at: Date;
}

export interface TestRunResultRow {
  case_id: string;
  index: number;
  name: string;
  output: string | null;
  baseline_output: string | null;
  assertions: AssertionResult[];
  verdict: 'same' | 'improved' | 'regressed' | 'different' | null;
  reason: string | null;
  error: string | null;
}

export interface NewTestRun {
  workspaceId: string;
  promptId: string;
  versionId: string;
  baselineVersionId: string | null;
  provider: Provider;
  model: string;
  judgeProvider: Provider;
  judgeModel: string;
  cases: RunCaseEntry[];
  requestedBy: string;
}

/** The counts a result (or the sweeper) leaves on a run. */
export interface RunProgress {
  status: 'running' | 'succeeded' | 'failed';
  cases_done: number;
  cases_passed: number;
  regressions: number;
  error: string | null;
}

const RUN_COLUMNS = `id, workspace_id, prompt_id, version_id, baseline_version_id, provider, model, judge_provider, judge_model,
  status, cases_total, cases_done, cases_passed, regressions, error, requested_by, created_at, finished_at, cases, progressed_at`;

/**
 * What a case sends to the model (not what is checked of the answer): a baseline answer is reused
 * only for a case whose hash is unchanged, so editing an assertion keeps it and editing the input does not.
 */
export function caseHash(c: Pick<RunCaseRow, 'variables' | 'input' | 'placeholders'>): string {
  return createHash('sha256').update(canonicalJson({ variables: c.variables, input: c.input, placeholders: c.placeholders })).digest('hex');
}

/** Test runs and their case results, in SQL. */
@Injectable()
export class TestRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The prompt's cases in name order (byte order, so every reader agrees), the order a run numbers them. */
  async casesOf(manager: EntityManager, promptId: string): Promise<RunCaseRow[]> {
    return (await manager.query(
      `SELECT id, name, variables, input, placeholders, assertions FROM test_cases WHERE prompt_id = $1 ORDER BY name COLLATE "C", id`,
      [promptId],
    )) as RunCaseRow[];
  }

  async insertRun(manager: EntityManager, run: NewTestRun): Promise<string> {
    const [row] = (await manager.query(
      `INSERT INTO test_runs (workspace_id, prompt_id, version_id, baseline_version_id, provider, model, judge_provider, judge_model,
                              status, cases_total, cases, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $10::jsonb, $11) RETURNING id`,
      [run.workspaceId, run.promptId, run.versionId, run.baselineVersionId, run.provider, run.model, run.judgeProvider, run.judgeModel,
        run.cases.length, JSON.stringify(run.cases), run.requestedBy],
    )) as Array<{ id: string }>;
    return row.id;
  }

  /**
   * The newest baseline answer of each case that an earlier run got with the same baseline version
   * and the same answering provider and model, for a case that still sends what it sent then.
   */
  async reusableBaselineOutputs(
    manager: EntityManager,
    cases: RunCaseEntry[],
    baselineVersionId: string,
    answer: { provider: Provider; model: string },
  ): Promise<Map<string, string>> {
    if (cases.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT DISTINCT ON (r.case_id) r.case_id, r.baseline_output
         FROM test_run_results r
         JOIN unnest($1::uuid[], $2::text[]) AS c(id, hash) ON c.id = r.case_id AND c.hash = r.case_hash
         JOIN test_runs t ON t.id = r.run_id
        WHERE r.error IS NULL AND r.baseline_output IS NOT NULL
          AND t.baseline_version_id = $3 AND t.provider = $4 AND t.model = $5
        ORDER BY r.case_id, r.finished_at DESC`,
      [cases.map((c) => c.id), cases.map((c) => c.hash), baselineVersionId, answer.provider, answer.model],
    )) as Array<{ case_id: string; baseline_output: string }>;
    return new Map(rows.map((r) => [r.case_id, r.baseline_output]));
  }

  async findRun(manager: EntityManager, runId: string): Promise<TestRunRow | null> {
    const [row] = (await manager.query(`SELECT ${RUN_COLUMNS} FROM test_runs WHERE id = $1`, [runId])) as TestRunRow[];
    return row ?? null;
  }

  /** The run, locked until the transaction ends, so its results are applied one at a time. */
  async lockRun(manager: EntityManager, runId: string, skipLocked = false): Promise<TestRunRow | null> {
    const [row] = (await manager.query(
      `SELECT ${RUN_COLUMNS} FROM test_runs WHERE id = $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`, [runId],
    )) as TestRunRow[];
    return row ?? null;
  }

  /** Stores one case's result; false when the run already has one for this case. */
  async insertResult(manager: EntityManager, run: TestRunRow, entry: RunCaseEntry, result: TestCaseResultJob): Promise<boolean> {
    const ok = result.status === 'succeeded';
    const rows = (await manager.query(
      `INSERT INTO test_run_results (run_id, case_id, index, name, case_hash, output, baseline_output, assertions, verdict, reason, error,
                                     model, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (run_id, case_id) DO NOTHING RETURNING run_id`,
      [run.id, entry.id, result.index, entry.name, entry.hash, ok ? result.output : null, ok ? result.baseline_output : null,
        JSON.stringify(ok ? result.assertions : []), ok ? result.verdict : null, ok ? result.reason : null, ok ? null : result.error,
        run.model, result.started_at, result.finished_at],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The run's results so far, as summariseRun reads them. */
  async caseResults(manager: EntityManager, runId: string): Promise<CaseResult[]> {
    const rows = (await manager.query(
      `SELECT assertions, verdict, error FROM test_run_results WHERE run_id = $1 ORDER BY index`, [runId],
    )) as Array<Pick<TestRunResultRow, 'assertions' | 'verdict' | 'error'>>;
    return rows.map((r): CaseResult => (r.error !== null
      ? { outcome: 'failed', error: r.error }
      : { outcome: 'answered', assertions: r.assertions, verdict: r.verdict }));
  }

  /** Writes the run's counts; a final status also sets finished_at. */
  async writeProgress(manager: EntityManager, runId: string, progress: RunProgress): Promise<void> {
    await manager.query(
      `UPDATE test_runs
          SET status = $2, cases_done = $3, cases_passed = $4, regressions = $5, error = $6, progressed_at = now(),
              finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() END
        WHERE id = $1`,
      [runId, progress.status, progress.cases_done, progress.cases_passed, progress.regressions, progress.error],
    );
  }

  /** Fails an unfinished run, keeping its counts. */
  async writeFailed(manager: EntityManager, runId: string, error: string): Promise<void> {
    await manager.query(
      `UPDATE test_runs SET status = 'failed', error = $2, progressed_at = now(), finished_at = now()
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [runId, error],
    );
  }

  async emailOf(manager: EntityManager, userId: string | null): Promise<string | null> {
    if (userId === null) return null;
    const [row] = (await manager.query(`SELECT email FROM users WHERE id = $1`, [userId])) as Array<{ email: string }>;
    return row?.email ?? null;
  }

  async resultsOf(runId: string): Promise<TestRunResultRow[]> {
    return (await this.dataSource.query(
      `SELECT case_id, index, name, output, baseline_output, assertions, verdict, reason, error
         FROM test_run_results WHERE run_id = $1 ORDER BY index`,
      [runId],
    )) as TestRunResultRow[];
  }

  async pageOfVersion<Item>(versionId: string, page: PageRequest, present: (row: TestRunRow) => Item): Promise<Page<Item>> {
    const window = new KeysetWindow(byCreation('t'), page);
    const params: unknown[] = [versionId];
    const after = window.afterSql(params);
    const rows = (await this.dataSource.query(
      `SELECT ${RUN_COLUMNS.split(',').map((c) => `t.${c.trim()}`).join(', ')}, ${exactTimestampSql('t.created_at')} AS position
         FROM test_runs t WHERE t.version_id = $1${after ? ` AND ${after}` : ''}
        ORDER BY ${window.orderSql()} LIMIT ${window.limitSql(params)}`,
      params,
    )) as Array<TestRunRow & { position: string }>;
    return window.pageOf(rows, (r) => [r.position, r.id], present);
  }

  /**
   * Unfinished runs that have had no result for `stallSeconds` plus 2 s per case still without
   * one, as of `now`: the sweeper fails them.
   */
  async stalledRunIds(now: Date, stallSeconds: number, limit = 100): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM test_runs
        WHERE status IN ('queued', 'running')
          AND progressed_at < $1::timestamptz - make_interval(secs => $2 + 2 * (cases_total - cases_done))
        ORDER BY progressed_at LIMIT $3`,
      [now.toISOString(), stallSeconds, limit],
    )) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /** Whether the locked run is still stalled (a result may have arrived since it was listed). */
  isStalled(run: TestRunRow, now: Date, stallSeconds: number): boolean {
    if (run.status !== 'queued' && run.status !== 'running') return false;
    return now.getTime() - run.progressed_at.getTime() > (stallSeconds + 2 * (run.cases_total - run.cases_done)) * 1000;
  }
}
