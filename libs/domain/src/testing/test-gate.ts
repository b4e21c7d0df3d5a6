/**
 * The test gate on approval (API.md, "The test gate"), checked after the eval gate, and how a
 * run's status and counts follow from its cases' results.
 */
import { ForbiddenError, UnprocessableError } from '../errors.js';
import { casePassed, type AssertionResult } from './assertions.js';
import type { CaseVerdict } from './verdict.js';

export type TestRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One test run of the version being approved, as the gate reads it. */
export interface GateRun {
  id: string;
  /** Absent means succeeded: a caller may pass only the succeeded runs. */
  status?: TestRunStatus;
  baseline_version_id: string | null;
  cases_total: number;
  cases_passed: number;
  regressions: number;
  created_at: Date | string;
}

export interface TestGateInput {
  testsRequired: boolean;
  maxRegressions: number;
  /** The version live now in the environment, or null when none is. */
  liveVersionId: string | null;
  /** The version's test runs, in any order. */
  runs: readonly GateRun[];
  /** The approver may override (admin or owner). */
  overrideAllowed: boolean;
  /** The approval asked to override the gates (`override_eval: true`). */
  override: boolean;
}

export type TestGateRefusal = 'tests_required' | 'tests_failed';

/** `422 tests_required` / `422 tests_failed`, with what the person can do next. */
export class TestGateError extends UnprocessableError {
  constructor(code: TestGateRefusal, message: string, details: Record<string, unknown>) {
    super(message, code, details);
  }
}

export type TestGateDecision =
  | {
    ok: true;
    /** false when the environment does not require tests (then nothing is audited for this gate). */
    gated: boolean;
    /** The gate refused and an admin overrode it: audit `override_tests: true` and `test_run_id`. */
    overridden: boolean;
    /** The run the gate passed on; when overridden, the version's newest run (any status), or null. */
    runId: string | null;
  }
  | { ok: false; refusal: TestGateError | ForbiddenError };

const time = (run: GateRun) => new Date(run.created_at).getTime();
/** Newest first; the id breaks a tie so the order is the same everywhere. */
const newestFirst = (a: GateRun, b: GateRun) => time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The gate, where `testsRequired`: the NEWEST succeeded run of the version whose baseline is the
 * version live now (no baseline when none is live) decides. The newest, not any: cases may have
 * been edited since an older run, and a run that passed once must not outvote a later one that
 * failed. It passes when every case passed (and there was at least one) and `regressions <=
 * maxRegressions`. Otherwise `tests_required` (no such run) or `tests_failed`, which an override
 * by an admin passes (`403 forbidden` for an override by anyone else). A run against another
 * baseline does not count: it compared the version with answers that are no longer live.
 */
export function decideTestGate(input: TestGateInput): TestGateDecision {
  if (!input.testsRequired) return { ok: true, gated: false, overridden: false, runId: null };
  const runs = [...input.runs].sort(newestFirst);
  const counted = runs.find((r) => (r.status ?? 'succeeded') === 'succeeded' && r.baseline_version_id === input.liveVersionId) ?? null;
  if (counted && counted.cases_total > 0 && counted.cases_passed === counted.cases_total && counted.regressions <= input.maxRegressions) {
    return { ok: true, gated: true, overridden: false, runId: counted.id };
  }
  if (input.override) {
    if (!input.overrideAllowed) return { ok: false, refusal: new ForbiddenError('Only an admin or owner may override the test gate.') };
    return { ok: true, gated: true, overridden: true, runId: runs[0]?.id ?? null };
  }
  const baseline = input.liveVersionId === null ? 'with no baseline (no version is live)' : `against the live version ${input.liveVersionId}`;
  if (!counted) {
    const others = runs.filter((r) => (r.status ?? 'succeeded') === 'succeeded');
    const why = others.length > 0
      ? `Its succeeded test runs compared it with another baseline than the version live now: run the tests again ${baseline}.`
      : `Start a test run of this version ${baseline} (POST /versions/:id/test-runs), wait for it to succeed, then approve.`;
    return {
      ok: false,
      refusal: new TestGateError('tests_required', `This environment requires a succeeded test run of the version ${baseline} before approval. ${why}`, {
        live_version_id: input.liveVersionId, max_regressions: input.maxRegressions,
      }),
    };
  }
  const problems: string[] = [];
  if (counted.cases_total === 0) problems.push('it ran no cases (add test cases to the prompt)');
  else if (counted.cases_passed < counted.cases_total) {
    problems.push(`${counted.cases_total - counted.cases_passed} of ${plural(counted.cases_total, 'case')} failed their assertions`);
  }
  if (counted.regressions > input.maxRegressions) {
    problems.push(`the judge found ${plural(counted.regressions, 'regression')} against the live version, more than the ${input.maxRegressions} allowed`);
  }
  return {
    ok: false,
    refusal: new TestGateError('tests_failed',
      `The newest test run of this version (${counted.id}) did not pass: ${problems.join(', and ')}. Fix the prompt (or the cases), run the tests again and approve the version that passes.`,
      {
        test_run_id: counted.id, cases_total: counted.cases_total, cases_passed: counted.cases_passed,
        regressions: counted.regressions, max_regressions: input.maxRegressions,
      }),
  };
}

/** One case's outcome in a run: answered (and judged where needed), or given up on with an error. */
export type CaseResult =
  | { outcome: 'answered'; assertions: readonly AssertionResult[]; verdict: CaseVerdict | null }
  | { outcome: 'failed'; error: string };

export interface RunSummary {
  /** `running` until every case has a result; then `succeeded`, or `failed` when any case failed. */
  status: 'running' | 'succeeded' | 'failed';
  cases_total: number;
  cases_done: number;
  cases_passed: number;
  regressions: number;
  /** Why the run failed, in words; null otherwise. */
  error: string | null;
}

/**
 * A run's status and counts from the results so far (one per case that has one) and the number of
 * cases it runs. A case passes when all its assertions passed; `regressions` counts `regressed`
 * verdicts. A run succeeds only when every case was answered and judged; one case given up on
 * fails the run (its error is quoted) once every case has a result, so no answer is lost.
 */
export function summariseRun(results: readonly CaseResult[], casesTotal: number): RunSummary {
  let passed = 0;
  let regressions = 0;
  const errors: string[] = [];
  for (const result of results) {
    if (result.outcome === 'failed') {
      errors.push(result.error);
      continue;
    }
    if (casePassed(result.assertions)) passed++;
    if (result.verdict === 'regressed') regressions++;
  }
  const done = results.length;
  const summary = { cases_total: casesTotal, cases_done: done, cases_passed: passed, regressions };
  if (done < casesTotal) return { status: 'running', ...summary, error: null };
  if (errors.length > 0) {
    return { status: 'failed', ...summary, error: `${errors.length} of ${plural(casesTotal, 'case')} could not be answered or judged; the first: ${errors[0]}` };
  }
  return { status: 'succeeded', ...summary, error: null };
}
