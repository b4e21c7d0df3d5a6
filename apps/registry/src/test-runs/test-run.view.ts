import type { AssertionResult } from '#domain';
import type { TestRunResultRow, TestRunRow } from './test-runs.repository.js';

/** One case's result in GET /test-runs/:id (API.md); `error` says why a case could not be answered or judged. */
export interface TestRunResultView {
  test_case_id: string;
  name: string;
  output: string | null;
  baseline_output: string | null;
  assertions: AssertionResult[];
  verdict: TestRunResultRow['verdict'];
  reason: string | null;
  error: string | null;
}

/** A test run as GET /versions/:id/test-runs lists it; GET /test-runs/:id adds `results`. */
export interface TestRunView {
  id: string;
  version_id: string;
  baseline_version_id: string | null;
  provider: string;
  model: string;
  judge_provider: string;
  judge_model: string;
  status: TestRunRow['status'];
  cases_total: number;
  cases_done: number;
  cases_passed: number;
  regressions: number;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export function toTestRunView(run: TestRunRow): TestRunView {
  return {
    id: run.id,
    version_id: run.version_id,
    baseline_version_id: run.baseline_version_id,
    provider: run.provider,
    model: run.model,
    judge_provider: run.judge_provider,
    judge_model: run.judge_model,
    status: run.status,
    cases_total: run.cases_total,
    cases_done: run.cases_done,
    cases_passed: run.cases_passed,
    regressions: run.regressions,
    error: run.error,
    created_at: run.created_at.toISOString(),
    finished_at: run.finished_at ? run.finished_at.toISOString() : null,
  };
}

export function toTestRunResultView(r: TestRunResultRow): TestRunResultView {
  return {
    test_case_id: r.case_id, name: r.name, output: r.output, baseline_output: r.baseline_output,
    assertions: r.assertions, verdict: r.verdict, reason: r.reason, error: r.error,
  };
}
